"""Parameters between Python values and the library's declared text form.

The declaration (name, type, default, allowed values, doc) lives once, in C++;
this module only reads it: Python types for the sklearn classes' signatures and
docstrings, and the text each value is given to the library as.
"""
from __future__ import annotations

import functools
from typing import Any, Dict, List, Optional

import numpy as np

from . import _core

PYTHON_TYPES = {"integer": int, "real": float, "boolean": bool, "choice": str, "text": str}


def text(value: Any) -> str:
    """A Python value as the library reads parameters ("true", "0.1", "31")."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        return _core.format_number(float(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value)


def texts(params: Dict[str, Any]) -> Dict[str, str]:
    """Every given value as text; None means "the default" and is left out."""
    return {name: text(v) for name, v in params.items() if v is not None}


def typed(spec: dict, value: str) -> Any:
    """A parameter's text as the Python value of its declared type."""
    kind = spec["type"]
    if kind == "boolean":
        return value == "true"
    if kind == "integer":
        return int(value)
    if kind == "real":
        return float(value)
    return value


@functools.lru_cache(maxsize=None)
def estimator_specs(name: str) -> Optional[tuple]:
    for e in _core.estimators():
        if e["name"] == name:
            return tuple(e["params"])
    return None


def typed_params(estimator: str, values: Dict[str, str]) -> Dict[str, Any]:
    """An estimator's parameters ("step.param" ones stay text) as Python values."""
    specs = {p["name"]: p for p in estimator_specs(estimator) or ()}
    return {k: typed(specs[k], v) if k in specs else v for k, v in values.items()}


def steps(given: Optional[List[Any]]) -> List[dict]:
    """Pipeline steps as a spec file writes them: a transformer's name,
    {TRANSFORMER: {settings}}, or {"transformer": T, "name": N, "columns": [...], ...}.
    Settings are the transformer's parameters plus `name` and `columns`."""
    out = []
    for item in given or []:
        if isinstance(item, str):
            out.append({"transformer": item, "params": {}})
            continue
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            item = {item[0]: item[1]}
        if not isinstance(item, dict):
            raise _core.UsageError(f"a step is a transformer's name, {{TRANSFORMER: {{settings}}}} or "
                                   f"{{'transformer': T, ...}}, not {item!r}")
        if "transformer" in item:
            settings = dict(item)
            transformer = settings.pop("transformer")
        elif len(item) == 1:
            transformer, settings = next(iter(item.items()))
            settings = dict(settings or {})
        else:
            raise _core.UsageError(f"a step names one transformer: {item!r}")
        step = {"transformer": transformer, "name": settings.pop("name", None),
                "columns": [str(c) for c in settings.pop("columns", None) or []]}
        step["params"] = texts(settings)
        out.append(step)
    return out


_ACRONYMS = {"gbdt": "GBDT", "knn": "KNN", "nb": "NB", "xgboost": "XGBoost"}


def class_name(estimator: str, task: str) -> str:
    """The scikit-learn class of an estimator and task: hist_gbdt, classification -> HistGBDTClassifier."""
    words = "".join(_ACRONYMS.get(w, w.capitalize()) for w in estimator.split("_"))
    return words + ("Classifier" if task == "classification" else "Regressor")


def docstring(info: dict, task: str) -> str:
    """The scikit-learn class's docstring, numpydoc style, from the declaration."""
    lines = [f"{info['summary']} ({task}): shipml's ``{info['name']}``, scikit-learn compatible.", "",
             "Parameters", "----------"]
    for p in info["params"]:
        default = typed(p, p["default"])
        lines.append(f"{p['name']} : {PYTHON_TYPES[p['type']].__name__}, default={default!r}")
        lines.append(f"    {p['doc'][:1].upper() + p['doc'][1:]} ({p['allowed']}).")
    lines += ["", "Attributes", "----------", "model_ : shipml.Model",
              "    The fitted model: save() it for ``shipml serve``, inspect() it, plot() it.",
              "n_features_in_ : int", "feature_names_in_ : ndarray of str (when fit on a DataFrame)"]
    if task == "classification":
        lines.append("classes_ : ndarray, the class labels, as trained on")
    return "\n".join(lines)
