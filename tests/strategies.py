"""Valid random inputs for any registered loss, driven by its declared target kind.

Property tests are written once for the whole registry; this module is the only place that
knows what "valid input" means for each kind of target.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from losscli.losses import LossSpec, Target
from tests.samplers import all_samplers

_SAMPLERS = all_samplers()


def probability_rows(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    return rng.dirichlet(np.ones(k), size=n)


def one_hot(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    return np.eye(k)[rng.integers(0, k, size=n)]


def sample_inputs(spec: LossSpec, rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    """A valid (y_true, y_pred) pair of ``n`` rows for ``spec`` with its default parameters."""
    special = _SAMPLERS.get(spec.name)
    if special is not None:
        return special(rng, n)
    k = int(rng.integers(2, 5))
    target, name = spec.target, spec.name
    if target is Target.REAL:
        if name == "poisson":
            return rng.poisson(3.0, (n, k)).astype(float), rng.uniform(0.1, 6.0, (n, k))
        return rng.normal(0, 3, (n, k)), rng.normal(0, 3, (n, k))
    if target is Target.BINARY:
        labels = rng.integers(0, 2, (n, k)).astype(float)
        if name in ("hinge", "squared_hinge"):
            return labels, rng.normal(0, 2, (n, k))
        return labels, rng.uniform(0, 1, (n, k))
    if target is Target.ONE_HOT:
        if name == "categorical_hinge":
            return one_hot(rng, n, k), rng.normal(0, 2, (n, k))
        return one_hot(rng, n, k), probability_rows(rng, n, k)
    if target is Target.DISTRIBUTION:
        return probability_rows(rng, n, k), probability_rows(rng, n, k)
    if target is Target.SPARSE_LABEL:
        return rng.integers(0, k, n), probability_rows(rng, n, k)
    if target is Target.SEQUENCE:
        lengths = rng.integers(0, 3, n)
        labels = np.zeros((n, 2), dtype=int)
        for row, length in enumerate(lengths):
            labels[row, :length] = rng.integers(1, 3, length)
        return labels, rng.normal(0, 2, (n, 5, 3))
    if target is Target.EMBEDDING_LABEL:
        embeddings = rng.normal(0, 1, (n, 3))
        embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
        return rng.integers(0, 3, n), embeddings
    raise AssertionError(f"no sampler for target {target}")


def take_rows(values: Any, rows: np.ndarray) -> Any:
    return np.asarray(values)[rows]
