"""The Poisson(1) bootstrap weights of a batch's rows, following their key or their position.

Keyed weights (:func:`~losscli.bootstrap.cluster_weights`) do not depend on file order,
partitioning or batch size; positional ones (:func:`~losscli.bootstrap.row_weights`) on neither
partitioning nor batch size.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from losscli.bootstrap import cluster_weights, row_weights

__all__ = ["PoissonDraw", "poisson_draw"]

PoissonDraw = Callable[[int, int], np.ndarray]
"""``draw(lo, hi)``: the ``[hi - lo, R]`` Poisson weights of rows ``lo .. hi - 1`` of a batch."""


def poisson_draw(
    seed: int, replicates: int, *, hashes: np.ndarray | None = None, start: int = 0
) -> PoissonDraw:
    """Poisson weights keyed by the rows' key hashes, or by their positions from ``start``."""
    if hashes is not None:
        keyed = hashes
        return lambda lo, hi: cluster_weights(seed, keyed[lo:hi], replicates)
    return lambda lo, hi: row_weights(seed, start + lo, hi - lo, replicates)
