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

from losscli.errors import InputDataError
from losscli.io.line_ranges import (
    MAX_LINE_BYTES,
    LineTooLong,
    header_length,
    line_ranges,
    plain_rows,
)
from losscli.io.rawinput import RawInput
from losscli.io.readers import MAX_PROBE_BYTES, SNIFF_BYTES, Piece, Reader

_MIN_BLOCK_BYTES = 1 << 16
_MAX_BLOCK_BYTES = MAX_LINE_BYTES  # 64 MiB of text per block at most, whatever the batch size
_MAX_INFER_BYTES = 1 << 22  # type inference looks at most at the first 4 MiB


class _TextReader(Reader):
    """A text input: schema inferred from its first complete lines, then read block by block."""

    _block_size = 0
    _whole: bytes | None = None  # the whole input, when it fit in the inference head

    def _metadata(self) -> tuple[pa.Schema, int | None]:
        self._block_size, longest = _estimate_block_size(self._raw, self._batch_size)
        if longest > MAX_LINE_BYTES:
            raise _too_long(self._raw.label, "a line near the start")
        size = min(self._block_size, max(_MAX_INFER_BYTES, 2 * longest))
        head = self._raw.head(size)
        if len(head) == size:  # more follows: infer from complete lines only
            head = head[: head.rfind(b"\n") + 1] or head
        else:  # the whole input: if it ends mid-row, inference is where that shows
            self._whole = head
        reader = self._open(pa.BufferReader(head), max(len(head), _MIN_BLOCK_BYTES), None)
        return reader.schema, None

    def _batches(self, target: pa.Schema) -> Iterator[pa.RecordBatch]:
        with contextlib.closing(self._raw.open()) as stream:
            yield from _closing(self._open(stream, self._block_size, target))

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

    _stream: Any = None

    def _batches(self, target: pa.Schema) -> Iterator[pa.RecordBatch]:
        with contextlib.closing(self._raw.open()) as stream:
            self._stream = stream
            yield from _closing(self._open(stream, self._block_size, target))
            ending = _cut_short(stream)
            if ending is not None and ending[1].count(b'"') % 2:
                # pyarrow takes a quote left open at the end as closed: the field is truncated.
                raise InputDataError(
                    f"cannot read '{self.label}': the input ended inside a quoted field, "
                    f"after data row {ending[0] - 1} (the last complete row read); "
                    "was it cut short?"
                )

    def pieces(self, target: pa.Schema) -> Iterator[Piece] | None:
        """Line ranges of an uncompressed local file, each parsed by whoever reads it.

        A remote file is read front to back instead (one sequential stream of requests).
        """
        raw = self._raw
        if raw.path is None or raw.compression is not None or raw.filesystem is not None:
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
            for offset, data in _bounded(line_ranges(file, start, self._block_size), self):
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
        straddles = _straddles(text, rows, self._block_size)
        if straddles is not None:
            return straddles
        ending = _cut_short(self._stream) or _cut_short_whole(self._whole)
        if ending is not None and _is_last_row(text, ending[1]):
            lines, cut = ending
            shown = cut[:40].decode("utf-8", "replace") + ("..." if len(cut) > 40 else "")
            return (
                f"the input ended in the middle of a row: data row {lines - 1} is "
                f"the last complete row read, then came {shown!r} with no line end; "
                "was it cut short?"
            )
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
        straddles = _straddles(text, rows, self._block_size)
        if straddles is not None:
            return straddles
        if rows is None:
            return text
        # pyarrow counts rows from 0 at the start of the block; count them from the input's start.
        return re.sub(
            r" in row (\d+)$", lambda match: f" in row {rows + int(match.group(1))}", text
        )


def _too_long(label: str, where: str) -> InputDataError:
    return InputDataError(
        f"cannot read '{label}': {where} is longer than {_size(MAX_LINE_BYTES)}, the longest "
        "line losscli reads (a bound on memory; see docs/reliability.md)"
    )


def _bounded(ranges: Iterator[tuple[int, bytes]], reader: Reader) -> Iterator[tuple[int, bytes]]:
    """``ranges``, with a line over the length bound raised as a one-line data error."""
    try:
        yield from ranges
    except LineTooLong as err:
        raise _too_long(reader.label, f"the line at byte {err.offset}") from None


def _straddles(text: str, rows: int | None, block_size: int) -> str | None:
    """pyarrow's "straddling object" error (a row longer than a block) said plainly."""
    if "straddl" not in text:
        return None
    where = f"a row at or after data row {(rows or 0) + 1}"
    return (
        f"{where} is longer than the {_size(block_size)} blocks this input is read in (sized "
        "from its first lines and --batch-size; a larger --batch-size makes them larger, up to "
        f"{_size(MAX_LINE_BYTES)})"
    )


def _size(count: int) -> str:
    return f"{count / (1 << 20):.0f} MiB" if count >= 1 << 20 else f"{count >> 10} KiB"


def _closing(reader: Any) -> Iterator[pa.RecordBatch]:
    """``reader``'s batches; the reader is closed however they end.

    A reader left open after an error keeps its read-ahead thread, and the process then aborts
    at exit ("terminate called without an active exception", status 134). Not on an interrupt:
    closing waits for that thread, which may be blocked on a pipe that never ends, and the
    interrupted process exits at once anyway (:mod:`losscli.cli.interrupts`).
    """
    try:
        yield from reader
    except KeyboardInterrupt:
        raise
    except BaseException:
        reader.close()
        raise
    reader.close()


def _convert_options(target: pa.Schema | None) -> pa_csv.ConvertOptions | None:
    """Decode only the columns of ``target``, as its types (None: every column, inferred)."""
    if target is None:
        return None
    return pa_csv.ConvertOptions(
        include_columns=target.names,
        column_types={field.name: field.type for field in target},
    )


def _cut_short(stream: Any) -> tuple[int, bytes] | None:
    """For a stream that has ended without a line end: its line count and the text after it.

    Only streams (stdin, pipes) keep this; None for anything else.
    """
    if stream is None or not getattr(stream, "ended", False) or not stream.tail:
        return None
    return stream.lines, stream.tail


def _cut_short_whole(data: bytes | None) -> tuple[int, bytes] | None:
    """The same for a whole input held in memory."""
    if not data or data.endswith(b"\n"):
        return None
    return data.count(b"\n"), data[data.rfind(b"\n") + 1 :]


def _is_last_row(text: str, tail: bytes) -> bool:
    """Whether pyarrow's "expected N columns, got M: ROW" is about ``tail``, the unended line.

    Only then is the input cut short; a bad row elsewhere (garbage, a ragged row) is not.
    """
    found = re.search(r"columns, got \d+: (.*)$", text, flags=re.S)
    if found is None:
        return False
    row = found.group(1).strip()
    line = tail.decode("utf-8", "replace").strip()
    return bool(row) and (line.startswith(row[:40]) or row.startswith(line[:40]))


def _csv_column(names: list[str], index: int) -> str:
    return f"column '{names[index]}': " if index < len(names) else f"column #{index}: "


def _estimate_block_size(source: RawInput, batch_size: int) -> tuple[int, int]:
    """A block size holding about ``batch_size`` rows, and the longest line seen.

    Estimated from the lines in the first bytes; several times the longest line (a block must
    hold whole rows), and at most 64 MiB: a longer line is refused (see ``MAX_LINE_BYTES``).
    """
    size = SNIFF_BYTES
    while True:  # until the first two lines (a CSV header and its first row) are in
        sample = source.head(size)
        if sample.count(b"\n") >= 2 or len(sample) < size:
            break
        if size >= MAX_PROBE_BYTES:  # a first row longer than the longest line allowed
            return _MAX_BLOCK_BYTES, len(sample) + 1
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
    return min(max(target, floor), _MAX_BLOCK_BYTES), longest
