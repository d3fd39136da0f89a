"""Pair the rows of two prediction inputs: by a key column, by position, or within one file.

Every pairing yields :class:`PairedBatch` es whose columns are renamed ``new:NAME`` (from the
NEW input) and ``old:NAME`` (from the OLD input), so the comparison engine reads both models
from one record batch whatever the pairing was.

``KeyedJoin`` is a partitioned hash join in bounded memory. Both inputs are streamed once and
split by a hash of the key into P temporary Parquet files per side; then each pair of partitions
is joined in memory (``pyarrow.compute.index_in`` and ``take``, which, unlike ``Table.join``,
carry list columns). P comes from the input size: rows (Parquet metadata) or bytes times the
width of a row (measured on the first batch), for about :data:`PARTITION_BYTES` of Arrow data
per partition and side, at most :data:`MAX_PARTITIONS`. A partition that still holds more than
twice the target is split again on other bits of the hash, so the bound holds even when the
input size was unknown (stdin) or misjudged. Memory is bounded by the write buffer
(:data:`BUFFER_BYTES`) and by one partition pair (a few times :data:`PARTITION_BYTES`), never by
the input. Temporary files live in one directory removed by
:meth:`KeyedJoin.close` (also on errors and interrupts, through ``with``).

Each key's 64-bit hash (:func:`losscli.bootstrap.key_hashes`) travels with its row, for bootstrap
weights that follow the key rather than the row's position.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from losscli.bootstrap import key_hashes
from losscli.errors import InputDataError, UsageError
from losscli.io.columns import columns_to_array
from losscli.io.sources import BatchSource

__all__ = [
    "BUFFER_BYTES",
    "HASH_COLUMN",
    "KEY_COLUMN",
    "MAX_PARTITIONS",
    "NEW",
    "OLD",
    "PARTITION_BYTES",
    "AlignedPairs",
    "KeyedJoin",
    "PairCounts",
    "PairedBatch",
    "SameFilePairs",
    "TargetCheck",
    "paired_name",
]

NEW, OLD = "new", "old"
KEY_COLUMN = "losscli:key"
HASH_COLUMN = "losscli:hash"
PARTITION_BYTES = 32 << 20
"""Target Arrow bytes per side in one partition (1M rows of a key and three numbers)."""
MAX_PARTITIONS = 512
"""At most this many partition files are open at once (one writer each)."""
BUFFER_BYTES = 32 << 20
"""Arrow bytes buffered across all partitions before they are written out as row groups."""
MAX_SPLIT_DEPTH = 4
TARGET_RTOL = 1e-6
"""y_true values of the two inputs agree when equal up to this relative difference (float32)."""


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


@dataclass(frozen=True)
class TargetCheck:
    """y_true read from both inputs (paired names); rows where they differ are a data error.

    Values agree when equal up to a relative difference of :data:`TARGET_RTOL` (float32
    rounding: one file may store float32 labels, the other float64), NaN equal to NaN.
    """

    new: tuple[str, ...]
    old: tuple[str, ...]

    def __call__(self, paired: PairedBatch) -> None:
        first = columns_to_array(paired.batch, self.new, pad_ragged=True)
        second = columns_to_array(paired.batch, self.old, pad_ragged=True)
        if first.shape != second.shape:
            raise InputDataError(
                f"y_true has shape {first.shape[1:]} per row in NEW but {second.shape[1:]} in "
                "OLD; both inputs must hold the same targets"
            )
        a, b = first.astype(np.float64), second.astype(np.float64)
        same = np.isclose(a, b, rtol=TARGET_RTOL, atol=0.0, equal_nan=True)
        bad = ~same.reshape(len(same), -1).all(axis=1) if same.ndim > 1 else ~same
        if not bad.any():
            return
        index = int(np.flatnonzero(bad)[0])
        more = int(np.count_nonzero(bad)) - 1
        others = f" and {more} more row(s) of the same batch" if more else ""
        raise InputDataError(
            f"y_true differs between NEW and OLD at {paired.describe_row(index)} "
            f"(NEW {_show(first[index])}, OLD {_show(second[index])}){others}; both inputs must "
            "hold the same targets (check --key, or that the files are of the same data)"
        )


def _show(value: np.ndarray) -> str:
    return str(value.tolist())


# --------------------------------------------------------------------------------------------
# keyed: a partitioned hash join


@dataclass(frozen=True)
class _Part:
    """One side's rows of one partition: a Parquet file (None when empty) and its row count."""

    path: Path | None
    rows: int


class _PartitionWriter:
    """Rows of one side spread over ``parts`` Parquet files by partition number.

    Rows are buffered per partition and written as one row group per partition once
    :data:`BUFFER_BYTES` are waiting, so memory is bounded by the buffer, not the input.
    """

    def __init__(self, directory: Path, prefix: str, parts: int, schema: pa.Schema) -> None:
        self._paths = [directory / f"{prefix}-{index}.parquet" for index in range(parts)]
        self._schema = schema
        self._buffers: list[list[pa.Table]] = [[] for _ in range(parts)]
        self._rows = [0] * parts
        self._buffered = 0
        self._writers: dict[int, pq.ParquetWriter] = {}

    def write(self, table: pa.Table, parts: np.ndarray) -> None:
        order = np.argsort(parts, kind="stable")
        ordered = table.take(pa.array(order))
        counts = np.bincount(parts, minlength=len(self._paths))
        start = 0
        for index in np.flatnonzero(counts):
            count = int(counts[index])
            self._buffers[index].append(ordered.slice(start, count))
            self._rows[index] += count
            start += count
        self._buffered += table.nbytes
        if self._buffered >= BUFFER_BYTES:
            self._flush()

    def _flush(self) -> None:
        for index, buffered in enumerate(self._buffers):
            if not buffered:
                continue
            writer = self._writers.get(index)
            if writer is None:
                writer = pq.ParquetWriter(self._paths[index], self._schema)
                self._writers[index] = writer
            writer.write_table(pa.concat_tables(buffered).combine_chunks())
            self._buffers[index] = []
        self._buffered = 0

    def close(self) -> list[_Part]:
        """Write what is buffered, close every file; the parts in partition order."""
        try:
            self._flush()
        finally:
            self.abort()
        return [
            _Part(path if rows else None, rows)
            for path, rows in zip(self._paths, self._rows, strict=True)
        ]

    def abort(self) -> None:
        for writer in self._writers.values():
            with contextlib.suppress(Exception):
                writer.close()
        self._writers = {}


def _mix(hashes: np.ndarray, level: int) -> np.ndarray:
    """SplitMix64 of the key hash salted by the split level: independent bits per level."""
    mask = np.uint64(0xFFFFFFFFFFFFFFFF)
    with np.errstate(over="ignore"):
        x = (hashes ^ np.uint64(0x9E3779B97F4A7C15 * (level + 1) & 0xFFFFFFFFFFFFFFFF)) & mask
        x = ((x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & mask
        x = ((x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & mask
        return x ^ (x >> np.uint64(31))


def partition_of(hashes: np.ndarray, parts: int, level: int = 0) -> np.ndarray:
    """The partition (``0 .. parts - 1``) of each key hash at split ``level``."""
    return (_mix(hashes.astype(np.uint64), level) % np.uint64(parts)).astype(np.intp)


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
    raise UsageError(
        f"--key {key!r} holds {new} values in NEW but {old} in OLD; the key must hold the same "
        "kind of values (integers, numbers or strings) in both"
    )


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
                raise InputDataError(
                    f"no key column {key!r} in {side.upper()} ({source.description}); --key must "
                    "name a column present in both inputs"
                )
        self._key_type = _key_type(new.schema.field(key).type, old.schema.field(key).type, key)
        self._batch_size = batch_size
        self._check = check
        self._rows_per_partition = rows_per_partition
        self._temp_root = temp_dir
        self._directory: Path | None = None
        self._leaves: list[tuple[_Part, _Part]] | None = None
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
        start = 0
        for new_part, old_part in self._leaves:
            joined = self._join(new_part, old_part)
            if joined is None:
                continue
            keys = joined.column(KEY_COLUMN).combine_chunks()
            hashes = _numpy(joined.column(HASH_COLUMN)).astype(np.uint64)
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

    def _partition(self) -> list[tuple[_Part, _Part]]:
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
            sides[side] = self._write_side(side, parts, batches)
        leaves: list[tuple[_Part, _Part]] = []
        for index, pair in enumerate(zip(sides[NEW], sides[OLD], strict=True)):
            leaves.extend(self._split_if_large(pair, f"p{index}", 1))
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

    def _write_side(self, side: str, parts: int, batches: Iterable[pa.RecordBatch]) -> list[_Part]:
        assert self._directory is not None
        schema = self._side_schema(side)
        writer = _PartitionWriter(self._directory, side, parts, schema)
        rows = 0
        try:
            for batch in batches:
                keys = self._keys(batch.column(0), side, rows)
                hashes = key_hashes(_numpy(keys))
                arrays = [keys, pa.array(hashes, pa.uint64()), *batch.columns[1:]]
                table = pa.Table.from_arrays(arrays, schema=schema)
                writer.write(table, partition_of(hashes, parts))
                rows += batch.num_rows
        except BaseException:
            writer.abort()
            raise
        setattr(self.counts, side, rows)
        return writer.close()

    def _keys(self, column: pa.Array, side: str, offset: int) -> pa.Array:
        if column.null_count:
            row = offset + int(np.flatnonzero(_numpy(column.is_null()))[0])
            raise InputDataError(
                f"the key column {self.key!r} of {side.upper()} "
                f"({self._sources[side].description}) is empty at row {row}; every row needs a key"
            )
        keys = column.cast(self._key_type) if not column.type.equals(self._key_type) else column
        if pa.types.is_floating(self._key_type) and pc.any(pc.is_nan(keys)).as_py():
            row = offset + int(np.flatnonzero(_numpy(pc.is_nan(keys)))[0])
            raise InputDataError(
                f"the key column {self.key!r} of {side.upper()} is NaN at row {row}; every row "
                "needs a key"
            )
        return keys

    def _split_if_large(
        self, pair: tuple[_Part, _Part], name: str, level: int
    ) -> list[tuple[_Part, _Part]]:
        """The pair itself, or its sub-partitions when one side exceeds twice the target."""
        assert self._directory is not None and self._rows_per_partition is not None
        largest = max(part.rows for part in pair)
        if largest <= 2 * self._rows_per_partition or level > MAX_SPLIT_DEPTH:
            return [pair]
        parts = min(MAX_PARTITIONS, max(2, math.ceil(largest / self._rows_per_partition)))
        halves = []
        for side, part in zip((NEW, OLD), pair, strict=True):
            writer = _PartitionWriter(
                self._directory, f"{side}-{name}", parts, self._side_schema(side)
            )
            try:
                if part.path is not None:
                    with pq.ParquetFile(part.path) as file:
                        for batch in file.iter_batches(batch_size=self._batch_size):
                            table = pa.Table.from_batches([batch])
                            hashes = _numpy(table.column(HASH_COLUMN)).astype(np.uint64)
                            writer.write(table, partition_of(hashes, parts, level))
            except BaseException:
                writer.abort()
                raise
            halves.append(writer.close())
            if part.path is not None:
                part.path.unlink()
        leaves = []
        for index, sub in enumerate(zip(*halves, strict=True)):
            leaves.extend(self._split_if_large(sub, f"{name}.{index}", level + 1))
        return leaves

    # ---- joining one partition pair

    def _join(self, new_part: _Part, old_part: _Part) -> pa.Table | None:
        if new_part.path is None or old_part.path is None:
            for side, part in ((NEW, new_part), (OLD, old_part)):
                if part.path is not None:
                    keys = pq.read_table(part.path, columns=[KEY_COLUMN]).column(KEY_COLUMN)
                    self._check_unique(keys, side)
            return None
        new = pq.read_table(new_part.path)
        old = pq.read_table(old_part.path)
        new_keys = new.column(KEY_COLUMN).combine_chunks()
        old_keys = old.column(KEY_COLUMN).combine_chunks()
        self._check_unique(new_keys, NEW)
        self._check_unique(old_keys, OLD)
        positions = pc.index_in(new_keys, value_set=old_keys)
        found = positions.is_valid()
        if not pc.any(found).as_py():
            return None
        del new_keys, old_keys
        new = new.filter(found)
        old = old.drop_columns([KEY_COLUMN, HASH_COLUMN]).take(pc.drop_null(positions))
        for name in old.column_names:
            new = new.append_column(name, old.column(name))
        return new

    def _check_unique(self, keys: pa.Array | pa.ChunkedArray, side: str) -> None:
        if pc.count_distinct(keys).as_py() == len(keys):
            return
        counts = pc.value_counts(keys)
        repeated = counts.filter(pc.greater(counts.field("counts"), 1))
        value = repeated.field("values")[0].as_py()
        times = repeated.field("counts")[0].as_py()
        raise InputDataError(
            f"key {value!r} appears {times} times in {side.upper()} "
            f"({self._sources[side].description}); --key must name a column whose values are "
            "unique within each input"
        )


def _numpy(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.to_numpy(zero_copy_only=False)


# --------------------------------------------------------------------------------------------
# by position


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


class AlignedPairs:
    """Row i of NEW paired with row i of OLD; the inputs must have the same number of rows.

    Batches hold exactly ``batch_size`` rows (the last may hold fewer), whatever the files'
    own batching, so batch-scope losses see the user's ``--batch-size``.
    """

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
            self._check_counts(new.total_rows, old.total_rows)

    @staticmethod
    def _check_counts(new_rows: int, old_rows: int) -> None:
        if new_rows != old_rows:
            raise InputDataError(
                f"--aligned pairs rows by position, but NEW has {new_rows} rows and OLD has "
                f"{old_rows}; give --key COL to match rows by a key instead"
            )

    def batches(self) -> Iterator[PairedBatch]:
        new = _Rows(self._sources[NEW].batches(self._columns[NEW]))
        old = _Rows(self._sources[OLD].batches(self._columns[OLD]))
        start = 0
        while True:
            first, second = new.take(self._batch_size), old.take(self._batch_size)
            rows = (first.num_rows if first else 0, second.num_rows if second else 0)
            if rows[0] != rows[1]:
                self._check_counts(
                    start + rows[0] + new.remaining(), start + rows[1] + old.remaining()
                )
            if first is None or second is None:
                break
            paired = PairedBatch(_batch_of(_renamed(first, NEW) + _renamed(second, OLD)), start)
            if self._check is not None:
                self._check(paired)
            yield paired
            start += rows[0]
        if not self._counted:
            self.counts = PairCounts(start, start, start)
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
            batch = _batch_of(
                [(name, table.column(column).combine_chunks()) for column, name in self._columns]
            )
            hashes = keys = None
            if self._key is not None:
                keys = table.column(self._key).combine_chunks()
                if keys.null_count:
                    row = start + int(np.flatnonzero(_numpy(keys.is_null()))[0])
                    raise InputDataError(f"the key column {self._key!r} is empty at row {row}")
                hashes = key_hashes(_numpy(keys))
            yield PairedBatch(batch, start, hashes, keys)
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
