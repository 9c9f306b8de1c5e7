"""Charts with their titles, axes, colours and legends already chosen: drawn
by the same code as ``shipml plot`` and the HTML reports, shown inline in
Jupyter, saved as SVG, PNG or PDF."""
from __future__ import annotations

import itertools
import os
from typing import Any, Optional, Sequence

import pandas as pd

from . import _core, _data, _params

_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
# Charts shown in one notebook share a page: each gets its own id prefix.
_shown = itertools.count(1)


class Chart:
    """A chart, ready to show or save; sizes are points (SVG, PDF) or pixels (PNG)."""

    def __init__(self, core: _core.Chart, kind: str):
        self._core = core
        self.kind = kind

    @property
    def title(self) -> str:
        return self._core.title

    def render(self, format: str = "svg", *, width: int = 720, height: int = 480, title: Optional[str] = None,
               palette: Sequence[str] = ()) -> bytes:
        """The image file's bytes: svg, png or pdf. `title` replaces the chart's own;
        `palette` gives colours "#rrggbb" in order (default: Okabe-Ito, colour-blind safe)."""
        return _core.render_chart(self._core, format, width, height, title or "", list(palette))

    def svg(self, **style: Any) -> str:
        return self.render("svg", **style).decode()

    def png(self, **style: Any) -> bytes:
        return self.render("png", **style)

    def save(self, path: str, **style: Any) -> str:
        """Writes the chart to `path` (format from .svg, .png or .pdf), atomically."""
        path = os.fspath(path)
        extension = os.path.splitext(path)[1].lower()
        if extension not in _FORMATS:
            raise _core.UsageError(f"{path}: unknown image format '{extension}' (use .svg, .png or .pdf)")
        _core.write_file_atomic(path, self.render(_FORMATS[extension], **style))
        return path

    def _repr_svg_(self) -> str:
        return _core.render_inline_svg(self._core, f"shipml{os.getpid()}-{next(_shown)}-", 720, 480, "", [])

    def __repr__(self) -> str:
        return f"<shipml chart {self.kind}: {self.title}>"


def chart_kinds() -> pd.DataFrame:
    """Every chart plot() draws: its name, what it needs and what it shows."""
    return pd.DataFrame(_core.chart_kinds()).set_index("name")


def plot(kind: str, *, result: Any = None, run: Optional[str] = None, model: Any = None, data: Any = None,
         y: Any = None, target: Optional[str] = None, estimator: Any = None, param: Optional[str] = None,
         values: Optional[Sequence[Any]] = None, cv: int = 5, seed: int = 42, top: int = 20,
         bins: Optional[int] = None, store: Optional[str] = None, group: Optional[str] = None,
         time: Optional[str] = None, gap: Any = None, fold_column: Optional[str] = None,
         weight: Optional[str] = None, feature: Optional[str] = None, color_by: Optional[str] = None,
         row: Optional[int] = None, output: Optional[str] = None) -> Chart:
    """A chart of one kind (see chart_kinds()), from what it needs:

    - prediction charts (roc, pr, confusion, calibration, lift, residuals, ...):
      a score `result`, a recorded `run` (id, prefix or "latest"), or a fitted
      `model` with `data` (and its target);
    - importance: a fitted `model` or a `run` that saved one; permutation: with `data`;
    - learning_curve, validation_curve (`param` and its `values`): an `estimator`
      (a name or unfitted Model) and `data`; their folds keep each `group` whole,
      follow `time` (with a `gap`) or come from `fold_column`, as in score();
    - missing, correlation: `data` (correlation with its target);
    - pdp: a fitted `model`, `data` and the `feature` to vary (`bins` grid
      points, 20 by default; `output` the class for a classifier);
    - summary, dependence (`feature`, `color_by`), waterfall (`row`, counting
      from 0 as pandas' iloc): a fitted `model` and `data`, the rows it
      explains (`output` the class shown for a multiclass model).

    `model` may be a file path or ``models:/NAME/STAGE``; `data` a DataFrame,
    an array with `y`, or a CSV path. `weight` names a column of `data` whose
    row weights the curves' fits and metric, and permutation's metric, use
    (the other charts are unweighted).
    """
    from .model import Model
    options: dict = {"run": run, "target": target, "cv": cv, "seed": seed, "top": top, "bins": bins,
                     "param": param, "uri": store or "", "feature": feature, "color_by": color_by,
                     "row": row, "output": output,
                     **_data.split_roles(group, time, gap, fold_column, None, weight)}
    if result is not None:
        options["predictions"] = result._core.held_out()
    if model is not None:
        options["model"] = (model if isinstance(model, Model) else Model.load(model))._model
    if estimator is not None:
        options["estimator"] = (estimator if isinstance(estimator, Model) else Model(estimator))._model
    if values is not None:
        options["values"] = [_params.text(v) for v in values]
    if data is not None:
        if y is not None:
            frame, name, source = _data.dataset(data, y, target)
            options["target"] = name
        else:
            frame, source = _data.frame(data), os.fspath(data) if _data.is_path(data) else ""
        options["data"], options["source"] = frame, source
    return Chart(_core.make_chart(kind, options), kind)
