"""Pipes: `| head -1`, a closed or full stdout, stdin cut short, Ctrl-C while threads work."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from losscli.errors import EXIT_BAD_DATA, EXIT_OUTPUT
from losscli.parallel import map_ordered
from tests.cli.conftest import invoke
from tests.reliability.helpers import HEADER, ROOT, ROW, process_env

MSE = ["--loss", "mse", "--y-true", "a", "--y-pred", "b"]


def _shell(command: str, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        env=process_env(tmp_path),
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_head_ends_it_quietly_with_status_zero(tmp_path: Path, fmt: str) -> None:
    """200,000 rows are far more than a pipe holds: losscli meets the closed pipe."""
    source = tmp_path / "in.csv"
    source.write_bytes(HEADER + ROW * 200_000)
    losscli = f"{sys.executable} -m losscli compute {' '.join(MSE)} --reduction none"
    done = _shell(
        f"{losscli} --format {fmt} {source} 2>{tmp_path}/err | head -1; "
        'echo "status=${PIPESTATUS[0]}"',
        tmp_path,
    )
    lines = done.stdout.decode().splitlines()
    assert lines[-1] == "status=0"
    assert len(lines) == 2
    assert (tmp_path / "err").read_text() == ""


@pytest.mark.parametrize("redirect", [">&-", ">/dev/full"], ids=["closed", "full"])
@pytest.mark.parametrize("extra", [[], ["--reduction", "none"]], ids=["summary", "per-sample"])
def test_a_closed_or_full_stdout_is_a_one_line_error(tmp_path, redirect, extra) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(HEADER + ROW * 10)
    command = f"{sys.executable} -m losscli compute {' '.join(MSE + extra)} {source} {redirect}"
    done = _shell(command, tmp_path)
    reason = "it is closed" if redirect == ">&-" else "no space left on device"
    assert done.returncode == EXIT_OUTPUT
    assert done.stderr.decode().splitlines() == [
        f"losscli: error: cannot write the results to stdout: {reason}"
    ]


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        (
            b"1.0",
            "the input ended in the middle of a row: data row 3000 is the last complete row "
            "read, then came '1.0' with no line end; was it cut short?",
        ),
        (
            b'1.0,"2',
            "the input ended inside a quoted field, after data row 3000 (the last complete row "
            "read); was it cut short?",
        ),
    ],
    ids=["mid-row", "mid-quote"],
)
def test_stdin_cut_short_names_the_last_row_read(tail: bytes, message: str) -> None:
    data = HEADER + ROW * 3000 + tail
    result = invoke("compute", *MSE, "--batch-size", "500", "-", input=data)
    assert result.exit_code == EXIT_BAD_DATA
    assert result.stderr.splitlines() == [f"losscli: error: cannot read 'stdin': {message}"]


@pytest.mark.parametrize("data", [b"1.0,2.5", b'1.0,"2.5"'], ids=["plain", "quoted"])
def test_a_complete_last_row_without_a_line_end_is_fine(data: bytes) -> None:
    result = invoke("compute", *MSE, "--format", "json", "-", input=HEADER + ROW * 10 + data)
    assert result.exit_code == 0, result.stderr
    assert '"read": 11' in result.stdout


def test_ctrl_c_while_threads_work_does_not_wait_for_them() -> None:
    """The interrupt reaches the main thread while it waits for a result; a worker is busy."""
    release, busy_started = threading.Event(), threading.Event()
    started: list[int] = []
    finished: list[int] = []

    def work(item: int) -> int:
        started.append(item)
        if item == 0:  # once item 1 is running, Ctrl-C
            busy_started.wait(timeout=30)
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
        if item == 1:
            busy_started.set()
            release.wait(timeout=30)  # a bound; the test releases it itself
            finished.append(item)
        return item

    def consume() -> None:
        for _ in map_ordered(work, range(1000), threads=2, ahead=4):
            pass

    with pytest.raises(KeyboardInterrupt):
        consume()
    busy = not finished  # map_ordered returned without waiting for item 1
    release.set()
    assert busy
    assert len(started) < 1000  # what had not started was cancelled
