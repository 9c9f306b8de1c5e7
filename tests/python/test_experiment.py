"""Scoring, comparing, searching and selecting from Python: the numbers the
command line gives on the same data, results that turn into DataFrames, and
run records written exactly as the command line writes them."""
import functools
import json

import numpy as np
import pandas as pd
import pytest

import shipml

from conftest import cli, data_path, SOURCE


def test_score_gives_the_command_lines_numbers(credit):
    result = shipml.score("hist_gbdt", credit, target="Status", cv=5, metrics=["roc_auc", "accuracy"])
    from_cli = json.loads(cli("score", "--data", data_path("credit_data.csv"), "--target", "Status", "-e", "hist_gbdt",
                              "--cv", "5", "-m", "roc_auc", "-m", "accuracy", "--json", "-q", "--no-track").stdout)
    assert result.metrics == {m: s["mean"] for m, s in from_cli["metrics"].items()}
    frame = result.to_frame()
    assert list(frame.columns) == ["fold1", "fold2", "fold3", "fold4", "fold5", "mean", "std"]
    assert frame.loc["roc_auc", "mean"] == result.metrics["roc_auc"]
    held_out = result.predictions()
    assert len(held_out) == len(credit) and {"truth", "predicted", "proba:good"} <= set(held_out.columns)
    assert "roc_auc" in str(result) and result.run_id is None  # tracking is off
    holdout = shipml.Model("logistic").score(credit, target="Status")
    assert list(holdout.to_frame().columns) == ["mean", "std"]


def test_group_and_time_splits_reach_python_as_on_the_command_line(credit):
    from sklearn.model_selection import TimeSeriesSplit
    df = credit.assign(branch=[f"b{i % 23}" for i in range(len(credit))], day=np.arange(len(credit)) // 3)
    for train, test in shipml.folds(df, target="Status", cv=4, group="branch"):
        assert not set(df["branch"].iloc[train]) & set(df["branch"].iloc[test])
    by_time = shipml.folds(df.iloc[::-1], target="Status", cv=3, time="day", gap=2)
    for train, test in by_time:
        assert df.iloc[::-1]["day"].iloc[train].max() < df.iloc[::-1]["day"].iloc[test].min()
    distinct = df.assign(day=np.arange(len(df)))
    expected = [(tr.tolist(), te.tolist()) for tr, te in TimeSeriesSplit(n_splits=3, gap=2).split(distinct)]
    assert [(tr.tolist(), te.tolist()) for tr, te in shipml.folds(distinct, target="Status", cv=3, time="day",
                                                                   gap=2)] == expected
    result = shipml.score("logistic", df, target="Status", cv=3, group="branch", cv_repeats=2, metrics=["roc_auc"])
    assert len(result.to_frame().columns) == 3 * 2 + 2
    assert result.json()["validation"] == "3-fold CV x 2, grouped by 'branch', stratified"
    with pytest.raises(shipml.UsageError, match="--group nope: no such column"):
        shipml.score("logistic", df, target="Status", cv=3, group="nope")
    # The curves' folds take the same roles: a group column that is not there is named,
    # and grouping changes the folds, so the curve.
    with pytest.raises(shipml.UsageError, match="--group nope: no such column"):
        shipml.plot("learning_curve", estimator="logistic", data=df, target="Status", cv=3, group="nope")
    curve = functools.partial(shipml.plot, "learning_curve", estimator="logistic", data=df, target="Status", cv=3)
    assert curve(group="branch").svg() != curve().svg()
    assert curve(time="day", gap=2).svg() != curve().svg()


def test_weight_column_reaches_python_as_on_the_command_line(credit):
    # Each application counts as much as the amount lent: the numbers `shipml score --weight Amount` gives.
    result = shipml.score("logistic", credit, target="Status", cv=3, weight="Amount", metrics=["roc_auc"])
    from_cli = json.loads(cli("score", "--data", data_path("credit_data.csv"), "--target", "Status", "-e", "logistic",
                              "--cv", "3", "-m", "roc_auc", "--weight", "Amount", "--json", "-q",
                              "--no-track").stdout)
    assert result.metrics["roc_auc"] == from_cli["metrics"]["roc_auc"]["mean"]
    assert result.json()["validation"] == "3-fold CV, stratified, rows weighted by 'Amount'"
    unweighted = shipml.score("logistic", credit, target="Status", cv=3, metrics=["roc_auc"])
    assert unweighted.metrics["roc_auc"] != result.metrics["roc_auc"]
    board = shipml.compare(["logistic", "decision_tree"], credit, target="Status", cv=3, weight="Amount")
    assert "rows weighted by 'Amount'" in board.json()["validation"]
    # Whole-number weights are duplicated rows, for a tree.
    df = credit.assign(w=[1 + i % 3 for i in range(len(credit))])
    weighted = shipml.Model("decision_tree", max_depth=5).fit(df, target="Status", weight="w")
    repeated = shipml.Model("decision_tree", max_depth=5).fit(
        credit.loc[credit.index.repeat(df["w"])], target="Status")
    assert "w" not in weighted.feature_names
    assert weighted.metadata["training"]["weight"] == "w"
    np.testing.assert_array_equal(weighted.predict_proba(credit), repeated.predict_proba(credit))
    with pytest.raises(shipml.DataError, match="row 2 has weight -1"):
        shipml.Model("logistic").fit(df.assign(w=[1, -1] + [1] * (len(df) - 2)), target="Status", weight="w")


def test_compare_ranks_on_the_same_folds_and_refits_the_best(credit):
    board = shipml.compare(["logistic", shipml.Model("hist_gbdt", n_estimators=50), "random_forest"], credit,
                           target="Status", cv=3, metrics=["roc_auc"], refit=True)
    frame = board.to_frame()
    assert list(frame.index) == [1, 2, 3] and frame["roc_auc"].is_monotonic_decreasing
    assert board.best_model.fitted and board.best_model.estimator == frame.loc[1, "estimator"]
    assert [r.estimator for r in board.results] == list(frame["estimator"])
    from_cli = json.loads(cli("compare", "--data", data_path("credit_data.csv"), "--target", "Status", "-e", "logistic",
                              "-e", "hist_gbdt", "-e", "random_forest", "--set", "hist_gbdt.n_estimators=50", "--cv", "3",
                              "-m", "roc_auc", "--json", "-q", "--no-track").stdout)
    assert [e["metrics"]["roc_auc"]["mean"] for e in from_cli["entries"]] == list(frame["roc_auc"])


def test_search_with_grid_random_and_halving(credit):
    grid = shipml.search("logistic", credit, target="Status", grid={"C": [0.01, 1.0, 100.0]}, cv=3)
    frame = grid.to_frame()
    assert len(frame) == 3 and grid.best_params["C"] in (0.01, 1.0, 100.0)
    assert grid.best_score == frame.loc[1, grid.metric] and grid.best_model.fitted
    drawn = shipml.search("logistic", credit, target="Status", distributions={"C": "loguniform:0.01:100"}, n_random=4,
                          cv=3, search_seed=5)
    assert len(drawn.to_frame()) == 4
    halving = shipml.search(shipml.Model("hist_gbdt", n_estimators=30), credit, target="Status",
                            grid={"max_leaves": [3, 7, 15, 31]}, halving=True, cv=3)
    assert halving.to_frame()["finished"].sum() >= 1
    with pytest.raises(shipml.UsageError, match="nothing to search"):
        shipml.search("logistic", credit, target="Status")


@pytest.mark.parametrize("method,model", [("permutation", "logistic"), ("rfe", "logistic"), ("kbest", None),
                                          ("sequential", "logistic"), ("rfecv", "logistic")])
def test_select_every_method(method, model, breast_cancer):
    kwargs = {"n_features": 3} if method in ("rfe", "sequential") else {}
    selection = shipml.select(breast_cancer.iloc[:, list(range(6)) + [-1]], target="diagnosis", method=method,
                              model=model, cv=3, **kwargs)
    frame = selection.to_frame()
    assert len(frame) == 6
    assert selection.selected and set(selection.selected) <= set(breast_cancer.columns)
    if method in ("rfe", "sequential"):
        assert len(selection.selected) == 3
    if method == "rfecv":
        assert selection.curve() is not None


def test_experiment_files_run(tmp_path):
    import os
    os.chdir(SOURCE)  # the example's data paths are relative to the repository
    outcome = shipml.run_experiment(os.path.join(SOURCE, "docs/examples/churn.yaml"), out=str(tmp_path / "exp"))
    assert os.path.exists(tmp_path / "exp" / "best.shipml") and outcome["report"]


def test_runs_are_recorded_exactly_as_the_command_line_records_them(store, tmp_path):
    frame = pd.read_csv(data_path("churn.csv"), float_precision="round_trip")
    shipml.Model("hist_gbdt", n_estimators=20).fit(frame, target="churn")
    cli("train", "--data", data_path("churn.csv"), "--target", "churn", "-e", "hist_gbdt", "--set", "n_estimators=20",
        "--out", tmp_path / "cli.shipml", "-q")
    newest, oldest = (shipml.run(r) for r in shipml.runs()["id"])
    for a, b in ((oldest, newest),):
        assert a["kind"] == b["kind"] == "train" and a["status"] == b["status"] == "finished"
        assert a["params"] == b["params"]
        assert a["info"]["data"]["fingerprint"] == b["info"]["data"]["fingerprint"]
        assert a["info"]["schema"] == b["info"]["schema"]
        assert set(a["metrics"]) == set(b["metrics"]) and set(a["artifacts"]) == set(b["artifacts"]) == {"model.shipml"}
        assert set(a["metric_steps"]) == set(b["metric_steps"])
    # The run's model is the fitted model, and the registry takes it.
    model = shipml.run_model(oldest["id"])
    version = shipml.registry.register("churn", run=oldest["id"])
    assert version["version"] == 1
    shipml.registry.promote("churn", 1, "production")
    served = shipml.load("models:/churn/production")
    np.testing.assert_array_equal(served.predict_proba(frame), model.predict_proba(frame))
    assert list(shipml.registry.versions("churn")["stage"]) == ["production"]
    scored = shipml.score("logistic", frame, target="churn")
    record = shipml.run(scored.run_id)
    assert record["kind"] == "score" and "predictions.csv" in record["artifacts"]
    assert shipml.runs(filter="metrics.roc_auc > 0.5")["id"].tolist() == [scored.run_id]
    with shipml.tracking(False):
        shipml.Model("logistic").fit(frame, target="churn")
    assert len(shipml.runs()) == 3
