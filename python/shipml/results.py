"""What scoring, comparing, searching and selecting return: objects that print
as the command line prints them, turn into DataFrames, and draw their charts."""
from __future__ import annotations

import io
from typing import Any, Dict, List, Optional

import pandas as pd

from . import _core, _params
from .model import Model


class _Printed:
    """Prints as the command line does; shows as its table in a notebook."""

    def __init__(self, core):
        self._core = core

    def __str__(self) -> str:
        return self._core.table()

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()

    def json(self) -> dict:
        """Everything, as ``--json`` prints it."""
        return self._core.json()

    @property
    def run_id(self) -> Optional[str]:
        """The run it was recorded as (None when tracking is off)."""
        return getattr(self._core, "run_id", "") or None


class _Ranked(_Printed):
    """Candidates ranked by one metric, the best refit on all rows when asked."""

    def __init__(self, core):
        super().__init__(core)
        best = core.take_best_model()
        self.best_model: Optional[Model] = Model._wrap(best) if best is not None else None

    @property
    def metric(self) -> str:
        """What the ranking is by."""
        return self._core.metric


def _metric_rows(result: dict) -> pd.DataFrame:
    folds = result["folds"]
    rows = {}
    for metric, summary in result["metrics"].items():
        row = {f"fold{i + 1}": f["metrics"].get(metric) for i, f in enumerate(folds)} if len(folds) > 1 else {}
        row["mean"], row["std"] = summary["mean"], summary["std"]
        rows[metric] = row
    return pd.DataFrame.from_dict(rows, orient="index", dtype=float)


class ScoreResult(_Printed):
    """One model measured on held-out rows or by cross-validation."""

    @property
    def estimator(self) -> str:
        return self._core.estimator

    @property
    def metrics(self) -> Dict[str, float]:
        """Each metric's mean over folds (its value, for a single split)."""
        return {m: s["mean"] for m, s in self.json()["metrics"].items()}

    def to_frame(self) -> pd.DataFrame:
        """One row per metric: each fold's value (under cross-validation), mean and std."""
        return _metric_rows(self.json())

    def predictions(self) -> pd.DataFrame:
        """The held-out predictions: row, fold, truth, predicted and, for
        classification, the probability of each class (``proba:CLASS``; a
        calibrated model's also before calibration, ``uncalibrated:CLASS``)."""
        return pd.read_csv(io.StringIO(self._core.held_out().to_csv()))

    def plot(self, kind: str, **options: Any):
        """A chart of the held-out predictions: roc, pr, confusion, calibration,
        residuals, ... (see shipml.chart_kinds())."""
        from .charts import plot
        return plot(kind, result=self, **options)

    def __repr__(self) -> str:
        return f"<shipml score of {self.estimator}: " + ", ".join(f"{k} {v:.4g}" for k, v in self.metrics.items()
                                                               if v is not None) + ">"


class Leaderboard(_Ranked):
    """Models compared on the same folds, best first."""

    def __init__(self, core: _core.Leaderboard):
        super().__init__(core)
        self.results: List[ScoreResult] = [ScoreResult(r) for r in core.entries]

    def to_frame(self) -> pd.DataFrame:
        """One row per model, best first: each metric's mean and std, and fit seconds."""
        rows = []
        for entry in self.json()["entries"]:
            row = {"rank": entry["rank"], "estimator": entry["estimator"]}
            for metric, s in entry["metrics"].items():
                row[metric], row[f"{metric}_std"] = s["mean"], s["std"]
            row["fit_seconds"] = sum(f["fit_seconds"] for f in entry["folds"]) / max(1, len(entry["folds"]))
            rows.append(row)
        return pd.DataFrame(rows).set_index("rank")


class SearchResult(_Ranked):
    """A hyperparameter search: every candidate's scores, the best, and the
    best refit on all rows."""

    def __init__(self, core: _core.SearchResult, estimator: str):
        super().__init__(core)
        self._estimator = estimator

    @property
    def stopped_early(self) -> bool:
        return self._core.stopped_early

    @property
    def best_params(self) -> Optional[Dict[str, Any]]:
        best = self._core.best_params()
        return None if best is None else _params.typed_params(self._estimator, best)

    @property
    def best_score(self) -> Optional[float]:
        best = self._core.best_result()
        return None if best is None else best.mean(self.metric)

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate, best first: its parameters, each metric's mean
        and std, whether it finished, and fit seconds."""
        rows = []
        for c in self.json()["candidates"]:
            row = {"rank": c["rank"]}
            row.update({f"param.{k}": v for k, v in _params.typed_params(self._estimator, c["searched"]).items()})
            for metric, s in c["metrics"].items():
                row[metric], row[f"{metric}_std"] = s["mean"], s["std"]
            row["finished"] = c["finished"]
            folds = [f for f in c["folds"] if f["metrics"]]
            row["fit_seconds"] = sum(f["fit_seconds"] for f in folds) / len(folds) if folds else None
            rows.append(row)
        return pd.DataFrame(rows).set_index("rank")


class Selection(_Printed):
    """Which input columns are worth keeping: a ranking, and the kept ones."""

    @property
    def selected(self) -> List[str]:
        """The kept columns (permutation importance keeps those the model relies on)."""
        if isinstance(self._core, _core.FeatureSelection):
            return self._core.selected()
        return [f["feature"] for f in self.json()["features"] if f["mean"] > 0]

    def to_frame(self) -> pd.DataFrame:
        """One row per feature, best first."""
        features = self.json()["features"]
        frame = pd.DataFrame(features)
        if "drops" in frame:
            frame = frame.drop(columns=["drops"]).rename(columns={"mean": "mean_drop", "std": "std_drop"})
            frame.insert(0, "rank", range(1, len(frame) + 1))
        return frame.set_index("rank")

    def curve(self) -> Optional[pd.DataFrame]:
        """RFECV and sequential selection: the CV score by number of features."""
        points = self.json().get("curve")
        return pd.DataFrame(points).set_index("features") if points else None
