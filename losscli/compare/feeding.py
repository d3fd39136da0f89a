"""Fold paired batches into a :class:`PairedComputation`: the step shared by every engine.

The local engine feeds the batches of one pairing front to back; a Dask worker feeds those of
its part. Both go through these functions, so a row is weighed and numbered the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from losscli.compare.engine import PairedComputation
from losscli.compare.layout import Layout
from losscli.compare.poisson import poisson_draw
from losscli.errors import InputDataError
from losscli.io.join import PairedBatch

__all__ = ["feed_paired", "paired_targets"]


def paired_targets(
    layout: Layout, batches: Iterable[PairedBatch]
) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """``(y_true, weights)`` of every paired batch, for the first pass."""
    for paired in batches:
        y_true, _, _, weights = layout.arrays(paired.batch, pad_ragged_true=True)
        yield y_true, weights


def feed_paired(
    computation: PairedComputation,
    paired: PairedBatch,
    layout: Layout,
    *,
    pads: bool,
    keyed: bool,
) -> None:
    """Fold one paired batch into the computation, with its rows' Poisson weights.

    ``pads``: pad ragged y_true (sequence losses); ``keyed``: rows were matched by key, so
    errors say how their rows are numbered.
    """
    options = computation.options
    y_true, new, old, weights = layout.arrays(paired.batch, pad_ragged_true=pads)
    slice_ids = None
    if layout.group_by:
        slice_ids = computation.slice_ids([paired.batch.column(n) for n in layout.group_by])
    try:
        computation.feed(
            y_true,
            new,
            old,
            poisson=poisson_draw(
                options.seed, options.replicates, hashes=paired.hashes, start=paired.start
            ),
            sample_weight=weights,
            slice_ids=slice_ids,
            row_offset=paired.start,
        )
    except InputDataError as exc:
        if not keyed:
            raise
        raise type(exc)(f"{exc} (rows matched by key are numbered in join order)") from None
