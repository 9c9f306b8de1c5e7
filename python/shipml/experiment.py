"""compare, search, select and experiment files: the command line's
experiment commands, with the same names, defaults and run records."""
from __future__ import annotations

import os
from typing import Any, Dict, Optional, Sequence, Union

from . import _core, _data, _params
from .model import Model
from .results import Leaderboard, ScoreResult, SearchResult, Selection

ModelLike = Union[Model, str]


def _model(m: ModelLike) -> Model:
    return m if isinstance(m, Model) else Model(m)


def _csv(kw: Dict[str, Any]) -> dict:
    """The read options among keyword arguments: the CSV options, and a database's table or query."""
    options = {k: list(kw.pop(k, ())) for k in ("categorical", "numeric", "missing")}
    return {**options, "table": kw.pop("table", None) or "", "query": kw.pop("query", None) or ""}


@_data.documents_split_options
def folds(data: Any, y: Any = None, *, target: Optional[str] = None, cv: Optional[int] = 5, test_size: float = 0.25,
          seed: int = 42, task: Optional[str] = None, group: Optional[str] = None, time: Optional[str] = None,
          gap: Any = None, fold_column: Optional[str] = None, cv_repeats: Optional[int] = None,
          weight: Optional[str] = None) -> list:
    """The (train rows, test rows) index arrays shipml scores on: K folds
    (cv=K), or a hold-out split (cv=None), stratified by class for
    classification, from `seed`. Pass them as ``cv=`` to scikit-learn's
    GridSearchCV or cross_val_score to measure on exactly shipml's folds."""
    frame, name, _ = _data.dataset(data, y, target)
    return _core.folds(frame, name, {"cv": cv, "test_size": test_size, "seed": seed, "task": task,
                                     **_data.split_roles(group, time, gap, fold_column, cv_repeats, weight)})


def score(model: ModelLike, data: Any, y: Any = None, **options: Any) -> ScoreResult:
    """Measures an unfitted model (or estimator name) on held-out rows or by
    cv=K cross-validation, as ``shipml score``. See Model.score for options."""
    return _model(model).score(data, y, **options)


@_data.documents_split_options
def compare(models: Optional[Sequence[ModelLike]], data: Any, y: Any = None, *, target: Optional[str] = None,
            cv: int = 5, seed: int = 42, metrics: Optional[Sequence[str]] = None, sort: Optional[str] = None,
            refit: bool = False, task: Optional[str] = None, threads: int = 0, group: Optional[str] = None,
            time: Optional[str] = None, gap: Any = None, fold_column: Optional[str] = None,
            cv_repeats: Optional[int] = None, weight: Optional[str] = None, **csv: Any) -> Leaderboard:
    """Scores every model on the same folds and ranks them by `sort` (default:
    the first metric), as ``shipml compare``; with refit, the best is then fit
    on all rows (Leaderboard.best_model). Recorded as a "compare" run. With
    models=None, the baseline: a linear model, random_forest, hist_gbdt and knn."""
    frame, name, source = _data.dataset(data, y, target, csv=_csv(csv))
    cores = [_model(m)._model for m in (models or [])]
    validation = {"cv": cv, "seed": seed, "task": task, "threads": threads,
                  **_data.split_roles(group, time, gap, fold_column, cv_repeats, weight)}
    return Leaderboard(_core.compare(cores, frame, name, source, validation, list(metrics or []), sort or "", refit))


def _grid_values(values: Any) -> list:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        values = [values]
    return [_params.text(v) for v in values]


@_data.documents_split_options
def search(model: ModelLike, data: Any, y: Any = None, *, grid: Optional[Dict[str, Sequence[Any]]] = None,
           distributions: Optional[Dict[str, str]] = None, n_random: int = 0, target: Optional[str] = None,
           cv: int = 5, seed: int = 42, metrics: Optional[Sequence[str]] = None, sort: Optional[str] = None,
           halving: bool = False, halving_resource: str = "rows", time_budget: float = 0,
           max_candidates: int = 0, search_seed: int = 0, refit: bool = True, task: Optional[str] = None,
           threads: int = 0, group: Optional[str] = None, time: Optional[str] = None, gap: Any = None,
           fold_column: Optional[str] = None, cv_repeats: Optional[int] = None, weight: Optional[str] = None, **csv: Any) -> SearchResult:
    """Hyperparameter search, as ``shipml search``: a grid ({"learning_rate":
    [0.05, 0.1]}; the product of the lists), or n_random candidates drawn from
    the grid's lists and `distributions` ({"C": "loguniform:0.01:100"};
    uniform:LOW:HIGH, int:LOW:HIGH, choice:A|B too); optionally successive
    halving over rows or a count parameter such as n_estimators. Every
    candidate meets the same folds; the best is refit on all rows
    (SearchResult.best_model). Ctrl-C stops it (KeyboardInterrupt); the run
    record keeps the candidates that finished."""
    frame, name, source = _data.dataset(data, y, target, csv=_csv(csv))
    prototype = _model(model)
    pairs = [(str(k), _grid_values(v)) for k, v in (grid or {}).items()]
    draws = [(str(k), str(v)) for k, v in (distributions or {}).items()]
    options = {"cv": cv, "seed": seed, "task": task, "threads": threads, "metrics": list(metrics or []),
               "sort": sort or "", "random": n_random, "halving": halving, "halving_resource": halving_resource,
               "time_budget": time_budget, "max_candidates": max_candidates, "search_seed": search_seed,
               "refit": refit, **_data.split_roles(group, time, gap, fold_column, cv_repeats, weight)}
    return SearchResult(_core.search(prototype._model, frame, name, source, pairs, draws, options), prototype.estimator)


@_data.documents_split_options
def select(data: Any, y: Any = None, *, method: str = "permutation", model: Optional[ModelLike] = None,
           target: Optional[str] = None, metric: Optional[str] = None, n_repeats: int = 5,
           test_size: float = 0.25, test: str = "f_test", k: int = 10, percentile: float = 0,
           n_features: int = 0, step: int = 1, min_features: int = 1, direction: str = "forward", cv: int = 5,
           seed: int = 42, task: Optional[str] = None, threads: int = 0, group: Optional[str] = None,
           time: Optional[str] = None, gap: Any = None, fold_column: Optional[str] = None,
           cv_repeats: Optional[int] = None, weight: Optional[str] = None, **csv: Any) -> Selection:
    """Ranks and selects input columns, as ``shipml select``: permutation
    (held-out score drop of a model fit on the rest), rfe and rfecv (recursive
    elimination by coefficients or gain; rfecv picks the size by CV), kbest
    (each column tested alone: f_test, chi2, mutual_info; no model) and
    sequential (forward or backward by CV score)."""
    frame, name, source = _data.dataset(data, y, target, csv=_csv(csv))
    options = {"metric": metric or "", "n_repeats": n_repeats, "test_size": test_size, "test": test, "k": k,
               "percentile": percentile, "n_features": n_features, "step": step, "min_features": min_features,
               "direction": direction, "cv": cv, "seed": seed, "task": task, "threads": threads,
               **_data.split_roles(group, time, gap, fold_column, cv_repeats, weight)}
    core = None if model is None else _model(model)._model
    return Selection(_core.select(method, core, frame, name, source, options))


def run_experiment(path: str, out: Optional[str] = None) -> dict:
    """Runs an experiment file (YAML or JSON), as ``shipml run``: its report,
    the files written into `out` and the runs recorded."""
    return _core.run_experiment(os.fspath(path), out or "")
