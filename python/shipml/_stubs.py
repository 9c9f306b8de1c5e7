"""Writes sklearn.pyi, the type stubs of shipml.sklearn's generated classes,
from the parameters' declaration in C++ (run at build time):

    python -m shipml._stubs path/to/sklearn.pyi
"""
from __future__ import annotations

import sys

from . import _core, _params


def stubs() -> str:
    lines = ['"""Type stubs of shipml.sklearn, generated from the C++ parameter declarations."""',
             "from typing import Any, Dict, List, Optional", "", "import numpy as np", "",
             "from .model import Model", "", "XFAIL_CHECKS: Dict[str, Dict[str, str]]", "ESTIMATORS: List[str]", "",
             "def class_name(estimator: str, task: str) -> str: ...", "", ""]
    base = ["    model_: Model", "    n_features_in_: int",
            "    def fit(self, X: Any, y: Any = ...) -> Any: ...", "    def predict(self, X: Any) -> np.ndarray: ...",
            "    def get_params(self, deep: bool = ...) -> Dict[str, Any]: ...",
            "    def set_params(self, **params: Any) -> Any: ...",
            "    def score(self, X: Any, y: Any, sample_weight: Any = ...) -> float: ..."]
    classifier = ["    classes_: np.ndarray", "    def predict_proba(self, X: Any) -> np.ndarray: ..."]
    for info in _core.estimators():
        for task in info["tasks"]:
            args = ", ".join(f"{p['name']}: {_params.PYTHON_TYPES[p['type']].__name__} = "
                             f"{_params.typed(p, p['default'])!r}" for p in info["params"])
            lines.append(f"class {_params.class_name(info['name'], task)}:")
            lines.append(f'    """{info["summary"]} ({task})."""')
            lines.append(f"    def __init__(self, *, {args}) -> None: ...")
            lines += base + (classifier if task == "classification" else []) + ["", ""]
    for task in ("Classifier", "Regressor"):
        lines.append(f"class Shipml{task}:")
        lines.append("    def __init__(self, estimator: Optional[str] = ..., *, steps: Optional[List[Any]] = ..., "
                     "params: Optional[Dict[str, Any]] = ..., spec: Optional[str] = ...) -> None: ...")
        lines += base + (classifier if task == "Classifier" else []) + ["", ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        out.write(stubs())
