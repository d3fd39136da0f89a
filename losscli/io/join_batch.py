"""What every pairing yields: batches of paired rows, with ``new:``/``old:`` column names.

Whatever the pairing (by key, by position, within one file), the comparison engine reads both
models from one record batch: a column NAME of the NEW input is ``new:NAME``, of OLD ``old:NAME``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

__all__ = ["NEW", "OLD", "PairCounts", "PairedBatch", "paired_name"]

NEW, OLD = "new", "old"


def paired_name(side: str, column: str) -> str:
    """The name of an input column in paired batches: ``new:y_pred``, ``old:y_pred``."""
    return f"{side}:{column}"


@dataclass(frozen=True)
class PairedBatch:
    """Paired rows: ``batch`` has the ``new:``/``old:`` columns.

    ``start`` is the position of the first row among all paired rows of this pass; ``hashes``
    are the rows' key hashes (weights follow the key) or None (weights follow the position).
    """

    batch: pa.RecordBatch
    start: int
    hashes: np.ndarray | None = None
    keys: pa.Array | None = None

    @property
    def num_rows(self) -> int:
        return self.batch.num_rows

    def describe_row(self, index: int) -> str:
        """How to name row ``index`` of this batch to the user: its key or its position."""
        if self.keys is not None:
            return f"key {self.keys[index].as_py()!r}"
        return f"row {self.start + index}"


@dataclass
class PairCounts:
    """How many rows each input has and how many were paired."""

    new: int = 0
    old: int = 0
    matched: int = 0

    @property
    def only_new(self) -> int:
        return self.new - self.matched

    @property
    def only_old(self) -> int:
        return self.old - self.matched
