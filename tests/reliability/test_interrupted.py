"""SIGINT and SIGTERM in the middle of a stream: exit 130/143, one line, nothing half written."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from losscli.errors import EXIT_INTERRUPTED, EXIT_TERMINATED
from tests.reliability.helpers import feed, finish, start, temp_files, wait_for

PREVIOUS = "previous content\n"
EXPECTED = {
    signal.SIGINT: (EXIT_INTERRUPTED, "losscli: error: interrupted"),
    signal.SIGTERM: (EXIT_TERMINATED, "losscli: error: terminated"),
}
MSE = ["--loss", "mse", "--y-true", "a", "--y-pred", "b"]


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    out.mkdir()
    tmp.mkdir()
    return out, tmp


def _assert_interrupted(code: int, stderr: str, sig: signal.Signals) -> None:
    status, line = EXPECTED[sig]
    assert code == status, stderr
    assert stderr.splitlines() == [line]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_per_sample_file_interrupted_mid_stream(dirs, sig, suffix: str) -> None:
    """Rows are already in the temporary file when the signal comes; stdin stays open."""
    out, tmp = dirs
    target = out / f"losses.{suffix}"
    target.write_text(PREVIOUS)
    args = ["compute", *MSE, "--reduction", "none", "--batch-size", "100", "-o", str(target), "-"]
    process = start(args, tmp)
    feed(process, 100_000)
    wait_for(lambda: temp_files(out), "the temporary output file")
    process.send_signal(sig)
    code, stderr = finish(process)
    _assert_interrupted(code, stderr, sig)
    assert temp_files(out, tmp) == []
    assert target.read_text() == PREVIOUS


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_summary_file_interrupted_mid_stream(dirs, sig) -> None:
    out, tmp = dirs
    target = out / "summary.json"
    target.write_text(PREVIOUS)
    process = start(["compute", *MSE, "--threads", "2", "-o", str(target), "-"], tmp)
    feed(process, 300_000)
    process.send_signal(sig)
    code, stderr = finish(process)
    _assert_interrupted(code, stderr, sig)
    assert temp_files(out, tmp) == []
    assert target.read_text() == PREVIOUS


def test_emit_state_interrupted_mid_stream(dirs) -> None:
    out, tmp = dirs
    state = out / "state.json"
    state.write_text(PREVIOUS)
    process = start(["evaluate", *MSE, "--emit-state", str(state), "-"], tmp)
    feed(process, 300_000)
    process.send_signal(signal.SIGTERM)
    code, stderr = finish(process)
    _assert_interrupted(code, stderr, signal.SIGTERM)
    assert temp_files(out, tmp) == []
    assert state.read_text() == PREVIOUS


def test_per_sample_stdout_interrupted_mid_stream(dirs) -> None:
    """Rows already written to stdout stay written; the exit is still 130, without a traceback."""
    _, tmp = dirs
    process = start(["compute", *MSE, "--reduction", "none", "--batch-size", "100", "-"], tmp)
    feed(process, 50_000)
    assert process.stdout is not None
    assert process.stdout.readline() == b'"mean_squared_error"\n'
    process.send_signal(signal.SIGINT)
    code, stderr = finish(process)
    _assert_interrupted(code, stderr, signal.SIGINT)
    assert temp_files(tmp) == []
