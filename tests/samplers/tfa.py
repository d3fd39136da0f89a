"""Valid random inputs for the TensorFlow Addons losses (``losscli.losses.tfa``).

Each sampler returns ``n`` rows whose loss is finite with the default parameters, as long as
the whole sample is one batch. Two TFA losses are NaN for some batches by definition:
``triplet_semihard`` and ``lifted_struct`` without a positive pair (0/0), and
``lifted_struct`` when every row has the same label; so their labels always include a
positive pair and, from three rows on, a second label. With two rows ``lifted_struct`` is
always NaN (one label: no negatives; two labels: no positive pair).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def labels_with_pair(rng: np.random.Generator, n: int, classes: int = 3) -> np.ndarray:
    """Integer labels with a positive pair (rows 0 and 1) and, when n >= 3, two labels."""
    labels = rng.integers(0, classes, size=n)
    if n >= 2:
        labels[1] = labels[0]
    if n >= 3 and np.all(labels == labels[0]):
        labels[2] = (labels[0] + 1) % classes
    return labels


def unit_rows(rng: np.random.Generator, n: int, dims: int = 3) -> np.ndarray:
    """L2-normalised embeddings."""
    rows = rng.normal(0, 1, (n, dims))
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def boxes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Boxes ``[y_min, x_min, y_max, x_max]`` of positive size, often overlapping."""
    low = rng.uniform(0, 10, (n, 2))
    return np.concatenate([low, low + rng.uniform(0.5, 6, (n, 2))], axis=1)


def focal(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    k = int(rng.integers(1, 4))
    return rng.integers(0, 2, (n, k)).astype(float), rng.uniform(0, 1, (n, k))


def box_pair(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    return boxes(rng, n), boxes(rng, n)


def contrastive(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    return rng.integers(0, 2, n).astype(float), rng.uniform(0, 2, n)


def pinball(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    k = int(rng.integers(1, 4))
    return rng.normal(0, 3, (n, k)), rng.normal(0, 3, (n, k))


def embeddings(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    return labels_with_pair(rng, n), unit_rows(rng, n)


def raw_embeddings(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    return labels_with_pair(rng, n), rng.normal(0, 1, (n, 3))


def npairs(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    """Labels and the [n, n] similarity matrix of random anchors and positives."""
    anchors, positives = rng.normal(0, 1, (n, 3)), rng.normal(0, 1, (n, 3))
    return rng.integers(0, 3, n), anchors @ positives.T


def kappa(rng: np.random.Generator, n: int) -> tuple[Any, Any]:
    classes = int(rng.integers(2, 6))
    return np.eye(classes)[rng.integers(0, classes, n)], rng.dirichlet(np.ones(classes), n)


SAMPLERS = {
    "sigmoid_focal_crossentropy": focal,
    "giou": box_pair,
    "iou": box_pair,
    "contrastive": contrastive,
    "pinball": pinball,
    "triplet_semihard": embeddings,
    "triplet_hard": embeddings,
    "lifted_struct": raw_embeddings,
    "npairs": npairs,
    "weighted_kappa": kappa,
}
