"""Data in and out: every pandas dtype, NumPy arrays and paths become the same
typed columns shipml's CSV reader makes of the same table; missing values,
unseen categories and wrong columns get errors that name the column and row."""
import gc
import io
import os

import numpy as np
import pandas as pd
import psutil
import pytest

import shipml
from shipml import _core, _data

from conftest import data_path


def columns(frame):
    """name -> (kind, values or (codes, categories)) of a library frame."""
    return {c[1]: (c[0], c[2].tolist() if c[0] == "numeric" else ([int(x) for x in c[2]], list(c[3])))
            for c in frame.columns()}


def test_every_pandas_dtype_is_typed_as_the_csv_reader_types_it(tmp_path):
    df = pd.DataFrame({
        "f": [1.5, np.nan, -2.0, 4.0],
        "i": np.array([1, 2, 3, 4], dtype=np.int32),
        "u": np.array([7, 8, 9, 10], dtype=np.uint16),
        "b": [True, False, True, True],
        "text": ["b", None, "a", "b"],
        "cat": pd.Categorical(["x", "y", None, "x"], categories=["y", "x"]),
        "Int": pd.array([1, None, 3, 4], dtype="Int64"),
        "boolean": pd.array([True, None, False, True], dtype="boolean"),
        "when": pd.to_datetime(["2024-01-05", None, "2023-12-31", "2024-01-05"]),
        "stamp": pd.to_datetime(["2024-01-05 10:30", "2024-01-05 00:00", None, "2023-01-01 08:00"]),
        "numbers_as_objects": pd.Series([1, 2.5, None, 4], dtype=object),
        "numbers_and_na_text": pd.Series([1, 2, "NA", ""], dtype=object),
        "numbers_as_text": ["1", "2.5", None, " 7"],
        "na_text": ["NA", "", "z", pd.NA],
        "string": pd.array(["p", "q", None, "p"], dtype="string"),
    })
    got = columns(_data.frame(df))
    path = tmp_path / "table.csv"
    df.to_csv(path, index=False)
    expected = columns(_core.read_csv(str(path), ["cat", "string"], [], []))
    for name in df.columns.drop("stamp"):
        kind, values = got[name]
        want_kind, want = expected[name]
        assert kind == want_kind, name
        if kind == "numeric":
            np.testing.assert_array_equal(values, want, err_msg=name)
        else:  # the same categories and the same cells, whatever the dictionary's order
            texts = [values[1][c] if c >= 0 else None for c in values[0]]
            want_texts = [want[1][c] if c >= 0 else None for c in want[0]]
            assert texts == want_texts, name
            assert values[1] == sorted(values[1]), name
    assert got["b"][1][1] == ["False", "True"]
    assert got["when"][1][1] == ["2023-12-31", "2024-01-05"]
    # A time is written by its own value, whatever the rest of the column holds (pandas writes
    # "2024-01-05 00:00:00" in a column with times): a row reads the same in any batch.
    stamp = got["stamp"][1]
    assert [stamp[1][c] if c >= 0 else None for c in stamp[0]] == \
        ["2024-01-05 10:30:00", "2024-01-05", None, "2023-01-01 08:00:00"]
    alone = columns(_data.frame(df[["stamp"]].iloc[[1]]))["stamp"][1]
    assert alone[1] == ["2024-01-05"]
    assert got["na_text"][1] == ([-1, -1, 0, -1], ["z"])  # "NA" and "" are missing and no category, as in a CSV
    assert got["numbers_as_text"][0] == got["numbers_and_na_text"][0] == "numeric"


def test_float64_columns_and_column_major_arrays_are_not_copied():
    process = psutil.Process()
    rows = 2_000_000
    df = pd.DataFrame({f"c{j}": np.random.default_rng(j).random(rows) for j in range(8)})  # 128 MB
    fortran = np.asfortranarray(df.to_numpy())
    gc.collect()
    before = process.memory_info().rss
    frames = [_data.frame(df), _data.frame(fortran)]
    grown = process.memory_info().rss - before
    assert frames[0].rows == rows and frames[1].cols == 8
    assert grown < 8 * 2**20, f"converting 2 x 128 MB of float64 columns grew memory by {grown / 2**20:.0f} MB"
    # A row-major array must be copied (once), and the copy is what the frame holds.
    before = process.memory_info().rss
    copied = _data.frame(np.ascontiguousarray(fortran))
    assert process.memory_info().rss - before > 100 * 2**20
    del copied, frames


def test_arrays_of_every_numeric_dtype_and_objects():
    for dtype in (np.float64, np.float32, np.int64, np.int32, np.uint8):
        frame = _data.frame(np.array([[1, 0], [3, 1]], dtype=dtype), ["a", "b"])
        assert columns(frame)["a"] == ("numeric", [1.0, 3.0])
    # bool, as in a DataFrame (and in the CSV pandas writes): True and False categories.
    assert columns(_data.frame(np.array([[True], [False]])))["x0"] == ("categorical", ([1, 0], ["False", "True"]))
    mixed = np.array([["x", 1.5], ["y", None]], dtype=object)
    got = columns(_data.frame(mixed))
    assert got["x0"] == ("categorical", ([0, 1], ["x", "y"]))
    assert got["x1"][0] == "numeric" and np.isnan(got["x1"][1][1])


def test_shapes_and_types_that_cannot_be_features_are_clear_errors():
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        _data.frame(np.zeros(3))
    with pytest.raises(ValueError, match=r"0 feature\(s\) \(shape=\(4, 0\)\)"):
        _data.frame(np.zeros((4, 0)))
    with pytest.raises(ValueError, match="Complex data not supported"):
        _data.frame(np.zeros((2, 2), dtype=complex))
    with pytest.raises(TypeError, match="argument must be a string or a number"):
        _data.frame(pd.DataFrame({"a": [{"x": 1}, "b"]}))
    with pytest.raises(ValueError, match="got a Series"):
        _data.frame(pd.Series([1, 2]))


def test_read_csv_gives_the_types_every_front_door_sees():
    df = shipml.read_csv(data_path("credit_data.csv"), categorical=["Seniority"])
    assert df["Home"].dtype == "category" and df["Seniority"].dtype == "category"
    assert df["Income"].dtype == np.float64
    assert df["Income"].isna().sum() == pd.read_csv(data_path("credit_data.csv"))["Income"].isna().sum()
    with pytest.raises(OSError) as error:
        shipml.read_csv("/nonexistent/data.csv")
    assert isinstance(error.value, shipml.FileError) and error.value.errno == 2
    assert str(error.value) == "/nonexistent/data.csv: cannot open: No such file or directory"


def test_malformed_csv_names_the_line():
    bad = os.path.join(os.path.dirname(__file__), "bad.csv")
    try:
        with open(bad, "w") as f:
            f.write("a,b\n1,2\n3\n")
        with pytest.raises(shipml.DataError, match=r"bad.csv:3: expected 2 fields"):
            shipml.read_csv(bad)
    finally:
        os.unlink(bad)


def test_wrong_columns_and_values_name_the_column_and_row(credit):
    model = shipml.Model("logistic", steps=[{"one_hot": {"columns": ["Home"], "unseen": "error"}}])
    model.fit(credit, target="Status")
    with pytest.raises(shipml.DataError, match="missing column 'Income'"):
        model.predict(credit.drop(columns=["Income"]))
    wrong = credit.head(3).copy()
    wrong["Income"] = ["12", "many", "3"]
    with pytest.raises(ValueError, match=r"column 'Income'.*row 2.*many"):
        model.predict(wrong)
    unseen = credit.head(3).copy()
    unseen["Home"] = ["rent", "castle", "rent"]
    with pytest.raises(ValueError, match=r"'Home'.*row 2.*castle"):
        model.predict(unseen)
    # Extra columns and another order are fine: columns are found by name.
    shuffled = credit.head(5)[list(reversed(credit.columns))].assign(extra=1)
    np.testing.assert_array_equal(model.predict(shuffled), model.predict(credit.head(5)))


def test_unseen_categories_are_missing_unless_refused_and_missing_values_predict(credit):
    model = shipml.Model("hist_gbdt", n_estimators=20).fit(credit, target="Status")
    rows = credit.head(4).copy()
    rows.loc[0, "Home"] = "castle"           # unseen: treated as missing
    rows.loc[1, ["Income", "Job"]] = np.nan  # missing values
    missing = rows.copy()
    missing.loc[0, "Home"] = np.nan
    np.testing.assert_array_equal(model.predict_proba(rows), model.predict_proba(missing))
    assert np.isfinite(model.predict_proba(rows)).all()
