"""What can be trained, put in a pipeline and measured: the registries every
front door reads, with each parameter's declared type, default and range."""
from __future__ import annotations

from typing import Optional

import pandas as pd

from . import _core, _params


def _params_frame(specs: list) -> pd.DataFrame:
    rows = [{"name": p["name"], "type": p["type"], "default": _params.typed(p, p["default"]), "allowed": p["allowed"],
             "doc": p["doc"]} for p in specs]
    return pd.DataFrame(rows, columns=["name", "type", "default", "allowed", "doc"]).set_index("name")


def _find(items: list, name: str, kind: str) -> dict:
    for item in items:
        if item["name"] == name:
            return item
    raise _core.UsageError(f"unknown {kind} '{name}' ({kind}s: {', '.join(i['name'] for i in items)})")


def estimators(name: Optional[str] = None) -> pd.DataFrame:
    """Every estimator (name, tasks, summary), or one estimator's parameters."""
    items = _core.estimators()
    if name is not None:
        return _params_frame(_find(items, name, "estimator")["params"])
    return pd.DataFrame([{"name": e["name"], "tasks": ", ".join(e["tasks"]), "summary": e["summary"]}
                         for e in items]).set_index("name")


def transformers(name: Optional[str] = None) -> pd.DataFrame:
    """Every pipeline step (name, what it applies to, summary), or one's parameters."""
    items = _core.transformers()
    if name is not None:
        return _params_frame(_find(items, name, "transformer")["params"])
    return pd.DataFrame([{"name": t["name"], "applies_to": t["applies_to"], "summary": t["summary"]}
                         for t in items]).set_index("name")


def metrics() -> pd.DataFrame:
    """Every metric scoring can report, its task, and which way is better."""
    return pd.DataFrame(_core.metrics()).set_index("name")
