"""shipml.sklearn: scikit-learn's own estimator checks on every generated class,
the classes inside Pipeline, GridSearchCV, cross_val_score and clone, and a
GridSearchCV that agrees with `shipml search` on the same folds."""
import inspect
import os
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_classifiers_classes, parametrize_with_checks

import shipml
import shipml.sklearn as sk
from shipml import _core, _params, _stubs

from conftest import SOURCE, data_path

ALL = [getattr(sk, name)() for name in sk.ESTIMATORS]


@parametrize_with_checks(ALL)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def test_one_class_per_registered_estimator_and_task():
    expected = {_params.class_name(e["name"], t) for e in _core.estimators() for t in e["tasks"]}
    assert set(sk.ESTIMATORS) == expected
    assert {"HistGBDTClassifier", "HistGBDTRegressor", "LogisticClassifier", "XGBoostRegressor"} <= expected


@pytest.mark.parametrize("info", _core.estimators(), ids=lambda e: e["name"])
def test_signatures_and_docstrings_come_from_the_cpp_declaration(info):
    for task in info["tasks"]:
        cls = getattr(sk, _params.class_name(info["name"], task))
        parameters = list(inspect.signature(cls).parameters.values())
        assert [p.name for p in parameters] == [p["name"] for p in info["params"]]
        for p, spec in zip(parameters, info["params"]):
            assert p.default == _params.typed(spec, spec["default"]) and type(p.default) is _params.PYTHON_TYPES[spec["type"]]
            assert f"{spec['name']} : " in cls.__doc__ and spec["allowed"] in cls.__doc__
        assert cls().get_params() == {p.name: p.default for p in parameters}


def test_type_stubs_are_generated_with_the_module():
    stub = os.path.join(os.path.dirname(sk.__file__), "sklearn.pyi")
    with open(stub) as f:
        assert f.read() == _stubs.stubs()
    assert "def __init__(self, *, loss: str = 'auto', learning_rate: float = 0.1," in _stubs.stubs()


def test_the_documented_skips_are_the_skips():
    """docs/python.md lists every check skipped, with its reason, as XFAIL_CHECKS does."""
    with open(os.path.join(SOURCE, "docs", "python.md")) as f:
        doc = f.read()
    table = re.findall(r"^\| `(\w+)` \| (\w+|every class) \| (.+) \|$", doc, re.M)
    documented = {(check, who if who != "every class" else "*"): reason for check, who, reason in table}
    expected = {(check, who): reason for who, checks in sk.XFAIL_CHECKS.items() for check, reason in checks.items()}
    assert documented == expected


def test_hist_gbdt_passes_the_skipped_classes_check_once_leaves_may_be_smaller():
    # The reason given for skipping check_classifiers_classes, shown true.
    check_classifiers_classes("HistGBDTClassifier", sk.HistGBDTClassifier(min_samples_leaf=5))
    with pytest.raises(AssertionError):
        check_classifiers_classes("HistGBDTClassifier", sk.HistGBDTClassifier())


def test_works_in_pipelines_cross_validation_and_clone(breast_cancer):
    X, y = breast_cancer.drop(columns="diagnosis"), breast_cancer["diagnosis"]
    pipe = make_pipeline(StandardScaler(), sk.LogisticClassifier(C=0.5))
    scores = cross_val_score(pipe, X, y, cv=3, scoring="roc_auc")
    assert scores.shape == (3,) and (scores > 0.95).all()
    forest = sk.RandomForestClassifier(n_estimators=20, seed=3)
    copy = clone(forest)
    assert copy.get_params() == forest.get_params() and copy is not forest
    copy.set_params(n_estimators=5)
    assert copy.n_estimators == 5 and forest.n_estimators == 20
    fitted = forest.fit(X, y)
    assert list(fitted.feature_names_in_) == list(X.columns) and fitted.n_features_in_ == X.shape[1]
    assert fitted.model_.estimator == "random_forest" and fitted.score(X, y) > 0.95


def test_categorical_dataframes_and_pipeline_specs(churn, credit):
    X, y = churn.drop(columns="churn"), churn["churn"]
    generic = sk.ShipmlClassifier("logistic", steps=[{"one_hot": {"columns": ["state"]}}, "standard_scaler"],
                                  params={"C": 0.5})
    assert cross_val_score(generic, X, y, cv=3, scoring="roc_auc").mean() > 0.75
    spec = sk.ShipmlClassifier(spec=os.path.join(SOURCE, "docs/examples/pipelines/credit.yaml"))
    spec.fit(credit.drop(columns="Status"), credit["Status"])
    assert spec.model_.steps and spec.predict_proba(credit.drop(columns="Status")).shape == (len(credit), 2)
    regressor = sk.ShipmlRegressor("hist_gbdt", params={"n_estimators": 30})
    diabetes = pd.read_csv(data_path("diabetes.csv"))
    assert regressor.fit(diabetes.drop(columns="progression"), diabetes["progression"]).score(
        diabetes.drop(columns="progression"), diabetes["progression"]) > 0.5
    with pytest.raises(ValueError, match="name an estimator"):
        sk.ShipmlClassifier().fit(X, y)


def test_fit_on_arrays_predict_on_frames_by_position_and_grids_over_params(breast_cancer):
    X, y = breast_cancer.drop(columns="diagnosis"), breast_cancer["diagnosis"]
    fitted = sk.LogisticClassifier().fit(X.to_numpy(), y)
    with pytest.warns(UserWarning, match="X has feature names"):
        by_frame = fitted.predict_proba(X)
    np.testing.assert_array_equal(by_frame, fitted.predict_proba(X.to_numpy()))
    generic = GridSearchCV(sk.ShipmlClassifier("logistic", params={"max_iter": 500}), {"params__C": [0.01, 1.0]}, cv=3)
    generic.fit(X, y)
    assert generic.best_params_["params__C"] in (0.01, 1.0)
    assert generic.best_estimator_.params == {"max_iter": 500, "C": generic.best_params_["params__C"]}


def test_grid_search_agrees_with_shipml_search_on_the_same_folds(credit):
    X = credit.drop(columns="Status")
    y = credit["Status"]
    grid = {"max_leaves": [7, 31], "learning_rate": [0.05, 0.2]}
    folds = shipml.folds(credit, target="Status", cv=4, seed=7)
    ours = shipml.search(shipml.Model("hist_gbdt", n_estimators=40), credit, target="Status", grid=grid, cv=4,
                         seed=7, metrics=["roc_auc"])
    theirs = GridSearchCV(sk.HistGBDTClassifier(n_estimators=40), grid, cv=folds, scoring="roc_auc").fit(X, y)
    table = ours.to_frame()
    for params, mean in zip(theirs.cv_results_["params"], theirs.cv_results_["mean_test_score"]):
        row = table[(table["param.max_leaves"] == params["max_leaves"]) &
                    (table["param.learning_rate"] == params["learning_rate"])]
        assert row["roc_auc"].item() == pytest.approx(mean, abs=1e-12), params
    assert theirs.best_params_ == ours.best_params
    np.testing.assert_array_equal(theirs.best_estimator_.predict_proba(X), ours.best_model.predict_proba(X))


def test_direct_fits_are_recorded_and_the_folds_of_a_search_are_not(breast_cancer, store):
    X, y = breast_cancer.drop(columns="diagnosis"), breast_cancer["diagnosis"]
    sk.LogisticClassifier().fit(X, y)
    assert len(shipml.runs()) == 1
    GridSearchCV(sk.LogisticClassifier(), {"C": [0.1, 1.0]}, cv=3).fit(X, y)
    cross_val_score(sk.LogisticClassifier(), X, y, cv=3)
    runs = shipml.runs()
    assert len(runs) == 1 and runs.loc[0, "kind"] == "train"
