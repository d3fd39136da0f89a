"""Readers for CSV/TSV and JSON Lines, parsed in blocks of bytes that hold about a batch of rows.

pyarrow parses text one block at a time, so the block size, estimated from the first lines, is
what bounds memory. Column types are inferred once, from the first few MiB, when the input is
opened; every block is then decoded to that schema, keeping only the requested columns.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json

from losscli.io.line_ranges import header_length, line_ranges, plain_rows
from losscli.io.rawinput import RawInput
from losscli.io.readers import MAX_PROBE_BYTES, SNIFF_BYTES, Piece, Reader

_MIN_BLOCK_BYTES = 1 << 16
_MAX_BLOCK_BYTES = 1 << 26  # ~64 MiB of text per block whatever the batch size
_MAX_INFER_BYTES = 1 << 22  # type inference looks at most at the first 4 MiB


class _TextReader(Reader):
    """A text input: schema inferred from its first complete lines, then read block by block."""

    _block_size = 0

    def _metadata(self) -> tuple[pa.Schema, int | None]:
        self._block_size, longest = _estimate_block_size(self._raw, self._batch_size)
        size = min(self._block_size, max(_MAX_INFER_BYTES, 2 * longest))
        head = self._raw.head(size)
        if len(head) == size:  # more follows: infer from complete lines only
            head = head[: head.rfind(b"\n") + 1] or head
        reader = self._open(pa.BufferReader(head), max(len(head), _MIN_BLOCK_BYTES), None)
        return reader.schema, None

    def _batches(self, target: pa.Schema) -> Iterator[pa.RecordBatch]:
        with contextlib.closing(self._raw.open()) as stream:
            yield from self._open(stream, self._block_size, target)

    def _open(self, stream: Any, block_size: int, target: pa.Schema | None) -> Any:
        """pyarrow's streaming reader over ``stream``, decoding ``target`` (None: infer all)."""
        raise NotImplementedError


class CsvReader(_TextReader):
    """A CSV or TSV input with a header line, split on ``delimiter``."""

    def __init__(self, raw: RawInput, *, delimiter: str, **options: Any) -> None:
        self._delimiter = delimiter
        super().__init__(raw, **options)

    def _open(self, stream: Any, block_size: int, target: pa.Schema | None) -> Any:
        return pa_csv.open_csv(
            stream,
            read_options=pa_csv.ReadOptions(block_size=block_size),
            parse_options=self._parse_options(),
            convert_options=_convert_options(target),
        )

    def pieces(self, target: pa.Schema) -> Iterator[Piece] | None:
        """Line ranges of an uncompressed file, each parsed by whoever reads it."""
        if self._raw.path is None or self._raw.compression is not None:
            return None
        if not target.names:
            target = pa.schema([self.schema.field(self.schema.names[0])])
        return self._line_pieces(self._raw.path, target)

    def _line_pieces(self, path: str, target: pa.Schema) -> Iterator[Piece]:
        rows_before = 0
        with open(path, "rb") as file:
            start = header_length(file)
            if start is None:
                return
            for offset, data in line_ranges(file, start, self._block_size):
                rows = plain_rows(data)
                if rows is None:  # quotes or blank lines: parse the rest front to back
                    yield from self._parsed_pieces(path, offset, target, rows_before)
                    return
                yield Piece(rows, functools.partial(self._parse_range, data, target, rows_before))
                rows_before += rows

    def _parse_range(
        self, data: bytes, target: pa.Schema, rows_before: int
    ) -> Iterator[pa.RecordBatch]:
        def parse() -> Iterator[pa.RecordBatch]:
            table = pa_csv.read_csv(
                pa.BufferReader(data),
                read_options=self._headless_options(len(data), use_threads=False),
                parse_options=self._parse_options(),
                convert_options=_convert_options(target),
            )
            yield from table.to_batches(max_chunksize=self._batch_size)

        return self._guarded(parse(), rows_before)

    def _parsed_pieces(
        self, path: str, offset: int, target: pa.Schema, rows_before: int
    ) -> Iterator[Piece]:
        """The file from ``offset`` on, parsed here in order, one piece per batch."""
        with pa.OSFile(path) as file:
            file.seek(offset)
            reader = pa_csv.open_csv(
                file,
                read_options=self._headless_options(self._block_size, use_threads=True),
                parse_options=self._parse_options(),
                convert_options=_convert_options(target),
            )
            for batch in self._guarded(iter(reader), rows_before):
                yield Piece(batch.num_rows, functools.partial(iter, (batch,)))

    def _headless_options(self, block_size: int, *, use_threads: bool) -> pa_csv.ReadOptions:
        """Read options for text after the header: the names are the header's."""
        return pa_csv.ReadOptions(
            column_names=self.schema.names, block_size=max(block_size, 1), use_threads=use_threads
        )

    def _parse_options(self) -> pa_csv.ParseOptions:
        return pa_csv.ParseOptions(delimiter=self._delimiter)

    def _explain(self, text: str, rows: int | None) -> str:
        """Name the column, and the row: exactly for a line range, else the batch's first.

        Rows count from 0 after the header, as in every other error. pyarrow numbers the lines
        of the text it parsed from 1 ("Row #k"), which for a line range (parsed without its
        header, see :meth:`_parse_range`) is row ``rows + k - 1`` of the input.
        """
        schema = getattr(self, "schema", None)  # not yet known while reading the header
        if schema is not None:
            text = re.sub(
                r"In CSV column #(\d+): ",
                lambda match: _csv_column(schema.names, int(match.group(1))),
                text,
            )
        notes = []
        line = re.search(r"Row #(\d+): ", text)
        if line is not None and rows is not None:
            text = text.replace(line.group(0), "", 1)
            notes.append(f"at row {rows + int(line.group(1)) - 1}")
        elif rows:
            notes.append(f"at or after row {rows}")
        if "conversion error" in text:
            notes.append("column types are inferred from the first rows")
        return f"{text} ({'; '.join(notes)})" if notes else text


class JsonLinesReader(_TextReader):
    """A JSON Lines input: one object per line; fields not asked for are skipped."""

    def _open(self, stream: Any, block_size: int, target: pa.Schema | None) -> Any:
        parse = None
        if target is not None:
            parse = pa_json.ParseOptions(explicit_schema=target, unexpected_field_behavior="ignore")
        return pa_json.open_json(
            stream, read_options=pa_json.ReadOptions(block_size=block_size), parse_options=parse
        )

    def _explain(self, text: str, rows: int | None) -> str:
        if rows is None:
            return text
        # pyarrow counts rows from 0 at the start of the block; count them from the input's start.
        return re.sub(
            r" in row (\d+)$", lambda match: f" in row {rows + int(match.group(1))}", text
        )


def _convert_options(target: pa.Schema | None) -> pa_csv.ConvertOptions | None:
    """Decode only the columns of ``target``, as its types (None: every column, inferred)."""
    if target is None:
        return None
    return pa_csv.ConvertOptions(
        include_columns=target.names,
        column_types={field.name: field.type for field in target},
    )


def _csv_column(names: list[str], index: int) -> str:
    return f"column '{names[index]}': " if index < len(names) else f"column #{index}: "


def _estimate_block_size(source: RawInput, batch_size: int) -> tuple[int, int]:
    """A block size holding about ``batch_size`` rows, and the longest line seen.

    Estimated from the lines in the first bytes; always several times the longest line (a
    block must hold whole rows) and at most 64 MiB unless the lines themselves are longer.
    """
    size = SNIFF_BYTES
    while True:
        sample = source.head(size)
        if b"\n" in sample or len(sample) < size or size >= MAX_PROBE_BYTES:
            break
        size *= 4
    end = sample.rfind(b"\n")
    if end < 0:
        average = longest = len(sample) + 1
    else:
        lines = sample[: end + 1].split(b"\n")[:-1]
        average = (end + 1) / len(lines)
        longest = max(len(line) for line in lines) + 1
    floor = max(_MIN_BLOCK_BYTES, 4 * longest)
    target = int(batch_size * average * 1.25)
    return min(max(target, floor), max(_MAX_BLOCK_BYTES, floor)), longest
