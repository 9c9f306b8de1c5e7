"""Model.raw_output and Model.contributions from Python: the engine's
explanations, shaped as shap and XGBoost shape them, checked against the sum
they must add up to, the command line's `shipml explain` on the same model and
rows, and the model's own probabilities. (XGBoost's pred_contribs is the
oracle of tests/explain, in C++.)"""
import io
import json

import numpy as np
import pandas as pd
import pytest

import shipml

from conftest import cli, counted_during

# (case, estimator, its settings, data fixture, target): every shape of output.
CASES = {
    "regressor": (lambda: shipml.Model("hist_gbdt", n_estimators=30), "diabetes", "progression"),
    "binary": (lambda: shipml.Model("hist_gbdt", n_estimators=30), "credit", "Status"),
    "multiclass": (lambda: shipml.Model("random_forest", n_estimators=20), "iris", "species"),
    "one_hot_pipeline": (lambda: shipml.Model("logistic", steps=[{"one_hot": {"columns": ["state"]}},
                                                                  "standard_scaler"]), "churn", "churn"),
}


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    """(name, fitted model, 60 of its rows without the target)."""
    make, fixture, target = CASES[request.param]
    df = request.getfixturevalue(fixture)
    rows = df.sample(60, random_state=1).drop(columns=target).reset_index(drop=True)
    return request.param, make().fit(df, target=target), rows


def test_contributions_add_up_to_the_raw_output(case):
    name, model, rows = case
    c = model.contributions(rows)
    classes = len(model.classes) if model.task == "classification" else 0
    outputs = classes if classes > 2 else 1
    assert c.columns == tuple(model.feature_names)  # the one-hot state is one column, "state"
    assert c.values.shape == ((60, outputs, len(c.columns)) if outputs > 1 else (60, len(c.columns)))
    assert np.shape(c.expected_value) == ((outputs,) if outputs > 1 else ())
    np.testing.assert_array_equal(c.raw_output, model.raw_output(rows))
    assert c.raw_output.shape == c.values.shape[:-1]
    np.testing.assert_allclose(c.values.sum(axis=-1) + c.expected_value, c.raw_output, rtol=0, atol=1e-9)
    assert c.exact and c.error_bound == 0 and not c.before_calibration
    assert np.abs(c.values).max() > 0  # something is explained
    if outputs > 1:
        assert c.outputs == tuple(model.classes)
    else:
        assert c.outputs == ((str(model.classes[1]),) if classes == 2 else ("",))
    with pytest.raises(ValueError, match="read-only"):
        c.values[0] = 0  # the result is a record


def test_the_values_are_shipml_explains(case, tmp_path):
    name, model, rows = case
    model.save(tmp_path / "m.shipml")
    rows.to_csv(tmp_path / "rows.csv", index=False)
    c = model.contributions(tmp_path / "rows.csv")  # a path reads as the command line reads it
    np.testing.assert_allclose(model.contributions(rows).values, c.values, rtol=0, atol=1e-12)
    told = json.loads(cli("explain", "--model", tmp_path / "m.shipml", "--data", tmp_path / "rows.csv",
                          "--json").stdout)
    assert (told["method"], told["exact"], tuple(told["columns"]), tuple(told["outputs"])) == \
        (c.method, c.exact, c.columns, c.outputs)
    np.testing.assert_array_equal(told["expected_value"], np.atleast_1d(c.expected_value))
    values = c.values.reshape(60, len(c.outputs), len(c.columns))
    for r in told["rows"]:
        i, o = r["row"] - 1, c.outputs.index(r["output"])
        assert [r["contributions"][col] for col in c.columns] == values[i, o].tolist()
        assert r["raw_output"] == np.reshape(c.raw_output, (60, -1))[i, o]
    assert len(told["rows"]) == 60 * len(c.outputs)


def test_to_frame_is_the_command_lines_table(case, tmp_path):
    name, model, rows = case
    model.save(tmp_path / "m.shipml")
    rows.to_csv(tmp_path / "rows.csv", index=False)
    table = model.contributions(tmp_path / "rows.csv").to_frame()
    printed = pd.read_csv(io.StringIO(cli("explain", "--model", tmp_path / "m.shipml", "--data",
                                          tmp_path / "rows.csv").stdout), keep_default_na=False)
    assert list(table.columns) == list(printed.columns)
    printed["row"] -= 1  # Python counts rows from 0, as iloc and the waterfall chart's row=
    pd.testing.assert_frame_equal(table, printed.astype({"output": object}), check_exact=False, rtol=1e-15)


def test_the_same_rows_as_a_dataframe_an_array_or_a_path_are_explained_alike(diabetes, tmp_path):
    model = shipml.Model("linear").fit(diabetes, target="progression")
    X = diabetes.drop(columns="progression").head(40)
    X.to_csv(tmp_path / "X.csv", index=False)
    from_frame = model.contributions(X[X.columns[::-1]].assign(extra="ignored"))  # found by name
    for other in (X.to_numpy(), X.to_numpy().tolist(), np.asfortranarray(X.to_numpy()), str(tmp_path / "X.csv")):
        np.testing.assert_allclose(model.contributions(other).values, from_frame.values, rtol=0, atol=1e-12)
    assert from_frame.method == "linear"


@pytest.mark.parametrize("estimator", ["hist_gbdt", "logistic"])
def test_a_binary_models_raw_output_is_the_log_odds_of_its_probability(estimator, credit):
    model = shipml.Model(estimator).fit(credit, target="Status")
    p = model.predict_proba(credit)
    raw = model.raw_output(credit)
    assert raw.shape == (len(credit),)
    np.testing.assert_allclose(raw, np.log(p[:, 1] / p[:, 0]), rtol=1e-9, atol=1e-9)


def test_a_multiclass_models_raw_output_is_its_softmax_scores(iris):
    model = shipml.Model("logistic").fit(iris, target="species")
    raw = model.raw_output(iris)
    assert raw.shape == (150, 3)
    softmax = np.exp(raw) / np.exp(raw).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softmax, model.predict_proba(iris), rtol=0, atol=1e-12)


def test_a_calibrated_model_explains_its_learner_before_calibration(credit):
    calibrated = shipml.Model("logistic", calibrate="sigmoid").fit(credit, target="Status")
    plain = shipml.Model("logistic").fit(credit, target="Status")
    c = calibrated.contributions(credit.head(50))
    assert c.before_calibration and "before calibration" in repr(c)
    np.testing.assert_array_equal(c.raw_output, plain.raw_output(credit.head(50)))
    np.testing.assert_array_equal(c.values, plain.contributions(credit.head(50)).values)


def test_knn_samples_its_values_within_a_bound_and_a_seed_repeats_them(iris, tmp_path):
    model = shipml.Model("knn").fit(iris, target="species")
    rows = iris.drop(columns="species").iloc[::5]
    c = model.contributions(rows, seed=7)
    assert c.method == "sampling" and not c.exact and c.error_bound > 0
    assert "sampled: each within" in repr(c)
    np.testing.assert_allclose(c.values.sum(axis=-1) + c.expected_value, c.raw_output, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(model.contributions(rows, seed=7).values, c.values)
    assert not np.array_equal(model.contributions(rows, seed=8).values, c.values)
    more = model.contributions(rows, seed=7, samples=2048)
    assert more.error_bound < c.error_bound / 2
    assert np.abs(more.values - c.values).max() <= more.error_bound + c.error_bound
    # The command line's --samples and --seed draw the same orders.
    model.save(tmp_path / "knn.shipml")
    rows.to_csv(tmp_path / "rows.csv", index=False)
    told = json.loads(cli("explain", "--model", tmp_path / "knn.shipml", "--data", tmp_path / "rows.csv", "--json",
                          "--samples", 2048, "--seed", 7).stdout)
    assert told["error_bound"] == more.error_bound
    first = told["rows"][0]
    assert [first["contributions"][col] for col in more.columns] == more.values[0, 0].tolist()


def test_the_gil_is_released_while_explaining(diabetes):
    # A Python thread keeps counting while knn samples its contributions on another.
    model = shipml.Model("knn").fit(diabetes, target="progression")
    took, ticks = counted_during(lambda: model.contributions(diabetes.head(40), samples=512))
    assert took > 0.1 and ticks >= 10


def test_mistakes_are_clear(credit, diabetes):
    with pytest.raises(shipml.ModelFileError,
                       match="hist_gbdt: cannot explain its predictions before the model is fitted"):
        shipml.Model("hist_gbdt").contributions(credit)
    with pytest.raises(shipml.ModelFileError, match="cannot give its raw output before the model is fitted"):
        shipml.Model("hist_gbdt").raw_output(credit)
    model = shipml.Model("linear").fit(diabetes, target="progression")
    with pytest.raises(shipml.DataError, match="bmi"):
        model.contributions(diabetes.drop(columns="bmi"))
    for samples in (1, 2.5, True, 2_000_000):
        with pytest.raises(shipml.UsageError, match="samples must be a whole number from 2 to 1000000"):
            model.contributions(diabetes, samples=samples)
    with pytest.raises(shipml.UsageError, match="seed must be a whole number >= 0"):
        model.contributions(diabetes, seed=-1)
    named_row = diabetes.rename(columns={"bmi": "row"})
    c = shipml.Model("linear").fit(named_row, target="progression").contributions(named_row.head(3))
    assert "row" in c.columns  # the values are there; only the table cannot hold them
    with pytest.raises(shipml.DataError,
                       match="input column 'row' has the name of a column of the contributions table"):
        c.to_frame()
