"""Calibration and decision thresholds from Python: shipml.Model(calibrate=...,
threshold=...), what it predicts, what its file gives the command line, that
pickling and cloning keep them, and the errors of what cannot be."""
import pickle

import numpy as np
import pandas as pd
import pytest

import shipml

from conftest import cli, data_path


def test_calibrated_thresholded_model_predicts_as_the_command_line(breast_cancer, tmp_path):
    model = shipml.Model("gaussian_nb", calibrate="isotonic", calibration_cv=4, threshold="tune:f1")
    assert model.calibration == {"method": "isotonic", "cv": 4}
    assert model.threshold == "tune:f1" and model.decision_threshold is None
    model.fit(breast_cancer, target="diagnosis")
    t = model.decision_threshold
    assert 0 < t < 1
    proba = model.predict_proba(breast_cancer)
    labels = model.predict(breast_cancer)
    np.testing.assert_array_equal(labels, np.where(proba[:, 1] >= t, "malignant", "benign"))
    path = tmp_path / "bc.shipml"
    model.save(path)
    out = pd.read_csv(pd.io.common.StringIO(cli("predict", "--proba", "--model", path, "--data",
                                               data_path("breast_cancer.csv")).stdout))
    np.testing.assert_array_equal(out["prediction"].to_numpy(), labels)
    np.testing.assert_array_equal(out["proba_malignant"].to_numpy(), proba[:, 1])
    assert shipml.inspect(path)["format_version"] == 3


def test_a_fixed_threshold_changes_labels_not_probabilities(breast_cancer):
    plain = shipml.Model("logistic").fit(breast_cancer, target="diagnosis")
    low = shipml.Model("logistic", threshold=0.1).fit(breast_cancer, target="diagnosis")
    np.testing.assert_array_equal(plain.predict_proba(breast_cancer), low.predict_proba(breast_cancer))
    assert (low.predict(breast_cancer) == "malignant").sum() > (plain.predict(breast_cancer) == "malignant").sum()
    assert low.threshold == 0.1 and low.decision_threshold == 0.1


def test_pickle_and_clone_keep_calibration_and_threshold(breast_cancer):
    model = shipml.Model("logistic", calibrate="sigmoid", threshold="tune:balanced_accuracy", threshold_cv=3, C=0.5)
    again = pickle.loads(pickle.dumps(model))
    assert again.calibration == model.calibration and again.threshold == "tune:balanced_accuracy"
    changed = model.clone(C=2)
    assert changed.params["C"] == 2 and changed.calibration == {"method": "sigmoid", "cv": 5}
    assert "calibrate sigmoid" in repr(model)
    fitted = pickle.loads(pickle.dumps(model.fit(breast_cancer, target="diagnosis")))
    assert fitted.decision_threshold == model.decision_threshold


def test_score_of_a_calibrated_model_keeps_both_probabilities(breast_cancer):
    result = shipml.score(shipml.Model("gaussian_nb", calibrate="sigmoid"), breast_cancer, target="diagnosis", cv=3)
    assert result.json()["params"]["calibrate"] == "sigmoid"
    held = result.predictions()
    assert {"proba:malignant", "uncalibrated:malignant"} <= set(held.columns)
    assert not np.allclose(held["proba:malignant"], held["uncalibrated:malignant"])
    raw = shipml.score("gaussian_nb", breast_cancer, target="diagnosis", cv=3)
    assert "uncalibrated:malignant" not in raw.predictions().columns
    assert result.metrics["log_loss"] < raw.metrics["log_loss"]  # naive Bayes is overconfident


def test_what_cannot_be_is_refused(breast_cancer):
    with pytest.raises(shipml.UsageError, match="does not depend on the threshold"):
        shipml.Model("logistic", threshold="tune:roc_auc")
    with pytest.raises(shipml.UsageError, match="unknown calibration method"):
        shipml.Model("logistic", calibrate="beta")
    iris = pd.read_csv(data_path("iris.csv"))
    with pytest.raises(shipml.UsageError, match="a decision threshold is for two classes"):
        shipml.Model("logistic", threshold=0.3).fit(iris, target="species")
