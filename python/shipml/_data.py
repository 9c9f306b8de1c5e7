"""Data in: pandas DataFrames, 2-D NumPy arrays and CSV paths become the
library's frames, typed as shipml's CSV reader would type the same table, so a
model fitted in Python reads the CSV the command line is given the same way.

- numbers (int, uint, float, nullable Int64/Float64) are numeric, NaN and pd.NA
  missing; float64 columns are viewed in place, not copied;
- text, ``category``, bool (True/False) and datetime (ISO 8601, as pandas writes
  it to CSV) are categorical; object columns holding only numbers are numeric;
- text cells the CSV reader takes as missing (empty, NA, null, None, ...) are
  missing here too, as are None, NaN, NaT and pd.NA.
"""
from __future__ import annotations

import os
from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

from . import _core

_MISSING_TEXT = frozenset(_core.missing_tokens())
_NUMERIC_OBJECTS = frozenset({"integer", "floating", "mixed-integer-float", "decimal"})


def is_path(data: Any) -> bool:
    return isinstance(data, (str, os.PathLike))


def _categorical(name: str, codes: np.ndarray, dictionary: list) -> tuple:
    missing = [i for i, text in enumerate(dictionary) if text in _MISSING_TEXT]
    codes = np.asarray(codes, dtype=np.int64)
    if missing:
        codes = np.where(np.isin(codes, missing), -1, codes)
    return ("categorical", name, codes, dictionary)


def _factorized(name: str, series: pd.Series, text) -> tuple:
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return _categorical(name, codes, [text(u) for u in uniques])


def _datetime_text(value: pd.Timestamp) -> str:
    """A date as ISO 8601 text, decided by the value alone (so a row reads the
    same in any batch): the date at midnight, else date and time (and the UTC
    offset when it has a time zone), as pandas writes each to CSV."""
    if value.hour == value.minute == value.second == value.microsecond == value.nanosecond == 0 and value.tz is None:
        return value.strftime("%Y-%m-%d")
    return str(value)


def _datetime_texts(values) -> list:
    return [_datetime_text(pd.Timestamp(v)) for v in values]


def column(name: str, series: pd.Series) -> tuple:
    """One column, prepared for _core.frame_from_columns."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "fiu":  # the common case, first and fast
        values = series.to_numpy()
        return ("numeric", name, values if dtype == np.float64 else values.astype(np.float64))
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        texts = _datetime_texts(categories) if pd.api.types.is_datetime64_any_dtype(categories.dtype) else [str(c) for c in categories]
        return _categorical(name, series.cat.codes.to_numpy(), texts)
    if pd.api.types.is_bool_dtype(dtype):
        return _factorized(name, series, lambda v: str(bool(v)))
    if pd.api.types.is_datetime64_any_dtype(dtype):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return _categorical(name, codes, _datetime_texts(uniques))
    if pd.api.types.is_complex_dtype(dtype):
        raise _core.DataError(f"Complex data not supported (column '{name}')")
    if pd.api.types.is_numeric_dtype(dtype):
        if isinstance(dtype, np.dtype):
            values = series.to_numpy()
            return ("numeric", name, values if values.dtype == np.float64 else values.astype(np.float64))
        return ("numeric", name, series.to_numpy(dtype=np.float64, na_value=np.nan))
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind in _NUMERIC_OBJECTS:
        return ("numeric", name, pd.to_numeric(series).to_numpy(dtype=np.float64, na_value=np.nan))
    if kind == "empty":  # nothing but missing values
        return ("numeric", name, np.full(len(series), np.nan))
    if kind == "boolean":
        return _factorized(name, series, lambda v: str(bool(v)))
    if kind == "datetime":
        return _factorized(name, series, lambda v: _datetime_text(pd.Timestamp(v)))
    if kind in ("complex", "mixed") and any(isinstance(v, complex) for v in series.dropna()):
        raise _core.DataError(f"Complex data not supported (column '{name}')")
    for value in series.dropna():
        if not isinstance(value, (str, bytes, int, float, bool, np.generic, pd.Timestamp)):
            raise TypeError(
                f"column '{name}' holds a {type(value).__name__}: argument must be a string or a number")
        break
    return _text_column(name, series)


def _text_column(name: str, series: pd.Series) -> tuple:
    """Text (or text and numbers mixed), typed as the CSV reader types cells:
    numeric when every cell that is not missing reads as a number."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = [str(u) for u in uniques]
    present = [t for t in texts if t not in _MISSING_TEXT]
    numbers = _core.parse_numbers(present) if present else None
    if numbers is not None:
        lookup = dict(zip(present, numbers))
        table = np.array([lookup.get(t, np.nan) for t in texts] + [np.nan])  # the last: missing (-1)
        return ("numeric", name, table[codes])
    return _categorical(name, codes, texts)


def check_shape(array: np.ndarray) -> None:
    """A 2-D table with at least one row and column (scikit-learn's wording)."""
    if array.ndim != 2:
        raise _core.DataError(
            f"Expected 2D array, got {array.ndim}D array instead. Reshape your data with array.reshape(-1, 1) "
            "for a single feature or array.reshape(1, -1) for a single sample.")
    if array.shape[1] == 0:
        raise _core.DataError(f"0 feature(s) (shape={array.shape}) while a minimum of 1 is required.")
    if array.shape[0] == 0:
        raise _core.DataError(f"0 sample(s) (shape={array.shape}) while a minimum of 1 is required.")


def _default_names(count: int) -> list:
    return [f"x{j}" for j in range(count)]


def frame_of_dataframe(df: pd.DataFrame, keep: Optional[set] = None) -> _core.Frame:
    """The DataFrame's columns, or only those named in `keep` (what a model reads:
    other columns are not converted, so they may hold anything)."""
    seen = set()
    specs = []
    for label, series in df.items():
        name = str(label)
        if keep is not None and name not in keep:
            continue
        if name in seen:
            raise _core.DataError(f"duplicate column name '{name}'")
        seen.add(name)
        specs.append(column(name, series))
    return _core.frame_from_columns(specs)


def frame(data: Any, names: Optional[Sequence[str]] = None, csv: Optional[dict] = None) -> _core.Frame:
    """Features as a library frame. `names` names the columns of an array
    (default x0, x1, ...); `csv` holds read options for a path."""
    if isinstance(data, _core.Frame):
        return data
    if is_path(data):
        return _core.read_csv(os.fspath(data), **(csv or {}))
    if isinstance(data, pd.DataFrame):
        return frame_of_dataframe(data)
    if isinstance(data, pd.Series):
        raise _core.DataError("expected a table of features (a DataFrame or 2-D array), got a Series: "
                              "series.to_frame() for one feature")
    if hasattr(data, "toarray") and hasattr(data, "nnz"):
        raise TypeError("sparse matrices are not supported: pass X.toarray() or a DataFrame")
    array = np.asarray(data)
    check_shape(array)
    columns = list(names) if names is not None else _default_names(array.shape[1])
    if array.dtype.kind == "c":
        raise _core.DataError("Complex data not supported")
    if array.dtype.kind in "fiu":
        return _core.frame_from_matrix(array, columns)
    return frame_of_dataframe(pd.DataFrame(array, columns=columns))


def target_column(y: Any, name: str) -> _core.Frame:
    """A target given apart from the features, as a one-column frame."""
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise _core.DataError(f"the target must be one column, got {y.shape[1]}")
        y = y.iloc[:, 0]
    if not isinstance(y, pd.Series):
        array = np.asarray(y)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim != 1:
            raise _core.DataError(f"the target must be one-dimensional, got shape {array.shape}")
        y = pd.Series(array)
    return _core.frame_from_columns([column(name, y.reset_index(drop=True))])


def target_name(y: Any, features: _core.Frame, given: Optional[str]) -> str:
    """The name the model gives its target: `given`, else the Series' own name,
    else "target"; a name a feature has already (y = df.x > 0) is not taken."""
    taken = set(features.names)
    if given:
        if given in taken:
            raise _core.DataError(f"the target's name '{given}' is also the name of a feature column")
        return given
    name = str(y.name) if isinstance(y, pd.Series) and y.name is not None else "target"
    base, n = (name, 1) if name not in taken else ("target", 1)
    name = base
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def dataset(data: Any, y: Any = None, target: Optional[str] = None, names: Optional[Sequence[str]] = None,
            csv: Optional[dict] = None) -> tuple:
    """(frame with the target, the target's name, the data's source): what fitting and scoring take."""
    features = frame(data, names, csv)
    source = os.fspath(data) if is_path(data) else ""
    if y is None:
        if not target:
            raise _core.UsageError("give the target: y (values) or target= (the name of a column in the data)")
        return features, target, source
    name = target_name(y, features, target)
    labels = target_column(y, name)
    if labels.rows != features.rows:
        raise _core.DataError(f"the target has {labels.rows} rows, the features {features.rows}")
    return _core.with_column(features, labels, name), name, source


SPLIT_OPTIONS = """Splits keep rows apart by the data's columns: `group` (no group on both
sides), `time` (test rows later than training rows, less `gap`: rows, or a
span such as "7d") or `fold_column` (each value one fold's test rows);
`cv_repeats` draws the K folds several times.
`weight` names a column of row weights (numbers >= 0, scikit-learn's
sample_weight): every fit and every metric counts each row that many times."""


def documents_split_options(function):
    """Appends SPLIT_OPTIONS to a function's docstring, at its indentation
    (every function that takes the split's columns says the same)."""
    doc = function.__doc__ or ""
    lines = doc.splitlines()
    indent = next((line[:len(line) - len(line.lstrip())] for line in lines[1:] if line.strip()), "")
    function.__doc__ = doc.rstrip() + "\n" + "\n".join(indent + line for line in SPLIT_OPTIONS.splitlines())
    return function


def split_roles(group: Optional[str], time: Optional[str], gap: Any, fold_column: Optional[str],
                cv_repeats: Optional[int], weight: Optional[str] = None) -> dict:
    """The split's settings as the core reads them: the columns that keep
    groups whole, order rows in time or give the folds, and the column of row
    weights for fits and metrics (never features)."""
    return {"group": group, "time": time, "gap": None if gap is None else str(gap), "fold_column": fold_column,
            "cv_repeats": cv_repeats, "weight": weight}


def to_dataframe(f: _core.Frame) -> pd.DataFrame:
    """A library frame as a DataFrame: numbers as float64, categories as ``category``."""
    out = {}
    for spec in f.columns():
        if spec[0] == "numeric":
            out[spec[1]] = spec[2]
        else:
            out[spec[1]] = pd.Categorical.from_codes(spec[2], categories=spec[3]) if spec[3] else \
                pd.Categorical([None] * len(spec[2]))
    return pd.DataFrame(out)


def read(location: str, *, table: Optional[str] = None, query: Optional[str] = None,
         categorical: Sequence[str] = (), numeric: Sequence[str] = (), missing: Sequence[str] = ()) -> pd.DataFrame:
    """Every row of a source as a DataFrame, with the types every front door sees:
    a CSV file (plain, ``.gz``, ``.zst``), JSON lines, or a database
    (``sqlite:///path.db``, ``postgresql://user@host/db``) with `table` or `query`."""
    return to_dataframe(_core.read_csv(os.fspath(location), list(categorical), list(numeric), list(missing),
                                       table or "", query or ""))


def read_csv(path: str, categorical: Sequence[str] = (), numeric: Sequence[str] = (),
             missing: Sequence[str] = ()) -> pd.DataFrame:
    """A CSV file read by shipml's reader (the types every front door sees), as a DataFrame."""
    return to_dataframe(_core.read_csv(os.fspath(path), list(categorical), list(numeric), list(missing)))
