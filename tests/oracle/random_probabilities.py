"""Random class probabilities for the metric oracles (sklearn_reference.py and
weighted_reference.py): each row leans towards its true class, optionally
rounded so that scores tie."""
import numpy as np


def random_probabilities(rng, n, k, ties=False, p_class=None):
    """(true classes, probabilities): n rows of k classes drawn from rng."""
    y = rng.choice(k, size=n, p=p_class)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]
    if ties:
        logits = np.round(logits)
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    if ties:
        proba = np.round(proba, 1)
        proba[:, -1] = 1 - proba[:, :-1].sum(axis=1)
        proba = np.clip(proba, 0, 1)
    return y, proba
