"""Batch scoring: a model scores data of any size, from a file or a database
table, into a file or a table, in bounded memory, as `shipml predict` does
(docs/batch.md). The job is recorded as a run."""
from __future__ import annotations

import os
from typing import Any, Dict, Optional, Sequence, Union

from . import _core
from .model import Model


def predict_batch(model: Union[Model, str, os.PathLike], data: Union[str, os.PathLike], out: Union[str, os.PathLike],
                  *, table: Optional[str] = None, query: Optional[str] = None, out_table: Optional[str] = None,
                  if_exists: str = "fail", id: Union[str, Sequence[str]] = (), proba: bool = False,
                  explain: bool = False, memory: Optional[str] = None, threads: int = 0,
                  missing: Sequence[str] = ()) -> Dict[str, Any]:
    """Scores every row of `data` with `model` and writes the scores to `out`.

    `model` is a fitted :class:`Model`, a model file, or ``"models:/NAME/STAGE"``.
    `data` is a CSV file (plain, ``.gz`` or ``.zst``), a JSON-lines file, or a
    database URI (``sqlite:///path.db``, ``postgresql://user@host/db``) with
    `table` or `query`. `out` is a CSV or JSON-lines file (optionally
    compressed) or a database URI with `out_table`; `if_exists` says what to
    do with a table that exists: ``"fail"``, ``"append"`` or ``"replace"``.
    Nothing is written unless every row is scored. `id` names columns copied
    into the output; `memory` (``"256M"``) bounds the rows in flight.

    Returns what the job did: rows, seconds, the fingerprint of the rows read,
    the run id (None when tracking is off), the source's and output's records.
    """
    target = model._model if isinstance(model, Model) else os.fspath(model)
    ids = [id] if isinstance(id, str) else list(id)
    return _core.run_batch_job(target, os.fspath(data), table or "", query or "", list(missing), os.fspath(out),
                               out_table or "", if_exists, ids, proba, explain, memory or "", threads)
