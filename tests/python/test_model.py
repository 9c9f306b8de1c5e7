"""shipml.Model: the contract (fit, predict, predict_proba, score, save, load,
inspect) from Python for every registered estimator and transformer, class
labels in the user's own type and order, and errors as Python exceptions
carrying the command line's message."""
import json
import os
import pickle

import numpy as np
import pandas as pd
import pytest

import shipml
from shipml import _core

from conftest import cli, data_path


def small(df, rows=400, seed=0):
    return df.sample(rows, random_state=seed).reset_index(drop=True)


@pytest.mark.parametrize("info", _core.estimators(), ids=lambda e: e["name"])
def test_every_estimator_fits_predicts_saves_and_loads(info, credit, diabetes, tmp_path):
    for task in info["tasks"]:
        df, target = (small(credit), "Status") if task == "classification" else (small(diabetes), "progression")
        model = shipml.Model(info["name"]).fit(df, target=target, task=task)
        assert model.fitted and model.task == task and model.estimator == info["name"]
        predicted = model.predict(df)
        assert len(predicted) == len(df)
        path = tmp_path / f"{info['name']}-{task}.shipml"
        model.save(path)
        loaded = shipml.load(path)
        np.testing.assert_array_equal(loaded.predict(df), predicted)
        if task == "classification":
            assert set(predicted) <= {"good", "bad"}
            proba = model.predict_proba(df)
            assert proba.shape == (len(df), 2)
            np.testing.assert_allclose(proba.sum(axis=1), 1.0)
            np.testing.assert_array_equal(loaded.predict_proba(df), proba)
        else:
            assert predicted.dtype == np.float64
        assert model.inspect()["estimator"]["name"] == info["name"]


@pytest.mark.parametrize("info", _core.transformers(), ids=lambda t: t["name"])
def test_every_transformer_runs_as_a_step(info, credit):
    step = {info["name"]: {}}
    needs = {"date_parts": None, "drop_columns": ["Debt"], "select_columns": ["Income", "Home", "Age"],
             "target_encoder": ["Home", "Job"], "one_hot": ["Home"], "binning": ["Income"]}
    if info["name"] == "date_parts":
        df = small(credit).assign(when=pd.date_range("2020-01-01", periods=400, freq="D"))
        step = {"date_parts": {"columns": ["when"]}}
    else:
        df = small(credit)
        if needs.get(info["name"]):
            step[info["name"]]["columns"] = needs[info["name"]]
    estimator = "hist_gbdt" if info["name"] == "date_parts" else "logistic"
    model = shipml.Model(estimator, steps=["imputer", step] if info["applies_to"] == "numeric" else [step])
    model.fit(df, target="Status")
    assert [s["transformer"] for s in model.steps][-1] == info["name"]
    assert model.predict(df).shape == (len(df),)


@pytest.mark.parametrize("labels", [
    np.array([3, 1, 2]), np.array([2.5, -1.0, 10.0]), np.array([True, False, True]),
    np.array(["yes", "no", "maybe"]), pd.Categorical(["b", "a", "c"])], ids=["int", "float", "bool", "str", "category"])
def test_labels_come_back_in_their_own_type_and_sorted_order(labels, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = np.asarray(labels)[rng.integers(0, 3 if len(set(np.asarray(labels).tolist())) == 3 else 2, 300)]
    X[:, 0] += pd.Series(y).astype(str).map({str(v): i for i, v in enumerate(sorted(set(y.tolist())))}).to_numpy()
    model = shipml.Model("logistic").fit(X, y, task="classification")  # 2.5, -1, 10 would read as regression
    expected = np.unique(y)
    np.testing.assert_array_equal(model.classes, expected)
    kind = {"O": "U"}.get(expected.dtype.kind, expected.dtype.kind)  # text, as str or object
    assert model.classes.dtype.kind == kind
    predicted = model.predict(X)
    assert predicted.dtype.kind == kind and set(predicted.tolist()) <= set(expected.tolist())
    model.save(tmp_path / "m.shipml")  # and in any process that loads the file
    np.testing.assert_array_equal(shipml.load(tmp_path / "m.shipml").predict(X), predicted)


def test_a_model_trained_by_the_command_line_gives_numbers_for_a_numeric_target(tmp_path):
    cli("train", "--data", data_path("penguins.csv"), "--target", "species", "-e", "logistic", "--out", tmp_path / "p.shipml", "-q")
    assert shipml.load(tmp_path / "p.shipml").classes.tolist() == ["Adelie", "Chinstrap", "Gentoo"]
    df = pd.DataFrame({"x": np.arange(200.0), "y": np.arange(200) % 2})
    df.to_csv(tmp_path / "n.csv", index=False)
    cli("train", "--data", tmp_path / "n.csv", "--target", "y", "-e", "decision_tree", "--out", tmp_path / "n.shipml", "-q")
    model = shipml.load(tmp_path / "n.shipml")
    assert model.classes.tolist() == [0, 1] and model.classes.dtype.kind == "i"
    np.testing.assert_array_equal(model.predict(df[["x"]]), df["y"].to_numpy())


def test_every_way_to_a_model_gives_the_same_label_types(churn, store):
    X, y = churn.drop(columns="churn"), churn["churn"] == "yes"
    fitted = shipml.Model("logistic").fit(X, y)
    board = shipml.compare(["logistic", "decision_tree"], X, y, cv=3, refit=True)
    found = shipml.search("logistic", X, y, grid={"C": [0.1, 1.0]}, cv=3)
    train_run = shipml.runs(filter="kind = train")["id"].iloc[-1]
    shipml.registry.register("churn", run=train_run)
    for model in (fitted, board.best_model, found.best_model, shipml.run_model(train_run),
                  shipml.load("models:/churn/1")):
        assert model.classes.tolist() == [False, True] and model.classes.dtype == bool
        assert model.predict(X.head(2)).dtype == bool


def test_columns_the_model_does_not_read_may_hold_anything(credit):
    import uuid
    model = shipml.Model("logistic").fit(credit, target="Status")
    rows = credit.head(3).assign(id=[uuid.uuid4() for _ in range(3)], blob=[{"a": 1}] * 3, z=[1j] * 3)
    rows.insert(0, "note", ["a", "b", "c"])
    rows = pd.concat([rows, rows[["note"]]], axis=1)  # a duplicated name, unread
    np.testing.assert_array_equal(model.predict_proba(rows), model.predict_proba(credit.head(3)))


def test_params_steps_clone_and_spec_files(credit):
    model = shipml.Model("hist_gbdt", learning_rate=0.05, early_stopping=False)
    assert model.params["learning_rate"] == 0.05 and model.params["max_leaves"] == 31
    assert model.params["early_stopping"] == "false"  # a choice: auto, true or false
    other = model.clone(max_leaves=7)
    assert other.params["max_leaves"] == 7 and other.params["learning_rate"] == 0.05 and not other.fitted
    piped = shipml.Model("logistic", steps=["standard_scaler", {"one_hot": {"columns": ["Home"], "unseen": "error"}}],
                         C=0.5, **{"one_hot.max_categories": 5})
    assert piped.params["one_hot.max_categories"] == "5" and piped.params["C"] == 0.5
    assert [s["name"] for s in piped.steps] == ["standard_scaler", "one_hot"]
    spec = shipml.Model.from_spec(os.path.join(os.environ.get("SHIPML_SOURCE_DIR", "."),
                                               "docs/examples/pipelines/credit.yaml"), C=2)
    assert spec.params["C"] == 2.0 and spec.steps
    spec.fit(credit, target="Status")
    assert "learned" in spec.inspect()


def test_errors_are_python_exceptions_with_the_command_lines_message(credit, tmp_path):
    with pytest.raises(ValueError) as error:
        shipml.Model("hist_gbdt", learning_rate=-1)
    assert isinstance(error.value, shipml.UsageError)
    assert "learning_rate" in str(error.value) and "-1" in str(error.value)
    with pytest.raises(shipml.UsageError, match="unknown estimator 'nope'"):
        shipml.Model("nope")
    with pytest.raises(shipml.UsageError, match="max_leafs"):
        shipml.Model("hist_gbdt", max_leafs=3)
    with pytest.raises(FileNotFoundError.__mro__[1]) as missing:  # OSError
        shipml.load(tmp_path / "none.shipml")
    assert missing.value.errno == 2 and str(missing.value).endswith("none.shipml: cannot open: No such file or directory")
    (tmp_path / "bad.shipml").write_bytes(b"not a model")
    with pytest.raises(shipml.ModelFileError, match="not a shipml model file"):
        shipml.load(tmp_path / "bad.shipml")
    with pytest.raises(shipml.ModelFileError, match="before the model is fitted"):
        shipml.Model("logistic").predict(credit)
    with pytest.raises(shipml.DataError, match="one class in the training rows"):
        shipml.Model("logistic").fit(credit.head(3).assign(Status="good"), target="Status")
    with pytest.raises(shipml.UsageError, match="give the target"):
        shipml.Model("logistic").fit(credit)
    # The command line prints the same line.
    assert cli("inspect", tmp_path / "bad.shipml", check=False).stderr.strip().endswith(
        f"{tmp_path / 'bad.shipml'}: not a shipml model file (no shipml magic bytes at the start)")


def test_fit_from_a_path_records_the_source_and_numpy_rows_predict(tmp_path, store):
    model = shipml.Model("hist_gbdt", n_estimators=30).fit(data_path("credit_data.csv"), target="Status")
    assert model.metadata["training"]["source"] == data_path("credit_data.csv")
    credit = pd.read_csv(data_path("credit_data.csv"))
    numeric = shipml.Model("hist_gbdt", n_estimators=30).fit(credit.drop(columns="Status").select_dtypes("number").to_numpy(),
                                                             credit["Status"])
    assert numeric.feature_names[:2] == ["x0", "x1"]
    one_row = credit.drop(columns="Status").select_dtypes("number").to_numpy()[:1]
    assert numeric.predict(one_row).shape == (1,)
    with pytest.raises(shipml.DataError, match="X has 3 features, but the model is expecting 9"):
        numeric.predict(one_row[:, :3])


def test_pickling_keeps_the_model_file_and_an_unfitted_model_its_parameters(credit):
    fitted = shipml.Model("random_forest", n_estimators=10).fit(credit, target="Status")
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict_proba(credit), fitted.predict_proba(credit))
    unfitted = pickle.loads(pickle.dumps(shipml.Model("logistic", steps=["standard_scaler"], C=3)))
    assert not unfitted.fitted and unfitted.params["C"] == 3.0 and unfitted.steps[0]["transformer"] == "standard_scaler"


def test_the_same_model_is_the_same_bytes(churn):
    """Two fits of the same data write the same model body (docs/model-format.md section 1):
    no leftover memory reaches a file (0.1 wrote tree nodes' padding from it)."""
    import struct

    def body(model):
        data = model._model.to_bytes()
        header = struct.unpack("<Q", data[12:20])[0]
        size = struct.unpack("<Q", data[20 + header:28 + header])[0]
        return data[28 + header:28 + header + size]
    for estimator in ("hist_gbdt", "random_forest", "extra_trees", "xgboost"):
        a, b = (shipml.Model(estimator, n_estimators=5).fit(churn, target="churn") for _ in range(2))
        assert body(a) == body(b), estimator


def test_inspect_and_trees_say_what_was_learned(credit, tmp_path):
    model = shipml.Model("random_forest", n_estimators=3, max_depth=2).fit(credit, target="Status")
    trees = model.trees()
    assert len(trees) == 3 and "left" in trees[0]
    path = tmp_path / "t.shipml"
    model.save(path)
    from_file = shipml.inspect(path)
    assert from_file["estimator"]["params"]["max_depth"] == "2" and from_file["format_version"] == 1
    assert from_file["learned"] == model.inspect()["learned"]
    with pytest.raises(shipml.UsageError, match="has no trees"):
        shipml.Model("logistic").fit(credit, target="Status").trees()
    schema = model.schema
    assert list(schema["name"]) == model.feature_names
    assert schema.set_index("name").loc["Home", "type"] == "categorical"


def test_save_keeps_a_file_that_is_not_a_model_unless_forced(credit, tmp_path):
    notes = tmp_path / "notes.csv"
    notes.write_text("my,data\n1,2\n")
    model = shipml.Model("logistic").fit(credit.head(300), target="Status")
    with pytest.raises(shipml.UsageError, match="is not a shipml model file"):
        model.save(notes)
    assert notes.read_text() == "my,data\n1,2\n"
    model.save(notes, force=True)
    assert shipml.load(notes).predict(credit.head(5)).tolist() == model.predict(credit.head(5)).tolist()


def test_infinite_numbers_in_a_data_frame_are_refused_by_column_and_row(credit):
    data = credit.head(300).copy()
    data.loc[data.index[6], "Income"] = float("inf")
    with pytest.raises(shipml.DataError, match=r"column 'Income', row 7: inf is not a finite number"):
        shipml.Model("logistic").fit(data, target="Status")
    model = shipml.Model("hist_gbdt", n_estimators=10).fit(credit.head(300), target="Status")
    with pytest.raises(shipml.DataError, match=r"column 'Income', row 7: inf is not a finite number"):
        model.predict(data)


def test_drift_flags_the_shifted_column_as_the_command_line_does(credit, tmp_path):
    model = shipml.Model("hist_gbdt", n_estimators=20).fit(credit, target="Status")
    same = model.drift(credit)
    assert same["flagged"] == [] and same["prediction"]["psi"] < 0.01
    shifted = credit.copy()
    shifted["Income"] = shifted["Income"] * 3 + 100
    report = model.drift(shifted)
    assert report["flagged"] == ["Income"]
    table = pd.DataFrame(report["columns"]).set_index("name")
    assert table.loc["Income", "psi"] >= 0.2 and table.loc["Income", "test"] == "ks"
    # The command line on the same rows and the same model file says the same.
    model.save(tmp_path / "credit.shipml")
    shifted.to_csv(tmp_path / "shifted.csv", index=False)
    out = cli("drift", "--model", tmp_path / "credit.shipml", "--data", tmp_path / "shifted.csv", "--json").stdout
    assert json.loads(out)["columns"] == report["columns"]
    with pytest.raises(shipml.UsageError, match="threshold"):
        model.drift(credit, threshold=0)
