"""Readers for Parquet and Arrow IPC, which decode only the requested columns from disk.

Memory stays bounded by the batch size: Parquet is read page by page without pre-buffering and
IPC files through a plain file rather than a memory map. Parquet and IPC files need a real,
uncompressed file (a stream is spooled to one first); an IPC stream is read front to back.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.ipc as pa_ipc
import pyarrow.parquet as pq

from losscli.io.rawinput import RawInput
from losscli.io.readers import MAX_PROBE_BYTES, SNIFF_BYTES, Piece, Reader

_PAGE_BUFFER = 1 << 20
"""Read column chunks through a 1 MiB buffer, page by page. Without it pyarrow loads a whole
column chunk at once: a file written as one row group of 30M rows of two doubles took 568 MB
whatever the batch size; with it, 99 MB (see docs/reliability.md)."""


MAX_BATCH_VALUES = 1 << 22
"""The most values of one column a Parquet batch holds (4,194,304: 32 MiB of doubles)."""


class ParquetReader(Reader):
    """A Parquet file: schema and row count from the footer, batches row group by row group."""

    _footer: pq.FileMetaData

    def _metadata(self) -> tuple[pa.Schema, int | None]:
        with self._parquet() as parquet:
            self._footer = parquet.metadata
            return parquet.schema_arrow, parquet.metadata.num_rows

    @contextlib.contextmanager
    def _parquet(self, **options: Any) -> Iterator[pq.ParquetFile]:
        """The file opened for reading; a remote one fetches only the byte ranges read."""
        if self._raw.filesystem is None:
            with pq.ParquetFile(self._raw.path, **options) as parquet:
                yield parquet
            return
        with self._raw.open_file() as file, pq.ParquetFile(file, **options) as parquet:
            yield parquet

    def pieces(self, target: pa.Schema) -> Iterator[Piece]:
        if not target.names:
            target = pa.schema([self.schema.field(self.schema.names[0])])
        footer = self._footer
        for index in range(footer.num_row_groups):
            read = functools.partial(self._read_row_group, target, index)
            yield Piece(footer.row_group(index).num_rows, read)

    def piece_rows(self) -> tuple[int, ...]:
        footer = self._footer
        return tuple(footer.row_group(index).num_rows for index in range(footer.num_row_groups))

    def _read_row_group(self, target: pa.Schema, index: int) -> Iterator[pa.RecordBatch]:
        return self._guarded(self._row_group(target, index))

    def _row_group(self, target: pa.Schema, index: int) -> Iterator[pa.RecordBatch]:
        # Each call opens its own handle (reusing the parsed footer), so threads never share
        # one; the caller's threads are the parallelism, so pyarrow's own stay out of it.
        with self._parquet(
            metadata=self._footer, pre_buffer=False, buffer_size=_PAGE_BUFFER
        ) as parquet:
            yield from parquet.iter_batches(
                batch_size=self._batch_rows(target, index),
                columns=target.names,
                row_groups=[index],
                use_threads=False,
            )

    def _batch_rows(self, target: pa.Schema, index: int) -> int:
        """Rows per batch in row group ``index``: the batch size, fewer for long list columns.

        A batch holds at most :data:`MAX_BATCH_VALUES` values of any column, counted from the
        footer (values per row in this row group), so rows of millions of list elements come a
        few at a time instead of 65,536 at once.
        """
        group = self._footer.row_group(index)
        if group.num_rows == 0:
            return self._batch_size
        wanted = set(target.names)
        widest = max(
            (
                group.column(column).num_values / group.num_rows
                for column in range(group.num_columns)
                if group.column(column).path_in_schema.split(".")[0] in wanted
            ),
            default=1.0,
        )
        return max(1, min(self._batch_size, int(MAX_BATCH_VALUES // max(widest, 1.0))))

    def _batches(self, target: pa.Schema) -> Iterator[pa.RecordBatch]:
        # pre_buffer would read every row group's column chunks up front: memory would grow
        # with the file (835 MB for 50M rows of two doubles) instead of the batch size.
        with self._parquet(
            metadata=self._footer, pre_buffer=False, buffer_size=_PAGE_BUFFER
        ) as parquet:
            for index in range(self._footer.num_row_groups):
                yield from parquet.iter_batches(
                    batch_size=self._batch_rows(target, index),
                    columns=target.names,
                    row_groups=[index],
                )


class IpcFileReader(Reader):
    """An Arrow IPC (Feather V2) file: schema and row count from its footer and batch headers."""

    def _metadata(self) -> tuple[pa.Schema, int | None]:
        opened = self._raw.open_file() if self._raw.filesystem else pa.memory_map(self._raw.path)
        with opened as file:
            reader = pa_ipc.open_file(file)
            return reader.schema, reader.count_rows()

    def _batches(self, target: pa.Schema) -> Iterator[pa.RecordBatch]:
        # A plain file, not a memory map: mapped pages would count against the memory bound.
        with self._raw.open_file() as file:
            reader = pa_ipc.open_file(file, options=_ipc_options(self.schema, target))
            for index in range(reader.num_record_batches):
                yield reader.get_batch(index)


class IpcStreamReader(Reader):
    """An Arrow IPC stream: schema from its first message; the row count is not known."""

    def _metadata(self) -> tuple[pa.Schema, int | None]:
        return _ipc_stream_schema(self._raw), None

    def _batches(self, target: pa.Schema) -> Iterator[pa.RecordBatch]:
        with contextlib.closing(self._raw.open()) as stream:
            yield from pa_ipc.open_stream(stream, options=_ipc_options(self.schema, target))


def _ipc_options(schema: pa.Schema, target: pa.Schema) -> pa_ipc.IpcReadOptions:
    """Read options decoding only the fields of ``target`` (all if a name is ambiguous)."""
    fields = [schema.get_field_index(name) for name in target.names]
    return pa_ipc.IpcReadOptions(included_fields=None if min(fields) < 0 else fields)


def _ipc_stream_schema(source: RawInput) -> pa.Schema:
    """The schema at the start of an IPC stream, reading more bytes while they are not enough."""
    size = SNIFF_BYTES
    while True:
        head = source.head(size)
        try:
            return pa_ipc.open_stream(pa.BufferReader(head)).schema
        except (pa.ArrowInvalid, EOFError) as err:
            truncated = isinstance(err, EOFError) or "only read" in str(err)
            if not truncated or len(head) < size or size >= MAX_PROBE_BYTES:
                raise
        size *= 4
