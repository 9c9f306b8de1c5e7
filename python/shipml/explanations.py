"""Contributions: why a model predicted what it did, per row and input column
(SHAP values), as ``Model.contributions`` gives them (docs/explain.md).

Shapes follow shap's and XGBoost's: with one output (a regressor, a binary
classifier) `values` is rows x columns, `expected_value` a number and
`raw_output` one value per row; with more classes `values` is rows x classes
x columns and the others have one entry per class. Either way

    values.sum(axis=-1) + expected_value == raw_output     (to rounding)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple, Union

import numpy as np
import pandas as pd

from . import _core

# The long table's own columns, which an input column must not be named.
_TABLE_COLUMNS = ("row", "output", "expected_value", "raw_output")


@dataclass(frozen=True, eq=False, repr=False)
class Contributions:
    """Each row's raw output split into one contribution per input column.

    - `values`: rows x columns, or rows x outputs x columns with more than two classes;
    - `expected_value`: what the contributions start from (one per output);
    - `raw_output`: what they add up to, ``Model.raw_output`` of the rows
      (log-odds, softmax scores, probabilities or values: docs/explain.md);
    - `columns`: the model's input columns, in schema order (one-hot columns,
      missing indicators and a pipeline's columns are summed into their column);
    - `outputs`: what is explained: the classes with more than two; a binary
      classifier's second class (``(model.classes[1],)``); ``("",)`` for a regressor;
    - `method`: "tree_shap", "linear", "xgboost" or "sampling"; `exact`: False
      when sampled (knn, gaussian_nb), then each value is within `error_bound`
      (99%) of the exact one, and each row's sum is exact all the same;
    - `before_calibration`: a calibrated model's learner is explained, before
      its calibration (which does not add up over columns).

    The arrays are read-only: the result is a record of what was explained.
    """

    values: np.ndarray
    expected_value: Union[float, np.ndarray]
    raw_output: np.ndarray
    columns: Tuple[str, ...]
    outputs: Tuple[str, ...]
    method: str
    exact: bool
    error_bound: float
    before_calibration: bool

    @classmethod
    def _from_core(cls, found: dict) -> "Contributions":
        single = len(found["outputs"]) == 1
        # One rows x columns array per output from the library; stacked on axis 1, as XGBoost's pred_contribs.
        values = found["values"][0] if single else np.stack(found["values"], axis=1)
        raw = found["raw_output"][:, 0] if single else found["raw_output"]
        expected = float(found["expected"][0]) if single else np.array(found["expected"])
        for array in (values, raw, expected):
            if isinstance(array, np.ndarray):
                array.setflags(write=False)
        return cls(values=values, expected_value=expected, raw_output=raw, columns=tuple(found["columns"]),
                   outputs=tuple(found["outputs"]), method=found["method"], exact=bool(found["exact"]),
                   error_bound=float(found["error_bound"]), before_calibration=bool(found["before_calibration"]))

    @property
    def rows(self) -> int:
        return self.values.shape[0]

    def to_frame(self) -> pd.DataFrame:
        """The long table ``shipml explain`` writes, one row per data row and
        output: `row` (counting from 0, as ``iloc`` and the waterfall chart's
        `row`), `output`, one column per input column, `expected_value` and
        `raw_output`."""
        clash = [c for c in self.columns if c in _TABLE_COLUMNS]
        if clash:
            raise _core.DataError(f"input column '{clash[0]}' has the name of a column of the contributions table "
                                  f"({', '.join(_TABLE_COLUMNS)}); rename it to see the contributions as a table")
        outputs = len(self.outputs)
        # Data rows outer, outputs inner: the command line's order.
        values = self.values.reshape(self.rows * outputs, len(self.columns))
        table = pd.DataFrame(values, columns=list(self.columns))
        table.insert(0, "row", np.repeat(np.arange(self.rows), outputs))
        table.insert(1, "output", np.tile(np.array(self.outputs, dtype=object), self.rows))
        table["expected_value"] = np.tile(np.atleast_1d(self.expected_value), self.rows)
        table["raw_output"] = np.asarray(self.raw_output).reshape(-1)
        return table

    def __repr__(self) -> str:
        shown = f"{len(self.outputs)} outputs" if len(self.outputs) > 1 else "1 output"
        sampled = "" if self.exact else f", sampled: each within {self.error_bound:.3g}"
        calibrated = ", before calibration" if self.before_calibration else ""
        return (f"<shipml.Contributions {self.method}: {self.rows} rows x {len(self.columns)} columns, "
                f"{shown}{sampled}{calibrated}>")
