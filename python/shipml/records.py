"""Run records and the model registry, as DataFrames and dicts: every train,
score, compare and search is recorded (in ./runs by default, or the store in
$SHIPML_TRACKING_URI), whether it ran from Python, the command line or C++."""
from __future__ import annotations

import os
from typing import Any, Dict, Optional

import pandas as pd

from . import _core
from .model import Model


def _store(store: Optional[str]) -> str:
    return os.fspath(store) if store else ""


def runs(experiment: Optional[str] = None, filter: Optional[str] = None, sort: str = "-start_time",
         limit: int = 100, store: Optional[str] = None) -> pd.DataFrame:
    """Recorded runs, newest first, one row each: id, experiment, kind, status,
    times, then ``params.*`` and ``metrics.*`` columns. `filter` reads as
    ``shipml runs list --filter``: "metrics.roc_auc > 0.9 and params.max_leaves = 31"."""
    records = _core.runs(_store(store), experiment or "", filter or "", sort, limit)
    rows = []
    for r in records:
        row = {k: r[k] for k in ("id", "experiment", "kind", "status", "start_time", "end_time", "duration_seconds")}
        row["error"] = r.get("error") or None
        row.update({f"params.{k}": v for k, v in r.get("params", {}).items()})
        row.update({f"metrics.{k}": v for k, v in r.get("metrics", {}).items()})
        rows.append(row)
    columns = ["id", "experiment", "kind", "status", "start_time", "end_time", "duration_seconds", "error"]
    return pd.DataFrame(rows, columns=None if rows else columns)


def run(id: str = "latest", store: Optional[str] = None) -> Dict[str, Any]:
    """One run, whole: parameters, metrics, metric steps, artifacts, and its
    circumstances (command, data fingerprint, schema, git commit)."""
    return _core.get_run(_store(store), id)


def run_model(id: str = "latest", store: Optional[str] = None) -> Model:
    """The model a run saved (train, compare with refit, search)."""
    core = _core.run_model(_store(store), id)
    if core is None:
        raise _core.UsageError(f"run {id} saved no model (train, compare with refit and search runs do)")
    return Model._wrap(core)


def delete_run(id: str, store: Optional[str] = None) -> None:
    _core.delete_run(_store(store), id)


class _HTML(str):
    def _repr_html_(self) -> str:
        return str(self)


def report(run: str = "latest", path: Optional[str] = None, store: Optional[str] = None, *,
           explain_rows: int = 200) -> str:
    """The run's HTML report (metrics, every chart that applies, parameters,
    schema, data, and its model's explanations on `explain_rows` rows of its
    data; 0 leaves them out), as ``shipml report``: written to `path`
    (returned), or returned as HTML that a notebook shows."""
    if not isinstance(explain_rows, int) or isinstance(explain_rows, bool) or not 0 <= explain_rows <= 100000:
        raise _core.UsageError(f"explain_rows must be a whole number from 0 to 100000, not {explain_rows!r}")
    html = _core.run_report(_store(store), run, explain_rows)
    if path is None:
        return _HTML(html)
    path = os.fspath(path)
    _core.write_file_atomic(path, html.encode("utf-8"))
    return path


class tracking:
    """Where runs are recorded, and whether: ``tracking(False)``, or
    ``tracking(experiment="churn", store="postgresql://...")``. Used as a
    function it sets it for the process (and the command lines it starts);
    used with ``with`` it sets it for the block only."""

    _KEYS = {"enabled": "SHIPML_TRACKING", "experiment": "SHIPML_EXPERIMENT", "store": "SHIPML_TRACKING_URI"}

    def __init__(self, enabled: Optional[bool] = None, *, experiment: Optional[str] = None,
                 store: Optional[str] = None):
        values = {"enabled": None if enabled is None else ("on" if enabled else "off"),
                  "experiment": experiment, "store": os.fspath(store) if store else None}
        self._saved = {}
        for key, value in values.items():
            if value is None:
                continue
            variable = self._KEYS[key]
            self._saved[variable] = os.environ.get(variable)
            os.environ[variable] = value

    def __enter__(self) -> "tracking":
        return self

    def __exit__(self, *exc: Any) -> None:
        for variable, value in self._saved.items():
            if value is None:
                os.environ.pop(variable, None)
            else:
                os.environ[variable] = value


class _Registry:
    """The model registry: model files registered under a name, each time the
    next version; a stage (staging, production, archived) per version, so
    ``models:/NAME/production`` always means one file."""

    def register(self, name: str, model: Any = None, *, run: Optional[str] = None, notes: str = "",
                 store: Optional[str] = None) -> Dict[str, Any]:
        """Registers a model file (or a fitted Model, saved for it), or the model a run saved."""
        if isinstance(model, Model):
            import tempfile
            with tempfile.TemporaryDirectory() as folder:
                path = os.path.join(folder, f"{name}.shipml")
                model.save(path)
                return _core.registry_register(_store(store), name, path, "", notes)
        return _core.registry_register(_store(store), name, os.fspath(model) if model else "", run or "", notes)

    def names(self, store: Optional[str] = None) -> list:
        return _core.registry_names(_store(store))

    def versions(self, name: str, store: Optional[str] = None) -> pd.DataFrame:
        """Every version of `name`, oldest first."""
        rows = _core.registry_versions(_store(store), name)
        return pd.DataFrame(rows).set_index("version") if rows else pd.DataFrame()

    def get(self, reference: str, store: Optional[str] = None) -> Dict[str, Any]:
        """"NAME" (latest), "NAME/3" or "NAME/production"."""
        return _core.registry_get(_store(store), reference)

    def promote(self, name: str, version: int, stage: str, notes: str = "",
                store: Optional[str] = None) -> Dict[str, Any]:
        """Moves a version to staging, production or archived (the version that
        held staging or production is archived)."""
        return _core.registry_promote(_store(store), name, version, stage, notes)

    def load(self, reference: str) -> Model:
        """``NAME/production`` or ``models:/NAME/production`` as a Model."""
        return Model.load(reference if reference.startswith("models:/") else f"models:/{reference}")


registry = _Registry()
