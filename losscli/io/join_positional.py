"""Pairings that need no join: row i of NEW with row i of OLD, or both models in one input.

Both cut their input into batches of exactly ``batch_size`` rows (the last may hold fewer),
whatever the files' own batching, so batch-scope losses see the user's ``--batch-size``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pyarrow as pa

from losscli.bootstrap import key_hashes
from losscli.errors import InputDataError
from losscli.io.join_batch import NEW, OLD, PairCounts, PairedBatch, paired_name
from losscli.io.sources import BatchSource

__all__ = [
    "AlignedPairs",
    "SameFilePairs",
    "aligned_batches",
    "check_aligned_counts",
    "same_file_batch",
]


class AlignedPairs:
    """Row i of NEW paired with row i of OLD; the inputs must have the same number of rows."""

    def __init__(
        self,
        new: BatchSource,
        old: BatchSource,
        new_columns: Sequence[str],
        old_columns: Sequence[str],
        *,
        batch_size: int,
        check: Callable[[PairedBatch], None] | None = None,
    ) -> None:
        self.counts = PairCounts()
        self._sources = {NEW: new, OLD: old}
        self._columns = {
            NEW: list(dict.fromkeys(new_columns)),
            OLD: list(dict.fromkeys(old_columns)),
        }
        self._batch_size = batch_size
        self._check = check
        self._counted = False
        if new.total_rows is not None and old.total_rows is not None:
            check_aligned_counts(new.total_rows, old.total_rows)

    def batches(self) -> Iterator[PairedBatch]:
        end = 0
        for paired in aligned_batches(
            self._sources[NEW].batches(self._columns[NEW]),
            self._sources[OLD].batches(self._columns[OLD]),
            batch_size=self._batch_size,
            check=self._check,
        ):
            yield paired
            end = paired.start + paired.num_rows
        if not self._counted:
            self.counts = PairCounts(end, end, end)
            self._counted = True

    def close(self) -> None:
        """Nothing to remove (the sources are closed by their owner)."""

    def __enter__(self) -> AlignedPairs:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class SameFilePairs:
    """Both models' predictions in one input: each row is its own pair.

    ``columns`` are ``(input column, paired name)`` pairs. With ``key``, each row carries its
    key's hash (rows sharing a key are resampled together by the bootstrap).
    """

    def __init__(
        self,
        source: BatchSource,
        columns: Sequence[tuple[str, str]],
        *,
        batch_size: int,
        key: str | None = None,
    ) -> None:
        self.counts = PairCounts()
        self._source = source
        self._columns = list(columns)
        self._key = key
        self._batch_size = batch_size
        self._counted = False

    def batches(self) -> Iterator[PairedBatch]:
        wanted = list(
            dict.fromkeys([c for c, _ in self._columns] + ([self._key] if self._key else []))
        )
        rows = _Rows(self._source.batches(wanted))
        start = 0
        while (table := rows.take(self._batch_size)) is not None:
            yield same_file_batch(table, self._columns, start, key=self._key)
            start += table.num_rows
        if not self._counted:
            self.counts = PairCounts(start, start, start)
            self._counted = True

    def close(self) -> None:
        """Nothing to remove (the source is closed by its owner)."""

    def __enter__(self) -> SameFilePairs:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def check_aligned_counts(new_rows: int, old_rows: int) -> None:
    """Raise when two inputs paired by position have different row counts."""
    if new_rows != old_rows:
        raise InputDataError(
            f"--aligned pairs rows by position, but NEW has {new_rows} rows and OLD has "
            f"{old_rows}; give --key COL to match rows by a key instead"
        )


def aligned_batches(
    new: Iterator[pa.RecordBatch],
    old: Iterator[pa.RecordBatch],
    *,
    batch_size: int,
    start: int = 0,
    check: Callable[[PairedBatch], None] | None = None,
) -> Iterator[PairedBatch]:
    """Row i of ``new`` with row i of ``old``, in batches of ``batch_size`` from row ``start``.

    One stream ending before the other is an error; the counts it gives are the rows up to the
    end of each stream.
    """
    new_rows, old_rows = _Rows(new), _Rows(old)
    while True:
        first, second = new_rows.take(batch_size), old_rows.take(batch_size)
        rows = (first.num_rows if first else 0, second.num_rows if second else 0)
        if rows[0] != rows[1]:
            check_aligned_counts(
                start + rows[0] + new_rows.remaining(), start + rows[1] + old_rows.remaining()
            )
        if first is None or second is None:
            return
        paired = PairedBatch(_batch_of(_renamed(first, NEW) + _renamed(second, OLD)), start)
        if check is not None:
            check(paired)
        yield paired
        start += rows[0]


def same_file_batch(
    table: pa.Table | pa.RecordBatch,
    columns: Sequence[tuple[str, str]],
    start: int,
    *,
    key: str | None = None,
) -> PairedBatch:
    """Rows of one input holding both models, as paired rows numbered from ``start``.

    ``columns`` are ``(input column, paired name)`` pairs; with ``key``, each row carries its
    key's hash (an empty key is an error naming its row).
    """
    batch = _batch_of([(name, _combined(table.column(column))) for column, name in columns])
    hashes = keys = None
    if key is not None:
        keys = _combined(table.column(key))
        if keys.null_count:
            empty = keys.is_null().to_numpy(zero_copy_only=False)
            row = start + int(np.flatnonzero(empty)[0])
            raise InputDataError(f"the key column {key!r} is empty at row {row}")
        hashes = key_hashes(keys.to_numpy(zero_copy_only=False))
    return PairedBatch(batch, start, hashes, keys)


def _combined(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


class _Rows:
    """Rows of a batch stream taken in pieces of exactly the size asked for (fewer at the end)."""

    def __init__(self, batches: Iterator[pa.RecordBatch]) -> None:
        self._batches = batches
        self._pending: list[pa.RecordBatch] = []
        self._count = 0

    def take(self, size: int) -> pa.Table | None:
        while self._count < size:
            batch = next(self._batches, None)
            if batch is None:
                break
            if batch.num_rows:
                self._pending.append(batch)
                self._count += batch.num_rows
        if self._count == 0:
            return None
        table = pa.Table.from_batches(self._pending)
        taken = table.slice(0, size).combine_chunks()
        rest = table.slice(size)
        self._pending = rest.to_batches()
        self._count = rest.num_rows
        return taken

    def remaining(self) -> int:
        """Count (and consume) every row not yet taken."""
        return self._count + sum(batch.num_rows for batch in self._batches)


def _renamed(table: pa.Table, side: str) -> list[tuple[str, pa.Array]]:
    return [
        (paired_name(side, name), table.column(name).combine_chunks())
        for name in table.column_names
    ]


def _batch_of(columns: list[tuple[str, pa.Array]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([array for _, array in columns], [n for n, _ in columns])
