"""Why a flagged row of the quality battery is where it is.

Issue 17 asks every shipml learner to be within 0.005 of its family's best peer on
every data set, or for the docs to say where and why not. render.py asks explain()
for each flagged row. A gap smaller than two standard errors of the paired fold
differences is not evidence of anything (the folds are only 5); every other flagged
row needs a reason below, found by measuring, not by guessing. A row no rule covers
shows as **unexplained** in docs/quality.md.
"""

NOISE = "noise"

# Reason id -> what was measured. render.py prints the reasons a table uses.
REASONS = {
    NOISE: "Fold noise: the gap is smaller than two standard errors of the mean paired fold difference "
           "(± se), and shipml is below in no more than 4 of the 5 folds or the gap is under 0.01.",
    "alpha": "Same default as scikit-learn: `elastic_net` and `lasso` keep `alpha=1`, which is on the scale of "
             "the target (standardised features, raw target): a strong penalty for a target of unit spread. "
             "shipml is level with scikit-learn's ElasticNet/Lasso; Ridge (`alpha=1` of L2 only) keeps more. "
             "`shipml search` over `alpha` or the `linear` learner are the remedy; an automatic alpha "
             "(a cross-validated path, as glmnet's) is not built yet.",
    "ols": "Same algorithm as scikit-learn's LinearRegression (numeric columns are fitted exactly as it fits "
           "them); Ridge's `alpha=1` penalty helps on these few or collinear columns. `linear` penalises "
           "only one-hot columns (`category_l2`); `--set alpha=1` gives Ridge.",
}

# (learners, data sets or None for any, reason id), first match wins. Each rule
# names the measurement behind it in REASONS.
RULES = [
    ({"elastic_net", "lasso"}, None, "alpha"),
    ({"linear"}, None, "ols"),
]


def is_noise(row):
    gap, se, below = row["gap"], row.get("gap_se"), row.get("folds_below")
    if se is None or se != se or below is None:
        return False
    return abs(gap) < 2 * se and (below <= 4 or abs(gap) < 0.01)


def explain(row):
    """The reason id for a flagged row, or None when nothing explains it."""
    for learners, datasets, reason in RULES:
        if row["learner"] in learners and (datasets is None or row["dataset"] in datasets):
            if reason_applies(reason, row):
                return reason
    return NOISE if is_noise(row) else None


def reason_applies(reason, row):
    # The shared-default reasons hold only where shipml is level with the same algorithm.
    if reason in ("alpha", "ols"):
        return not row["vs_same"] < -0.005
    return True
