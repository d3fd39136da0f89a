"""KeyedJoin: the rows of two inputs paired by a key column, as a partitioned hash join.

Both inputs are streamed once and split by a hash of the key into P temporary Parquet files per
side (:mod:`losscli.io.join_partition`); then each pair of partitions is joined in memory
(:mod:`losscli.io.join_match`). P comes from the input size: rows (Parquet metadata) or bytes
times the width of a row (measured on the first batch), for about :data:`PARTITION_BYTES` of
Arrow data per partition and side, at most :data:`~losscli.io.join_partition.MAX_PARTITIONS`. A
partition that still holds more than twice the target is split again on other bits of the hash,
so the bound holds even when the input size was unknown (stdin) or misjudged. Memory is bounded
by the write buffer and by one partition pair (a few times :data:`PARTITION_BYTES`), never by
the input. Temporary files live in one directory removed by :meth:`KeyedJoin.close` (also on
errors and interrupts, through ``with``).

Each key's 64-bit hash (:func:`losscli.bootstrap.key_hashes`) travels with its row, for bootstrap
weights that follow the key rather than the row's position.
"""

from __future__ import annotations

import itertools
import math
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from losscli.bootstrap import key_hashes
from losscli.errors import ColumnError, InputDataError, UsageError
from losscli.io.join_batch import NEW, OLD, PairCounts, PairedBatch, paired_name
from losscli.io.join_match import join_partition_pair
from losscli.io.join_partition import (
    HASH_COLUMN,
    KEY_COLUMN,
    MAX_PARTITIONS,
    Part,
    hashes_of,
    split_large,
    write_partitions,
)
from losscli.io.sources import BatchSource

__all__ = ["PARTITION_BYTES", "KeyedJoin"]

PARTITION_BYTES = 32 << 20
"""Target Arrow bytes per side in one partition (1M rows of a key and three numbers)."""


class KeyedJoin:
    """Rows of NEW and OLD paired by the value of a key column, in bounded memory.

    ``new_columns`` and ``old_columns`` are the input columns to carry (the key aside); they
    appear as ``new:NAME`` and ``old:NAME``. A key appearing twice in one input is a data error
    naming the key; rows whose key is in one input only are counted (:attr:`counts`) and left
    out. Batches come partition by partition, each partition in NEW's order; the result of a
    computation over them must not depend on the order (keyed bootstrap weights, sums).

    Use as a context manager: :meth:`close` removes the temporary files.
    """

    def __init__(
        self,
        new: BatchSource,
        old: BatchSource,
        key: str,
        new_columns: Sequence[str],
        old_columns: Sequence[str],
        *,
        batch_size: int,
        check: Callable[[PairedBatch], None] | None = None,
        rows_per_partition: int | None = None,
        temp_dir: str | None = None,
    ) -> None:
        if rows_per_partition is not None and rows_per_partition < 1:
            raise UsageError("rows per partition must be at least 1")
        self.key = key
        self.counts = PairCounts()
        self._sources = {NEW: new, OLD: old}
        self._columns = {
            NEW: list(dict.fromkeys(new_columns)),
            OLD: list(dict.fromkeys(old_columns)),
        }
        for side, source in self._sources.items():
            if key not in source.schema.names:
                raise ColumnError(
                    f"no key column {key!r} in {side.upper()} ({source.description}); --key must "
                    "name a column present in both inputs"
                )
        self._key_type = _key_type(new.schema.field(key).type, old.schema.field(key).type, key)
        self._batch_size = batch_size
        self._check = check
        self._rows_per_partition = rows_per_partition
        self._temp_root = temp_dir
        self._directory: Path | None = None
        self._leaves: list[tuple[Part, Part]] | None = None
        self._counted = False

    def __enter__(self) -> KeyedJoin:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the temporary partition files; safe to call more than once."""
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    @property
    def partitions(self) -> int:
        """How many partition pairs were joined (after any re-split); 0 before the first pass."""
        return 0 if self._leaves is None else len(self._leaves)

    def batches(self) -> Iterator[PairedBatch]:
        """The paired rows; may be called again (the partitions stay until :meth:`close`)."""
        if self._leaves is None:
            self._leaves = self._partition()
        descriptions = {side: source.description for side, source in self._sources.items()}
        start = 0
        for new_part, old_part in self._leaves:
            joined = join_partition_pair(new_part, old_part, descriptions)
            if joined is None:
                continue
            keys = joined.column(KEY_COLUMN).combine_chunks()
            hashes = hashes_of(joined)
            data = joined.drop_columns([KEY_COLUMN, HASH_COLUMN])
            for offset in range(0, joined.num_rows, self._batch_size):
                rows = min(self._batch_size, joined.num_rows - offset)
                batch = data.slice(offset, rows).combine_chunks().to_batches()[0]
                paired = PairedBatch(
                    batch, start, hashes[offset : offset + rows], keys.slice(offset, rows)
                )
                if self._check is not None:
                    self._check(paired)
                yield paired
                start += rows
            del joined, keys, hashes, data, batch, paired  # before reading the next partition
        if not self._counted:
            self.counts.matched = start
            self._counted = True

    # ---- partitioning

    def _partition(self) -> list[tuple[Part, Part]]:
        if self._directory is not None:
            raise RuntimeError("the inputs are already partitioned")
        self._directory = Path(tempfile.mkdtemp(prefix="losscli-compare-", dir=self._temp_root))
        streams = {
            side: source.batches([self.key, *self._columns[side]])
            for side, source in self._sources.items()
        }
        firsts = {side: next(stream, None) for side, stream in streams.items()}
        if self._rows_per_partition is None:
            widths = [
                batch.nbytes / batch.num_rows for batch in firsts.values() if batch is not None
            ]
            row_bytes = max([*widths, 1.0]) + 8  # and the key hash
            self._rows_per_partition = max(1, int(PARTITION_BYTES // row_bytes))
        parts = self._initial_partitions()
        sides = {}
        for side, stream in streams.items():
            first = firsts[side]
            batches = stream if first is None else itertools.chain([first], stream)
            tables = self._tables(side, batches)
            sides[side] = write_partitions(
                self._directory, side, parts, self._side_schema(side), tables
            )
        schemas = (self._side_schema(NEW), self._side_schema(OLD))
        leaves: list[tuple[Part, Part]] = []
        for index, pair in enumerate(zip(sides[NEW], sides[OLD], strict=True)):
            leaves += split_large(
                pair,
                directory=self._directory,
                schemas=schemas,
                target_rows=self._rows_per_partition,
                batch_size=self._batch_size,
                name=f"p{index}",
            )
        return leaves

    def _initial_partitions(self) -> int:
        """P from the input size: rows from metadata, else bytes (at least 16 per row)."""
        assert self._rows_per_partition is not None
        sizes = []
        for source in self._sources.values():
            if source.total_rows is not None:
                sizes.append(source.total_rows)
            elif source.total_bytes is not None:
                sizes.append(source.total_bytes // 16)
        rows = max(sizes, default=0)
        return min(MAX_PARTITIONS, max(1, math.ceil(rows / self._rows_per_partition)))

    def _side_schema(self, side: str) -> pa.Schema:
        source = self._sources[side]
        fields = [pa.field(KEY_COLUMN, self._key_type), pa.field(HASH_COLUMN, pa.uint64())]
        for name in self._columns[side]:
            fields.append(source.schema.field(name).with_name(paired_name(side, name)))
        return pa.schema(fields)

    def _tables(self, side: str, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.Table]:
        """Each batch of one side as a partition table: key, key hash, carried columns.

        Counts the side's rows in :attr:`counts` once every batch is read.
        """
        schema = self._side_schema(side)
        rows = 0
        for batch in batches:
            keys = self._keys(batch.column(0), side, rows)
            hashes = key_hashes(keys.to_numpy(zero_copy_only=False))
            arrays = [keys, pa.array(hashes, pa.uint64()), *batch.columns[1:]]
            yield pa.Table.from_arrays(arrays, schema=schema)
            rows += batch.num_rows
        setattr(self.counts, side, rows)

    def _keys(self, column: pa.Array, side: str, offset: int) -> pa.Array:
        """The key column cast to the common key type; an empty or NaN key is a data error."""
        if column.null_count:
            row = offset + int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
            raise InputDataError(
                f"the key column {self.key!r} of {side.upper()} "
                f"({self._sources[side].description}) is empty at row {row}; every row needs a key"
            )
        keys = column.cast(self._key_type) if not column.type.equals(self._key_type) else column
        if pa.types.is_floating(self._key_type) and pc.any(pc.is_nan(keys)).as_py():
            row = offset + int(np.flatnonzero(pc.is_nan(keys).to_numpy(zero_copy_only=False))[0])
            raise InputDataError(
                f"the key column {self.key!r} of {side.upper()} is NaN at row {row}; every row "
                "needs a key"
            )
        return keys


def _key_type(new: pa.DataType, old: pa.DataType, key: str) -> pa.DataType:
    """One type for the key in both inputs, so equal values hash and match alike."""
    new = new.value_type if pa.types.is_dictionary(new) else new
    old = old.value_type if pa.types.is_dictionary(old) else old
    if pa.types.is_integer(new) and pa.types.is_integer(old):
        return pa.int64()
    numeric = (pa.types.is_integer, pa.types.is_floating)
    if any(f(new) for f in numeric) and any(f(old) for f in numeric):
        return pa.float64()
    if all(pa.types.is_string(t) or pa.types.is_large_string(t) for t in (new, old)):
        return pa.large_string()
    if all(pa.types.is_binary(t) or pa.types.is_large_binary(t) for t in (new, old)):
        return pa.large_binary()
    if new.equals(old) and not pa.types.is_nested(new):
        return new
    if pa.types.is_nested(new) or pa.types.is_nested(old):
        nested = new if pa.types.is_nested(new) else old
        raise ColumnError(
            f"--key {key!r} holds {nested} values, which cannot match rows; the key must hold "
            "plain values (integers, numbers or strings)"
        )
    raise ColumnError(
        f"--key {key!r} holds {new} values in NEW but {old} in OLD; the key must hold the same "
        "kind of values (integers, numbers or strings) in both"
    )
