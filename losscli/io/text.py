"""Readers for CSV/TSV and JSON Lines, parsed in blocks of bytes that hold about a batch of rows.

pyarrow parses text one block at a time, so the block size, estimated from the first lines, is
what bounds memory. Column types are inferred once, from the first few MiB, when the input is
opened; every block is then decoded to that schema, keeping only the requested columns.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json

from losscli.io.rawinput import RawInput
from losscli.io.readers import MAX_PROBE_BYTES, SNIFF_BYTES, Reader

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
        convert = None
        if target is not None:
            convert = pa_csv.ConvertOptions(
                include_columns=target.names,
                column_types={field.name: field.type for field in target},
            )
        return pa_csv.open_csv(
            stream,
            read_options=pa_csv.ReadOptions(block_size=block_size),
            parse_options=pa_csv.ParseOptions(delimiter=self._delimiter),
            convert_options=convert,
        )

    def _explain(self, text: str, rows: int | None) -> str:
        schema = getattr(self, "schema", None)  # not yet known while reading the header
        if schema is not None:
            text = re.sub(
                r"In CSV column #(\d+): ",
                lambda match: _csv_column(schema.names, int(match.group(1))),
                text,
            )
        notes = [f"at or after data row {rows + 1}"] if rows else []
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
        # pyarrow counts rows from the start of the block; make the number count from the start.
        return re.sub(
            r" in row (\d+)$", lambda match: f" in row {rows + int(match.group(1)) + 1}", text
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
