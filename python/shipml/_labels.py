"""Class labels in the user's own type and order, read from the model file
alone, so every model gives the same labels however it was made (fitted in
Python, by the command line, refit by a search, loaded from a run or the
registry): a numeric target gives ints (floats when a label is not whole),
True/False text gives bools (as pandas reads such a column), any other text
gives strings. The order is the library's: numbers by value, text by bytes,
which is NumPy's sorted order too."""
from __future__ import annotations

import math

import numpy as np

from . import _core

_BOOLS = {"False": False, "True": True}


def classes(model: _core.Model) -> np.ndarray:
    """The classes in the model's order (the columns of predict_proba)."""
    texts = model.classes
    training = model.metadata.get("training", {})
    numeric = training.get("target_type") == "numeric" if "target_type" in training else \
        _core.parse_numbers(texts) is not None  # files written before the target's type was recorded
    if numeric:
        numbers = [float(t) for t in texts]
        if all(math.isfinite(v) and v.is_integer() for v in numbers):
            return np.asarray([int(v) for v in numbers])
        return np.asarray(numbers)
    if texts and set(texts) <= _BOOLS.keys():
        return np.asarray([_BOOLS[t] for t in texts])
    return np.asarray(texts, dtype=object).astype(str)
