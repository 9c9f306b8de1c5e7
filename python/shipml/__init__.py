"""shipml: tabular machine learning from experiment to production.

The same models, files and runs as the ``shipml`` command line, the C++ library
and ``shipml serve``: a model fitted here is the file the server answers with,
and a model trained by the command line opens here.

    import shipml
    model = shipml.Model("hist_gbdt", learning_rate=0.05).fit(df, target="churn")
    model.save("churn.shipml")          # shipml serve churn.shipml

scikit-learn compatible estimators are in shipml.sklearn.
"""
from ._core import (DataError, Error, FileError, ModelFileError, UsageError,  # noqa: F401
                    __version__)
from . import _progress
from .batch import predict_batch
from ._data import read, read_csv
from ._progress import progress
from .catalog import estimators, metrics, transformers
from .charts import Chart, chart_kinds, plot
from .experiment import compare, folds, run_experiment, score, search, select
from .explanations import Contributions
from .model import Model, inspect, load
from .records import delete_run, registry, report, run, run_model, runs, tracking
from .results import Leaderboard, ScoreResult, SearchResult, Selection

__all__ = [
    "Chart", "Contributions", "DataError", "Error", "FileError", "Leaderboard", "Model", "ModelFileError",
    "ScoreResult", "SearchResult", "Selection", "UsageError", "chart_kinds", "compare", "delete_run", "estimators",
    "inspect", "folds", "load", "metrics", "plot", "predict_batch", "progress", "read", "read_csv", "registry", "report", "run",
    "run_experiment", "run_model", "runs", "score", "search", "select", "tracking", "transformers",
]
