"""scikit-learn's answers for calibration and decision thresholds (calibration.json).

Both sides use the same folds: shipml's own (kfold with the model's seed,
stratified), re-implemented here from src/data/split.cpp and
include/shipml/core/random.hpp (SplitMix64, Lemire's bounded integers, a
Fisher-Yates shuffle per class, rows dealt round-robin), and handed to
scikit-learn as an iterable of (train, test). The C++ test checks that these
folds are the ones shipml makes, so a difference in them cannot hide.

Calibration: CalibratedClassifierCV(method=..., cv=those folds, ensemble=False)
from Debian's scikit-learn 1.2. Its sigmoid does not reach the optimum of its own
objective: BFGS stops at scipy's default gradient norm (1e-5), and it evaluates
the objective as xlogy(1 - T, 1 - P), which for saturated rows (P rounding near 1)
is off by more than the improvements BFGS looks for. shipml runs Newton's method
to the optimum. So sigmoid cases carry two answers: "proba_default", scikit-learn
as shipped, and "proba", the same code whose BFGS result is then polished to the
root of scikit-learn's own gradient (scipy.optimize.root): the optimum of its
objective, as models.json solves logistic regression with tight Newton solvers.

Thresholds: scikit-learn 1.5's TunedThresholdClassifierCV is not in 1.2, so
`tuned_threshold_cv` below is an independent numpy re-implementation of its
algorithm (sklearn/model_selection/_classification_threshold.py and
_CurveScorer._score in sklearn/metrics/_scorer.py, 1.5): per fold, the metric
at np.linspace(min, max, 100) of the held-out positive-class probabilities
(positive when probability >= threshold); then np.linspace over all folds'
range, each fold's curve np.interp-olated, the mean over folds, argmax; the
classifier refit on all rows.
"""
import contextlib
import os

import numpy as np
import scipy.optimize
import sklearn.calibration
import pandas as pd
from sklearn import metrics as skm
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

MASK = (1 << 64) - 1


class SplitMix64:
    """shipml::Random: SplitMix64, below() by Lemire's multiply-shift, shuffle() by Fisher-Yates."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        m = self.next() * n
        if (m & MASK) < n:
            threshold = ((1 << 64) - n) % n
            while (m & MASK) < threshold:
                m = self.next() * n
        return m >> 64

    def shuffle(self, items):
        for i in range(len(items), 1, -1):
            j = self.below(i)
            items[i - 1], items[j] = items[j], items[i - 1]


def shipml_kfold(strata, k, seed):
    """shipml::kfold(n, k, seed, strata): each class's rows shuffled (classes in
    index order, one generator), then dealt round-robin to the folds."""
    rng = SplitMix64(seed)
    by_class = {}
    for i, c in enumerate(strata):
        by_class.setdefault(int(c), []).append(i)
    fold_of, dealt = np.zeros(len(strata), dtype=int), 0
    for c in sorted(by_class):
        rows = by_class[c]
        rng.shuffle(rows)
        for r in rows:
            fold_of[r] = dealt % k
            dealt += 1
    return [(np.flatnonzero(fold_of != f), np.flatnonzero(fold_of == f)) for f in range(k)]


def _bfgs_then_root(f, x0, fprime=None, **options):
    """fmin_bfgs as _sigmoid_calibration calls it, then the root of its gradient from there."""
    x = scipy.optimize.fmin_bfgs(f, x0, fprime=fprime, **options)
    return scipy.optimize.root(fprime, x, method="hybr", tol=1e-15).x


@contextlib.contextmanager
def tight_sigmoid():
    """scikit-learn's _sigmoid_calibration (its targets, start and gradient), solved to its optimum."""
    default = sklearn.calibration.fmin_bfgs
    sklearn.calibration.fmin_bfgs = _bfgs_then_root
    try:
        yield
    finally:
        sklearn.calibration.fmin_bfgs = default


def tuned_threshold_cv(make_classifier, X, y, folds, score, n_thresholds=100):
    """TunedThresholdClassifierCV(make_classifier(), scoring=score, cv=folds, thresholds=n_thresholds,
    refit=True).fit(X, y), re-implemented (see the module's doc): (best_threshold_, best_score_, refit)."""
    cv_thresholds, cv_scores = [], []
    for train, test in folds:
        clf = make_classifier(train).fit(X.iloc[train], y[train])
        s = clf.predict_proba(X.iloc[test])[:, 1]
        thresholds = np.linspace(np.min(s), np.max(s), n_thresholds)
        cv_scores.append(np.array([score(y[test], (s >= t).astype(int)) for t in thresholds]))
        cv_thresholds.append(thresholds)
    if any(np.isclose(t[0], t[-1]) for t in cv_thresholds):
        raise ValueError("constant predictions: no threshold to tune")
    decision = np.linspace(min(t.min() for t in cv_thresholds), max(t.max() for t in cv_thresholds), n_thresholds)
    mean = np.mean([np.interp(decision, t, s) for t, s in zip(cv_thresholds, cv_scores)], axis=0)
    best = mean.argmax()
    return decision[best], mean[best], make_classifier(None).fit(X, y)


def _learner(estimator, params, n_classes):
    """scikit-learn's twin of a shipml learner (standardised inputs where shipml's encoder standardises)."""
    if estimator == "logistic":  # tight Newton solvers: the optimum shipml's L-BFGS reaches (models.json)
        solver = "newton-cholesky" if n_classes == 2 else "newton-cg"  # newton-cholesky is binary-only in 1.2
        return make_pipeline(StandardScaler(), LogisticRegression(C=float(params.get("C", "1")), solver=solver,
                                                                  tol=1e-12, max_iter=10000))
    if estimator == "gaussian_nb":
        return make_pipeline(StandardScaler(), GaussianNB(var_smoothing=0.1))
    if estimator == "decision_tree":
        return DecisionTreeClassifier(max_depth=int(params["max_depth"]), random_state=0)
    raise ValueError(estimator)


def _split(data_dir, out_dir, name, dataset, target, rng):
    df = pd.read_csv(os.path.join(data_dir, dataset))
    if name.startswith("tree_") and name.endswith("_binary"):  # iris as one class against the rest
        df[target] = np.where(df[target] == "virginica", "virginica", "other")
    order = rng.permutation(len(df))
    n_test = int(np.ceil(0.25 * len(df)))
    test, train = df.iloc[np.sort(order[:n_test])], df.iloc[np.sort(order[n_test:])]
    paths = [os.path.join(out_dir, f"calibration_{name}_{part}.csv") for part in ("train", "test")]
    train.to_csv(paths[0], index=False)
    test.to_csv(paths[1], index=False)
    X, Xt = train.drop(columns=[target]).reset_index(drop=True), test.drop(columns=[target]).reset_index(drop=True)
    classes = sorted(df[target].unique())
    y = train[target].map(classes.index).to_numpy()
    return X, y, Xt, classes, paths


def calibration_cases(data_dir, out_dir):
    rng = np.random.default_rng(20261201)
    cases = []
    for name, dataset, target, estimator, params, method, k, seed in [
        ("logistic_sigmoid_binary", "breast_cancer.csv", "diagnosis", "logistic", {"C": "0.1", "tol": "1e-10"},
         "sigmoid", 5, 0),
        ("logistic_isotonic_binary", "breast_cancer.csv", "diagnosis", "logistic", {"C": "0.1", "tol": "1e-10"},
         "isotonic", 5, 0),
        ("logistic_sigmoid_multiclass", "wine.csv", "cultivar", "logistic", {"C": "0.5", "tol": "1e-10"}, "sigmoid", 4, 0),
        ("logistic_isotonic_multiclass", "wine.csv", "cultivar", "logistic", {"C": "0.5", "tol": "1e-10"},
         "isotonic", 4, 0),
        # Trees agree with scikit-learn's only where no two splits tie (scikit-learn
        # breaks ties by a random feature order, shipml by column order): on iris,
        # to depth 3, every fold's tree is the same on both sides.
        ("tree_sigmoid_binary", "iris.csv", "species", "decision_tree", {"max_depth": "3", "seed": "7"}, "sigmoid", 5, 7),
        ("tree_isotonic_binary", "iris.csv", "species", "decision_tree", {"max_depth": "3", "seed": "7"}, "isotonic", 5,
         7),
        ("tree_isotonic_multiclass", "iris.csv", "species", "decision_tree", {"max_depth": "3", "seed": "3"},
         "isotonic", 4, 3),
        ("gaussian_nb_sigmoid_multiclass", "wine.csv", "cultivar", "gaussian_nb", {}, "sigmoid", 3, 0),
        ("gaussian_nb_isotonic_multiclass", "wine.csv", "cultivar", "gaussian_nb", {}, "isotonic", 3, 0),
    ]:
        X, y, Xt, classes, (train_path, test_path) = _split(data_dir, out_dir, name, dataset, target, rng)
        folds = shipml_kfold(y, k, seed)

        def calibrated():
            return CalibratedClassifierCV(_learner(estimator, params, len(classes)), method=method, cv=folds,
                                          ensemble=False).fit(X, y)

        default = calibrated()
        with tight_sigmoid():
            model = calibrated()
        cases.append({"name": name, "estimator": estimator, "params": params, "method": method, "cv": k, "seed": seed,
                      "target": target, "train": train_path, "test": test_path, "classes": [str(c) for c in classes],
                      "train_test_folds": [test.tolist() for _, test in folds],
                      "proba": model.predict_proba(Xt).tolist(), "predicted": model.predict(Xt).tolist(),
                      "proba_default": default.predict_proba(Xt).tolist()})
    return cases


def threshold_cases(data_dir, out_dir):
    rng = np.random.default_rng(20261202)
    scores = {"f1": lambda t, p: skm.f1_score(t, p, zero_division=0),
              "balanced_accuracy": skm.balanced_accuracy_score,
              "precision": lambda t, p: skm.precision_score(t, p, zero_division=0)}
    cases = []
    for name, estimator, params, metric, k, calibration in [
        ("logistic_f1", "logistic", {"C": "0.1", "tol": "1e-10"}, "f1", 5, None),
        ("gaussian_nb_balanced_accuracy", "gaussian_nb", {}, "balanced_accuracy", 4, None),
        ("logistic_precision", "logistic", {"C": "0.1", "tol": "1e-10"}, "precision", 3, None),
        ("calibrated_logistic_f1", "logistic", {"C": "0.1", "tol": "1e-10"}, "f1", 4, ("sigmoid", 3)),
    ]:
        X, y, Xt, classes, (train_path, test_path) = _split(data_dir, out_dir, "threshold_" + name,
                                                            "breast_cancer.csv", "diagnosis", rng)
        folds = shipml_kfold(y, k, 0)

        def make_classifier(train_rows):
            if calibration is None:
                return _learner(estimator, params, 2)
            # Nested: the calibration's own folds of the rows it is fitted on (all rows for the refit).
            inner = shipml_kfold(y if train_rows is None else y[train_rows], calibration[1], 0)
            return CalibratedClassifierCV(_learner(estimator, params, 2), method=calibration[0], cv=inner,
                                          ensemble=False)

        with tight_sigmoid():
            threshold, score, refit = tuned_threshold_cv(make_classifier, X, y, folds, scores[metric])
        proba = refit.predict_proba(Xt)
        cases.append({"name": name, "estimator": estimator, "params": params, "metric": metric, "cv": k,
                      "calibration": calibration and {"method": calibration[0], "cv": calibration[1]},
                      "target": "diagnosis", "train": train_path, "test": test_path, "classes": classes,
                      "threshold": float(threshold), "score": float(score), "proba": proba.tolist(),
                      "predicted": (proba[:, 1] >= threshold).astype(int).tolist()})
    return cases
