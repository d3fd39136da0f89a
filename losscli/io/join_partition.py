"""Hash partitioning of one side's rows to temporary Parquet files, in bounded memory.

Each row goes to the partition :func:`partition_of` its key hash; rows wait per partition in a
write buffer of :data:`BUFFER_BYTES` and are then written as one row group per partition, so
memory is bounded by the buffer, never by the input. :func:`split_large` splits a partition pair
that came out too large again, on other bits of the hash, so equal keys stay in one pair.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from losscli.io.join_batch import NEW, OLD

__all__ = [
    "BUFFER_BYTES",
    "HASH_COLUMN",
    "KEY_COLUMN",
    "MAX_PARTITIONS",
    "MAX_SPLIT_DEPTH",
    "Part",
    "hashes_of",
    "partition_of",
    "split_large",
    "write_partitions",
]

KEY_COLUMN = "losscli:key"
HASH_COLUMN = "losscli:hash"
"""The first two columns of every partition file: the key and its 64-bit hash."""
MAX_PARTITIONS = 512
"""At most this many partition files are open at once (one writer each)."""
BUFFER_BYTES = 32 << 20
"""Arrow bytes buffered across all partitions before they are written out as row groups."""
MAX_SPLIT_DEPTH = 4


@dataclass(frozen=True)
class Part:
    """One side's rows of one partition: a Parquet file (None when empty) and its row count."""

    path: Path | None
    rows: int


def partition_of(hashes: np.ndarray, parts: int, level: int = 0) -> np.ndarray:
    """The partition (``0 .. parts - 1``) of each key hash at split ``level``."""
    return (_mix(hashes.astype(np.uint64), level) % np.uint64(parts)).astype(np.intp)


def _mix(hashes: np.ndarray, level: int) -> np.ndarray:
    """SplitMix64 of the key hash salted by the split level: independent bits per level."""
    mask = np.uint64(0xFFFFFFFFFFFFFFFF)
    with np.errstate(over="ignore"):
        x = (hashes ^ np.uint64(0x9E3779B97F4A7C15 * (level + 1) & 0xFFFFFFFFFFFFFFFF)) & mask
        x = ((x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & mask
        x = ((x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & mask
        return x ^ (x >> np.uint64(31))


def hashes_of(table: pa.Table) -> np.ndarray:
    """The key hashes (:data:`HASH_COLUMN`) of a partition table's rows, as uint64."""
    return table.column(HASH_COLUMN).combine_chunks().to_numpy(zero_copy_only=False)


def write_partitions(
    directory: Path,
    prefix: str,
    parts: int,
    schema: pa.Schema,
    tables: Iterable[pa.Table],
    level: int = 0,
) -> list[Part]:
    """Spread the rows of ``tables`` (of ``schema``) over ``parts`` files by their key hash.

    The files are ``directory/PREFIX-INDEX.parquet``; the parts come back in partition order.
    """
    writer = _PartitionWriter(directory, prefix, parts, schema)
    try:
        for table in tables:
            writer.write(table, partition_of(hashes_of(table), parts, level))
    except BaseException:
        writer.abort()
        raise
    return writer.close()


def split_large(
    pair: tuple[Part, Part],
    *,
    directory: Path,
    schemas: tuple[pa.Schema, pa.Schema],
    target_rows: int,
    batch_size: int,
    name: str,
    level: int = 1,
) -> list[tuple[Part, Part]]:
    """The pair itself, or its sub-partitions when one side exceeds twice ``target_rows``.

    A split pair's files are replaced by its sub-partitions' (``schemas``: NEW's and OLD's).
    """
    largest = max(part.rows for part in pair)
    if largest <= 2 * target_rows or level > MAX_SPLIT_DEPTH:
        return [pair]
    parts = min(MAX_PARTITIONS, max(2, math.ceil(largest / target_rows)))
    halves = []
    for side, part, schema in zip((NEW, OLD), pair, schemas, strict=True):
        tables = _read(part, batch_size)
        halves.append(write_partitions(directory, f"{side}-{name}", parts, schema, tables, level))
        if part.path is not None:
            part.path.unlink()
    leaves = []
    for index, sub in enumerate(zip(*halves, strict=True)):
        leaves.extend(
            split_large(
                sub,
                directory=directory,
                schemas=schemas,
                target_rows=target_rows,
                batch_size=batch_size,
                name=f"{name}.{index}",
                level=level + 1,
            )
        )
    return leaves


def _read(part: Part, batch_size: int) -> Iterator[pa.Table]:
    if part.path is None:
        return
    with pq.ParquetFile(part.path) as file:
        for batch in file.iter_batches(batch_size=batch_size):
            yield pa.Table.from_batches([batch])


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

    def close(self) -> list[Part]:
        """Write what is buffered, close every file; the parts in partition order."""
        try:
            self._flush()
        finally:
            self.abort()
        return [
            Part(path if rows else None, rows)
            for path, rows in zip(self._paths, self._rows, strict=True)
        ]

    def abort(self) -> None:
        for writer in self._writers.values():
            with contextlib.suppress(Exception):
                writer.close()
        self._writers = {}
