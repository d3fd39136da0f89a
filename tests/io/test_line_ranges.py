"""CSV files cut into line ranges: rows counted without parsing, or a fallback that parses."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pyarrow as pa
import pytest

from losscli.io.line_ranges import header_length, line_ranges, plain_rows
from losscli.io.sources import InputSpec, open_source
from tests.cli.conftest import invoke


@pytest.mark.parametrize(
    ("data", "rows"),
    [
        (b"1,2\n3,4\n", 2),
        (b"1,2\n3,4", 2),  # the last line of a file may have no newline
        (b"1,2\r\n3,4\r\n", 2),
        (b"1,2\r\n3,4", 2),
        (b"5\n6\n", 2),  # one-character lines are rows, not blank lines
        (b"1,2\n\n3,4\n", None),  # the parser skips blank lines
        (b"\n1,2\n", None),
        (b"1,2\r\n\r\n3,4\r\n", None),
        (b"\r\n1\r\n", None),
        (b"1,2\r3,4\n", None),  # a lone carriage return ends a row too
        (b'"a",2\n', None),  # a quoted field may hold a newline
        (b"", None),
    ],
)
def test_plain_rows(data: bytes, rows: int | None) -> None:
    assert plain_rows(data) == rows


def test_line_ranges_end_after_a_newline_and_cover_everything() -> None:
    body = b"".join(f"{i},{i * i}\n".encode() for i in range(1000)) + b"1000,1"
    file = io.BytesIO(b"a,b\n" + body)
    start = header_length(file)
    assert start == 4
    ranges = list(line_ranges(file, start, 97))
    assert b"".join(data for _, data in ranges) == body
    assert all(data.endswith(b"\n") for _, data in ranges[:-1])
    offsets = [offset for offset, _ in ranges]
    assert offsets == [start + sum(len(d) for _, d in ranges[:i]) for i in range(len(ranges))]


def test_a_line_longer_than_the_range_is_kept_whole() -> None:
    file = io.BytesIO(b"h\n" + b"x" * 500 + b"\n" + b"y\n" * 100)
    ranges = [data for _, data in line_ranges(file, 2, 64)]
    assert ranges[0].startswith(b"x" * 500 + b"\n")
    assert all(data.endswith(b"\n") for data in ranges)


def test_header_only_or_no_newline_has_no_rows() -> None:
    assert header_length(io.BytesIO(b"a,b")) is None


def _csv(rows: int, extra: dict[int, str] | None = None, newline: str = "\n") -> str:
    lines = ["y_true,y_pred"] + [f"{i % 7},{(i * 3) % 11}" for i in range(rows)]
    for index, line in (extra or {}).items():
        lines[index] = line
    return newline.join(lines) + newline


@pytest.mark.parametrize(
    "text",
    [
        _csv(60_000),
        _csv(60_000, newline="\r\n"),
        _csv(60_000, {30_000: '"4","5"'}),  # quotes half way: the rest is parsed in order
        _csv(60_000, {25_000: ""}),  # a blank line half way
    ],
    ids=["plain", "crlf", "quotes", "blank-line"],
)
def test_csv_parts_hold_every_row_in_order(tmp_path: Path, text: str) -> None:
    path = tmp_path / "preds.csv"
    path.write_text(text, newline="")
    with open_source(InputSpec((str(path),), batch_size=3_000)) as source:
        parts = list(source.parts(["y_true", "y_pred"]))
        assert len(parts) > 3
        offsets = [part.offset for part in parts]
        assert offsets == [sum(p.rows for p in parts[:i]) for i in range(len(parts))]
        tables = [pa.Table.from_batches(list(part.read())) for part in parts]
        assert [t.num_rows for t in tables] == [part.rows for part in parts]
        in_parts = pa.concat_tables(tables)
        in_order = pa.Table.from_batches(list(source.batches(["y_true", "y_pred"])))
    assert in_parts.equals(in_order)


def test_a_bad_value_past_the_first_range_is_named_by_its_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    # Past the first 4 MiB, which column types are inferred from; line 650,001 after the header
    # is data row 650,000 (rows count from 0).
    path.write_text(_csv(700_000, {650_001: "3,oops"}))
    messages = set()
    for threads in ("1", "2"):
        result = invoke("compute", "-l", "mse", "--threads", threads, str(path))
        assert result.exit_code == 3
        messages.add(result.stderr)
    assert len(messages) == 1
    message = messages.pop()
    assert "oops" in message
    found = re.search(r"at row (\d+)", message)
    assert found, message
    assert int(found.group(1)) == 650_000  # exact: the range's first row plus pyarrow's line


def test_threads_give_the_csv_the_same_numbers(tmp_path: Path) -> None:
    path = tmp_path / "preds.csv"
    path.write_text(_csv(60_000, {42_345: '"1","2"'}))
    outputs = {
        invoke(
            "compute", "-l", "mse", "-l", "mae", "--batch-size", "999", "--threads", t, str(path)
        ).stdout
        for t in ("1", "2", "3")
    }
    assert len(outputs) == 1
