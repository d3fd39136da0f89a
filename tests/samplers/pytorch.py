"""Valid random inputs for the PyTorch losses, in losscli's layout (see losscli/losses/pytorch.py).

Labels are 1 or -1 where torch expects them, NLL gets log-probabilities, the Gaussian NLL gets
``[means | variances]`` and the pair and triplet losses two inputs side by side.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.samplers import Sampler


def _width(rng: np.random.Generator) -> int:
    return int(rng.integers(1, 5))


def _signs(rng: np.random.Generator, shape: Any) -> np.ndarray:
    return rng.choice([-1.0, 1.0], size=shape)


def nll(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    classes = _width(rng) + 1
    logits = rng.normal(0, 2, (n, classes))
    log_probabilities = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    labels = rng.integers(0, classes, n)
    labels[rng.random(n) < 0.2] = -100  # ignored rows
    return labels, log_probabilities


def regression(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    k = _width(rng)
    return rng.normal(0, 3, (n, k)), rng.normal(0, 3, (n, k))


def poisson_nll(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    k = _width(rng)
    return rng.poisson(3.0, (n, k)).astype(float), rng.normal(0, 1, (n, k))


def gaussian_nll(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    k = _width(rng)
    variances = rng.uniform(0.05, 4.0, (n, k if rng.random() < 0.5 else 1))
    return rng.normal(0, 2, (n, k)), np.hstack([rng.normal(0, 2, (n, k)), variances])


def pair(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    return _signs(rng, n), rng.normal(0, 1, (n, 2 * _width(rng)))


def signed_scores(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    k = _width(rng)
    return _signs(rng, (n, k)), rng.normal(0, 2, (n, k))


def distances(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    k = _width(rng)
    return _signs(rng, (n, k)), np.abs(rng.normal(0, 1.5, (n, k)))


def multilabel(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    k = _width(rng) + 1
    return rng.integers(0, 2, (n, k)).astype(float), rng.normal(0, 2, (n, k))


def multi_margin(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    classes = _width(rng) + 1
    return rng.integers(0, classes, n), rng.normal(0, 1, (n, classes))


def triplet(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    d = _width(rng)
    return rng.normal(0, 1, (n, d)), rng.normal(0, 1, (n, 2 * d))


SAMPLERS: dict[str, Sampler] = {
    "nll": nll,
    "smooth_l1": regression,
    "poisson_nll": poisson_nll,
    "gaussian_nll": gaussian_nll,
    "margin_ranking": pair,
    "soft_margin": signed_scores,
    "multilabel_soft_margin": multilabel,
    "multi_margin": multi_margin,
    "cosine_embedding": pair,
    "hinge_embedding": distances,
    "triplet_margin": triplet,
}
