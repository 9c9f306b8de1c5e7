"""Model: the one thing users train, score, save, load and predict with, the
same object and the same file as from C++, the command line and the server."""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import pandas as pd

from . import _core, _data, _labels, _params
from .explanations import Contributions


def _sklearn_model_selection_fit() -> bool:
    """Whether scikit-learn's model selection (cross_val_score, GridSearchCV,
    RFE, ...) is making this fit: its fits are folds of a search, not models
    of their own, so they are not recorded as runs."""
    import sys
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith(("sklearn.model_selection", "sklearn.feature_selection")):
            return True
        frame = frame.f_back
    return False


class Model:
    """An estimator, optionally after a pipeline of transformer steps, with the
    input schema, classes and metadata it learns when fitted.

    ``Model("hist_gbdt", learning_rate=0.05)``;
    ``Model("logistic", steps=["standard_scaler", {"one_hot": {"columns": ["state"]}}], C=0.5)``.
    Parameters are the estimator's (``shipml.estimators("hist_gbdt")``) and, for
    steps, ``"step.param"`` as in spec files (pass them with ``**{"one_hot.unseen": "error"}``).

    A classifier can be calibrated, ``calibrate="sigmoid"`` or ``"isotonic"``
    (fitted on out-of-fold predictions of `calibration_cv` folds), and a binary
    one can decide by a threshold on the positive class's probability:
    ``threshold=0.3``, or ``threshold="tune:f1"`` to tune it by `threshold_cv`-fold
    cross-validation (docs/calibration.md).
    """

    def __init__(self, estimator: str, steps: Optional[Sequence[Any]] = None, *, calibrate: Optional[str] = None,
                 calibration_cv: int = 5, threshold: Any = None, threshold_cv: int = 5, **params: Any):
        core = _core.Model(estimator, _params.texts(params), _params.steps(list(steps or [])))
        self._model = _decided(core, calibrate, calibration_cv, threshold, threshold_cv)

    @classmethod
    def _wrap(cls, core: _core.Model) -> "Model":
        m = cls.__new__(cls)
        m._model = core
        return m

    @classmethod
    def from_spec(cls, path: str, **params: Any) -> "Model":
        """The unfitted model a spec file (YAML or JSON: steps, estimator,
        params) describes, as ``--pipeline FILE``; `params` override it."""
        return cls._wrap(_core.Model.from_spec(os.fspath(path), _params.texts(params)))

    @classmethod
    def load(cls, path: str) -> "Model":
        """A model file, or ``models:/NAME/STAGE`` (or ``/VERSION``) from the registry."""
        return cls._wrap(_core.Model.load(os.fspath(path)))

    # What it is.
    @property
    def estimator(self) -> str:
        return self._model.estimator

    @property
    def params(self) -> Dict[str, Any]:
        """The estimator's parameters, defaults included, and every step's as "step.param"."""
        return _params.typed_params(self.estimator, self._model.all_params())

    @property
    def steps(self) -> List[dict]:
        return self._model.steps()

    @property
    def fitted(self) -> bool:
        return self._model.fitted

    @property
    def calibration(self) -> Optional[dict]:
        """How it is calibrated ({"method": "isotonic", "cv": 5}), or None."""
        d = self._model.decision_params()
        return {"method": d["calibrate"], "cv": int(d["calibration_cv"])} if "calibrate" in d else None

    @property
    def threshold(self) -> Any:
        """The threshold as given: a probability (0.3), "tune:METRIC", or None."""
        t = self._model.decision_params().get("threshold")
        return None if t is None else t if t.startswith("tune:") else float(t)

    @property
    def decision_threshold(self) -> Optional[float]:
        """The threshold a fitted binary model decides by (a tuned one as found), or None."""
        return self._model.decision_threshold

    def clone(self, **changes: Any) -> "Model":
        """An unfitted copy, with some parameters changed."""
        if changes:
            return Model._wrap(self._model.with_params(_params.texts(changes)))
        return Model._wrap(self._model.clone())

    # What it learned.
    @property
    def task(self) -> str:
        return self._model.task

    @property
    def classes(self) -> np.ndarray:
        """The classes, in the order of predict_proba's columns, as the labels trained on."""
        return _labels.classes(self._model)

    @property
    def target(self) -> str:
        return self._model.target

    @property
    def feature_names(self) -> List[str]:
        return [f["name"] for f in self._model.schema()]

    @property
    def schema(self) -> pd.DataFrame:
        """The input schema: each feature's name, type and (categorical) categories."""
        rows = self._model.schema()
        return pd.DataFrame({"name": [f["name"] for f in rows], "type": [f["type"] for f in rows],
                             "categories": [f.get("categories") for f in rows]})

    @property
    def metadata(self) -> dict:
        return self._model.metadata

    def inspect(self) -> dict:
        """What ``shipml inspect --json`` prints: format, parameters, schema,
        training data fingerprint, and what the learner learned."""
        return self._model.inspect()

    def trees(self) -> list:
        """Every tree of a tree model, as ``shipml inspect --trees`` prints them."""
        trees = self._model.dump_trees()
        if trees is None:
            raise _core.UsageError(f"{self.estimator} has no trees")
        return trees

    # The work.
    def fit(self, data: Any, y: Any = None, *, target: Optional[str] = None, task: Optional[str] = None,
            categorical: Sequence[str] = (), numeric: Sequence[str] = (), missing: Sequence[str] = (),
            weight: Optional[str] = None, table: Optional[str] = None, query: Optional[str] = None) -> "Model":
        """Trains on every row: ``fit(X, y)``, ``fit(df, target="churn")``,
        ``fit("churn.csv", target="churn")`` or, from a database,
        ``fit("sqlite:///shop.db", table="customers", target="churn")``. Recorded as a "train" run, with the
        model, as ``shipml train`` records one (unless tracking is off).
        `task` forces classification or regression; the CSV options read a path.
        `weight` names a column of row weights (numbers >= 0, scikit-learn's
        sample_weight; not a feature): each row counts that many times."""
        frame, name, source = _data.dataset(data, y, target, csv=_csv(categorical, numeric, missing, table, query))
        record = _data.is_path(data) or not _sklearn_model_selection_fit()
        self._model.fit_dataset(frame, name, task, source, record, weight)
        return self

    def _features(self, data: Any, doing: str) -> _core.Frame:
        """The rows a fitted model is asked about (to predict or explain them), as it reads them."""
        if not self.fitted:
            raise _core.ModelFileError(f"{self.estimator}: cannot {doing} before the model is fitted")
        names = self._model.feature_names
        if isinstance(data, pd.DataFrame):  # only the columns the model reads are converted
            return _data.frame_of_dataframe(data, keep=set(names))
        if _data.is_path(data) or isinstance(data, _core.Frame):
            return _data.frame(data)
        if not isinstance(data, np.ndarray):
            data = np.asarray(data)
        if data.ndim == 2 and data.shape[1] != len(names):
            raise _core.DataError(f"X has {data.shape[1]} features, but the model is expecting {len(names)} "
                                  f"features as input ({', '.join(names[:8])}{', ...' if len(names) > 8 else ''})")
        if data.ndim == 2 and data.dtype.kind in "fiu":
            return _core.frame_from_matrix(data, names)  # the fast path: columns viewed, no conversion in Python
        return _data.frame(data, names)

    def _predict(self, data: Any, proba: bool) -> tuple:
        return self._model.predict(self._features(data, "predict"), proba)

    def predict(self, data: Any) -> np.ndarray:
        """The class label (as the labels trained on) or value of each row.
        A DataFrame's columns are found by name (order and extra columns do not
        matter); an array's columns are the model's features in order."""
        values, _ = self._predict(data, False)
        if self._model.task == "classification":
            return self.classes[values.astype(np.intp)]
        return values

    def predict_proba(self, data: Any) -> np.ndarray:
        """Class probabilities, one column per class in the order of `classes`."""
        if self.fitted and self._model.task != "classification":
            raise _core.UsageError(f"{self.estimator}: a regression model has no class probabilities")
        return self._predict(data, True)[1]

    def raw_output(self, data: Any) -> np.ndarray:
        """What contributions() explains, per row: the value (its log for
        hist_gbdt's poisson loss), a binary classifier's log-odds of its second
        class (logistic, hist_gbdt, xgboost) or probability of it (trees,
        forests, knn, gaussian_nb), and one column per class with more classes
        (softmax scores or probabilities). A calibrated model's, before
        calibration. One value per row with one output, rows x classes with more."""
        raw = self._model.raw_output(self._features(data, "give its raw output"))
        return raw[:, 0] if raw.shape[1] == 1 else raw

    def drift(self, data: Any, *, threshold: float = 0.2, min_rows: int = 100) -> dict[str, Any]:
        """How far `data` (as predict() takes it) has drifted from the training
        data (docs/drift.md): per input column and for the predictions, the
        population stability index, a Kolmogorov-Smirnov (numeric) or
        chi-squared (categorical) statistic with its p-value, and the missing
        rates. A column is flagged at a PSI of `threshold` or more on at least
        `min_rows` rows. The same dict as ``shipml drift --json``;
        ``pandas.DataFrame(report["columns"])`` is its table."""
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not threshold > 0:
            raise _core.UsageError(f"threshold must be a number > 0, got {threshold!r}")
        if isinstance(min_rows, bool) or not isinstance(min_rows, (int, np.integer)) or min_rows < 0:
            raise _core.UsageError(f"min_rows must be a whole number >= 0, got {min_rows!r}")
        return self._model.drift(self._features(data, "measure drift"), float(threshold), int(min_rows))

    def contributions(self, data: Any, *, samples: int = 256, seed: int = 0) -> Contributions:
        """Each row's raw output split into one contribution per input column
        (SHAP values; docs/explain.md): ``values.sum(axis=-1) + expected_value
        == raw_output``. `data` as predict() takes it. knn and gaussian_nb
        sample their values: `samples` orders of the columns per row (more: a
        smaller error bound), drawn from `seed` (the same seed, the same values).
        Returns a Contributions (shipml.explanations), with to_frame() for a table."""
        if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or not 2 <= samples <= 1_000_000:
            raise _core.UsageError(f"samples must be a whole number from 2 to 1000000, got {samples!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise _core.UsageError(f"seed must be a whole number >= 0, got {seed!r}")
        frame = self._features(data, "explain its predictions")
        return Contributions._from_core(self._model.contributions(frame, int(samples), int(seed)))

    @_data.documents_split_options
    def score(self, data: Any, y: Any = None, *, target: Optional[str] = None, cv: Optional[int] = None,
              test_size: float = 0.25, seed: int = 42, metrics: Optional[Sequence[str]] = None,
              task: Optional[str] = None, threads: int = 0, categorical: Sequence[str] = (),
              numeric: Sequence[str] = (), missing: Sequence[str] = (), group: Optional[str] = None,
              time: Optional[str] = None, gap: Any = None, fold_column: Optional[str] = None,
              cv_repeats: Optional[int] = None, weight: Optional[str] = None, table: Optional[str] = None,
              query: Optional[str] = None):
        """Measures an unfitted copy on held-out rows (a stratified 25% hold-out)
        or by K-fold cross-validation (cv=K), as ``shipml score``; recorded as
        a "score" run. This model stays as it is."""
        from .results import ScoreResult
        frame, name, source = _data.dataset(data, y, target, csv=_csv(categorical, numeric, missing, table, query))
        validation = {"cv": cv, "test_size": test_size, "seed": seed, "task": task, "threads": threads,
                      **_data.split_roles(group, time, gap, fold_column, cv_repeats, weight)}
        return ScoreResult(_core.score(self._model, frame, name, source, validation, list(metrics or [])))

    def save(self, path: str, force: bool = False) -> None:
        """Writes the model file (atomically: a temporary name, then renamed). An
        existing file there that is not a shipml model is kept, with a UsageError,
        unless `force`."""
        self._model.save(os.fspath(path), force)

    def plot(self, kind: str, data: Any = None, y: Any = None, *, target: Optional[str] = None, **options: Any):
        """A chart of this model: importance; on `data`, permutation, pdp, the
        contribution charts (summary, dependence, waterfall), roc, confusion and
        the other prediction charts (see shipml.plot)."""
        from .charts import plot
        return plot(kind, model=self, data=data, y=y, target=target, **options)

    # Python's protocols.
    def __reduce__(self):
        return (_from_bytes, (self._model.to_bytes(),)) if self.fitted else \
            (_unfitted, (self.estimator, self._model.all_params(), self.steps, self._model.decision_params()))

    def __repr__(self) -> str:
        state = f"fitted, {self.task}" if self.fitted else "unfitted"
        steps = "".join(f"{s['name']} -> " for s in self.steps)
        decision = self._model.decision_params()
        wraps = "".join(f", {k} {v}" for k, v in decision.items() if k in ("calibrate", "threshold"))
        return f"<shipml.Model {steps}{self.estimator} ({state}{wraps})>"


def _decided(core, calibrate, calibration_cv, threshold, threshold_cv):
    """`core` calibrated and thresholded as asked (unchanged when neither is)."""
    if calibrate is not None:
        core = core.calibrated(str(calibrate), int(calibration_cv))
    if threshold is not None:
        core = core.with_threshold(threshold if isinstance(threshold, str) else _params.text(threshold),
                                   int(threshold_cv))
    return core


def _from_bytes(data: bytes) -> Model:
    return Model._wrap(_core.Model.from_bytes(data, "(pickled model)"))


def _unfitted(estimator: str, params: Dict[str, str], steps: List[dict], decision: Optional[dict] = None) -> Model:
    d = decision or {}
    return Model._wrap(_decided(_core.Model(estimator, params, steps), d.get("calibrate"),
                                d.get("calibration_cv", 5), d.get("threshold"), d.get("threshold_cv", 5)))


def _csv(categorical, numeric, missing, table=None, query=None) -> dict:
    return {"categorical": list(categorical), "numeric": list(numeric), "missing": list(missing),
            "table": table or "", "query": query or ""}


def load(path: str) -> Model:
    """A model file, or ``models:/NAME/STAGE`` (or ``/VERSION``) from the registry."""
    return Model.load(path)


def inspect(path: str) -> dict:
    """What ``shipml inspect --json FILE`` prints, for a model file or registry reference."""
    return _core.inspect_file(os.fspath(path))
