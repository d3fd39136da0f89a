"""The ``--group-by`` slices of a comparison: a stable number per distinct combination of values.

Slice numbers stay the same across batches, so each slice's sums can be kept by number; at most
:data:`MAX_SLICES` exist, since each keeps 2 x losses x R bootstrap sums.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from losscli.errors import UsageError

__all__ = ["MAX_SLICES", "OVERALL", "SliceIndex", "groups"]

MAX_SLICES = 1000
"""Most distinct ``--group-by`` slices: each keeps 2 x losses x R bootstrap sums."""
OVERALL = -1
"""The slice number of all rows together."""


class SliceIndex:
    """Numbers the distinct ``--group-by`` value combinations in order of first appearance."""

    def __init__(self, group_by: Sequence[str]) -> None:
        self.group_by = tuple(group_by)
        self.keys: list[tuple[Any, ...]] = []
        self._index: dict[tuple[Any, ...], int] = {}

    def ids(self, columns: Sequence[pa.Array | pa.ChunkedArray]) -> np.ndarray:
        """The slice number of each row from its ``--group-by`` values (stable across batches)."""
        codes, values = [], []
        for column in columns:
            if isinstance(column, pa.ChunkedArray):
                column = column.combine_chunks()
            if pa.types.is_dictionary(column.type):
                column = column.dictionary_decode()  # its codes would leave nulls unencoded
            encoded = column.dictionary_encode(null_encoding="encode")
            codes.append(encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64))
            values.append([_slice_value(value) for value in encoded.dictionary.to_pylist()])
        combos, inverse = np.unique(np.stack(codes, axis=1), axis=0, return_inverse=True)
        mapping = np.array(
            [
                self.number(tuple(values[c][code] for c, code in enumerate(combo)))
                for combo in combos
            ],
            dtype=np.int64,
        )
        return mapping[inverse.reshape(-1)]

    def sorted_ids(self) -> list[int]:
        """Every slice number, in the order of the slices' values."""
        return sorted(range(len(self.keys)), key=lambda i: _sort_key(self.keys[i]))

    def named(self, sid: int) -> tuple[tuple[str, Any], ...] | None:
        """Slice ``sid`` as ``((column, value), ...)``; None for :data:`OVERALL`."""
        if sid == OVERALL:
            return None
        return tuple(zip(self.group_by, self.keys[sid], strict=True))

    def number(self, key: tuple[Any, ...]) -> int:
        """The number of the slice of ``key``, numbering it next if it is new (at most MAX)."""
        index = self._index.get(key)
        if index is None:
            if len(self.keys) >= MAX_SLICES:
                raise UsageError(
                    f"--group-by {', '.join(self.group_by)} has more than {MAX_SLICES} distinct "
                    "values; group by a coarser column"
                )
            index = len(self.keys)
            self.keys.append(key)
            self._index[key] = index
        return index


def groups(ids: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """``(id, positions)`` for every distinct id, positions in increasing order."""
    if ids.size == 0:
        return []
    order = np.argsort(ids, kind="stable")
    bounds = np.flatnonzero(np.diff(ids[order])) + 1
    return [(int(ids[part[0]]), part) for part in np.split(order, bounds)]


def _slice_value(value: Any) -> Any:
    """A group value as a dictionary key: NaN joins null (NaN is not equal to itself)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        (value is None, type(value).__name__, 0 if value is None else value) for value in key
    )
