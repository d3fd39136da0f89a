"""Resource bounds: long lines are refused in one line, long list rows come a few at a time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from losscli.errors import EXIT_BAD_DATA
from losscli.io import columnar, line_ranges, text
from losscli.io.sources import InputSpec, open_source
from tests.cli.conftest import invoke
from tests.reliability.helpers import HEADER, ROOT, ROW, process_env

MSE = ["--loss", "mse", "--y-true", "a", "--y-pred", "b"]
LIMIT = 4096


@pytest.fixture
def short_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 4 KiB line bound, so the tests need no 64 MiB lines."""
    monkeypatch.setattr(line_ranges, "MAX_LINE_BYTES", LIMIT)
    monkeypatch.setattr(text, "MAX_LINE_BYTES", LIMIT)
    monkeypatch.setattr(text, "_MAX_BLOCK_BYTES", LIMIT)


def _long_row(length: int) -> bytes:
    return b"1.0,2.0," + b"x" * length + b"\n"


def test_a_line_over_the_bound_in_a_file(tmp_path: Path, short_lines) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(b"a,b,c\n" + b"1.0,2.0,x\n" * 8000 + _long_row(3 * LIMIT) + b"1.0,2.0,x\n")
    result = invoke("compute", *MSE, "--batch-size", "100", str(source))
    assert result.exit_code == EXIT_BAD_DATA
    assert result.stderr.splitlines() == [
        f"losscli: error: cannot read {str(source)!r}: the line at byte 80006 is longer than 4 "
        "KiB, the longest line losscli reads (a bound on memory; see docs/reliability.md)"
    ]


@pytest.mark.parametrize("where", ["file", "stdin"])
def test_a_first_line_over_the_bound(tmp_path: Path, short_lines, where: str) -> None:
    data = b"a,b,c" + b"c" * (100 * LIMIT) + b"\n1.0,2.0,3\n"
    source = tmp_path / "in.csv"
    source.write_bytes(data)
    args = ["-"] if where == "stdin" else [str(source)]
    result = invoke("compute", *MSE, *args, input=data if where == "stdin" else None)
    assert result.exit_code == EXIT_BAD_DATA
    assert "a line near the start is longer than 4 KiB" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_row_longer_than_the_stdin_blocks_in_a_real_process(tmp_path: Path) -> None:
    """One line, exit 3, and no abort at exit from pyarrow's read-ahead thread left running."""
    data = b"a,b,c\n" + b"1.0,2.0,x\n" * 1000 + _long_row(1 << 20) + b"1.0,2.0,x\n" * 10
    done = subprocess.run(
        [sys.executable, "-m", "losscli", "compute", *MSE, "--batch-size", "100", "-"],
        input=data,
        capture_output=True,
        env=process_env(tmp_path),
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == EXIT_BAD_DATA
    assert done.stderr.decode().splitlines() == [
        "losscli: error: cannot read 'stdin': a row at or after data row 1001 is longer than the "
        "64 KiB blocks this input is read in (sized from its first lines and --batch-size; a "
        "larger --batch-size makes them larger, up to 64 MiB)"
    ]


def test_a_long_line_under_the_bound_is_read(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(b"a,b,c\n" + b"1.0,2.0,x\n" * 100 + _long_row(200_000))
    result = invoke("compute", *MSE, "--format", "json", str(source))
    assert result.exit_code == 0, result.stderr
    assert '"read": 101' in result.stdout


def _lists(path: Path, rows: int, width: int, groups: int = 1) -> None:
    values = np.arange(rows * width, dtype=np.float64) / (rows * width)
    offsets = pa.array(np.arange(rows + 1) * width, pa.int32())
    column = pa.ListArray.from_arrays(offsets, pa.array(values))
    table = pa.table({"t": column, "p": column, "w": np.ones(rows)})
    pq.write_table(table, path, row_group_size=rows // groups)


@pytest.mark.parametrize("split", [True, False])
def test_long_list_rows_come_a_few_at_a_time(tmp_path: Path, monkeypatch, split: bool) -> None:
    monkeypatch.setattr(columnar, "MAX_BATCH_VALUES", 1000)
    path = tmp_path / "lists.parquet"
    _lists(path, rows=40, width=300, groups=2)
    with open_source(InputSpec((str(path),), batch_size=65_536)) as source:
        parts = source.parts(["t", "p"], split=split)
        sizes = [batch.num_rows for part in parts for batch in part.read()]
    assert sizes == [3] * 6 + [2] + [3] * 6 + [2]  # 1000 // 300 rows, in each row group of 20


def test_scalar_columns_keep_the_batch_size(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(columnar, "MAX_BATCH_VALUES", 1000)
    path = tmp_path / "lists.parquet"
    _lists(path, rows=40, width=300)
    with open_source(InputSpec((str(path),), batch_size=16)) as source:
        sizes = [batch.num_rows for part in source.parts(["w"]) for batch in part.read()]
    assert sizes == [16, 16, 8]


def test_long_list_rows_give_the_same_loss_in_small_batches(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "lists.parquet"
    _lists(path, rows=12, width=500)
    args = ["compute", "--loss", "mse", "--y-true", "t", "--y-pred", "p", "--format", "json"]
    whole = invoke(*args, str(path))
    monkeypatch.setattr(columnar, "MAX_BATCH_VALUES", 1000)
    small = invoke(*args, str(path))
    assert whole.exit_code == small.exit_code == 0
    assert whole.stdout == small.stdout


def test_the_stdin_rows_are_csv() -> None:
    """The helpers' rows parse as two numeric columns (what the other tests rely on)."""
    result = invoke("compute", *MSE, "--format", "json", "-", input=HEADER + ROW * 3)
    assert result.exit_code == 0
    assert '"read": 3' in result.stdout
