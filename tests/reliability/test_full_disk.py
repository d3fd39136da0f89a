"""A full disk or a failing batch: one line, exit 5 (or the batch's code), nothing half written."""

from __future__ import annotations

import errno
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from losscli import atomic
from losscli.errors import EXIT_BAD_DATA, EXIT_INTERRUPTED, EXIT_OUTPUT, OutputError
from losscli.io import sinks
from tests.cli.conftest import invoke
from tests.reliability.helpers import HEADER, ROOT, ROW, process_env, temp_files

PREVIOUS = "previous content\n"
MSE = ["--loss", "mse", "--y-true", "a", "--y-pred", "b"]


def _input(tmp_path: Path, rows: int, last: bytes = ROW) -> Path:
    """A CSV of ``rows`` rows of distinct values (so no output compresses to nothing)."""
    path = tmp_path / "in.csv"
    body = "".join(f"{i % 1000 / 7:.6f},{i / 3:.6f}\n" for i in range(rows - 1)).encode()
    path.write_bytes(HEADER + body + last)
    return path


def _limited(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("suffix", ["csv", "parquet", "jsonl", "arrow"])
def test_file_size_limit_mid_stream_in_a_real_process(tmp_path: Path, suffix: str) -> None:
    source = _input(tmp_path, 60_000)
    out = tmp_path / "out"
    out.mkdir()
    target = out / f"losses.{suffix}"
    target.write_text(PREVIOUS)
    args = ["compute", *MSE, "--reduction", "none", "--batch-size", "1000", "-o", str(target)]
    done = subprocess.run(
        [sys.executable, "-m", "losscli", *args, str(source)],
        capture_output=True,
        env=process_env(tmp_path),
        cwd=ROOT,
        preexec_fn=_limited(64 * 1024),
        timeout=120,
        check=False,
    )
    stderr = done.stderr.decode()
    assert done.returncode == EXIT_OUTPUT, stderr
    assert stderr.splitlines() == [
        f"losscli: error: cannot write {str(target)!r}: file too large (the file size limit, "
        "`ulimit -f`, was reached); nothing was written (a previous file there is untouched)"
    ]
    assert temp_files(out) == []
    assert target.read_text() == PREVIOUS


def _full_disk_after(monkeypatch: pytest.MonkeyPatch, writes: int) -> None:
    """Make the per-sample encoders fail with ENOSPC after ``writes`` batches."""
    real = sinks._file_encoder

    class Full:
        def __init__(self, encoder) -> None:
            self._encoder, self._left = encoder, writes

        def write(self, batch) -> None:
            if self._left == 0:
                raise OSError(errno.ENOSPC, "No space left on device")
            self._left -= 1
            self._encoder.write(batch)

        def close(self) -> None:
            self._encoder.close()  # the footer is written, then the disk is full
            if self._left == 0:
                raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sinks, "_file_encoder", lambda *args: Full(real(*args)))


@pytest.mark.parametrize("writes", [0, 3, 10], ids=["first", "middle", "at-close"])
def test_full_disk_in_any_batch(tmp_path: Path, monkeypatch, writes: int) -> None:
    """10 batches of 1,000 rows: the disk fills at the first, a middle one, or the footer."""
    _full_disk_after(monkeypatch, writes)
    source = _input(tmp_path, 10_000)
    target = tmp_path / "losses.parquet"
    target.write_text(PREVIOUS)
    result = invoke(
        "compute", *MSE, "--reduction", "none", "--batch-size", "1000", "-o", str(target),
        str(source), "--threads", "1",
    )  # fmt: skip
    assert result.exit_code == EXIT_OUTPUT
    assert result.stderr.splitlines() == [
        f"losscli: error: cannot write {str(target)!r}: no space left on device; nothing was "
        "written (a previous file there is untouched)"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "losses.parquet"]
    assert target.read_text() == PREVIOUS


def test_bad_data_in_the_last_batch_leaves_no_file(tmp_path: Path) -> None:
    source = _input(tmp_path, 10_000, last=b"1.0,oops\n")
    target = tmp_path / "losses.csv"
    result = invoke(
        "compute", *MSE, "--reduction", "none", "--batch-size", "100", "-o", str(target),
        str(source),
    )  # fmt: skip
    assert result.exit_code == EXIT_BAD_DATA
    assert len(result.stderr.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_keyboard_interrupt_between_batches_aborts_the_file(tmp_path: Path, monkeypatch) -> None:
    real = sinks.RowSink.write
    calls = []

    def write(self, batch) -> None:
        calls.append(batch.num_rows)
        if len(calls) == 5:
            raise KeyboardInterrupt
        real(self, batch)

    monkeypatch.setattr(sinks.RowSink, "write", write)
    source = _input(tmp_path, 10_000)
    target = tmp_path / "losses.jsonl"
    target.write_text(PREVIOUS)
    result = invoke(
        "compute", *MSE, "--reduction", "none", "--batch-size", "1000", "-o", str(target),
        str(source),
    )  # fmt: skip
    assert result.exit_code == EXIT_INTERRUPTED
    assert result.stderr.splitlines() == ["losscli: error: interrupted"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "losses.jsonl"]
    assert target.read_text() == PREVIOUS


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO])
def test_atomic_output_failures_are_one_line_output_errors(tmp_path: Path, error: int) -> None:
    target = tmp_path / "summary.json"
    target.write_text(PREVIOUS)

    def write_then_fail() -> None:
        with atomic.atomic_output(target) as file:
            file.write("{}")
            raise OSError(error, "simulated")

    with pytest.raises(OutputError) as caught:
        write_then_fail()
    assert str(target) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert caught.value.exit_code == EXIT_OUTPUT
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]
    assert target.read_text() == PREVIOUS
    assert not atomic._LIVE


def test_atomic_output_replaces_and_forgets_its_temporary(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    with atomic.atomic_output(target) as file:
        file.write("new")
        assert len(atomic._LIVE) == 1
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    assert not atomic._LIVE


def test_leftovers_are_swept(tmp_path: Path) -> None:
    """What an interrupt's cleanup missed is removed before the process exits."""
    handle, path = atomic.create_temp(tmp_path / "out.csv")
    import os

    os.close(handle)
    assert path.exists()
    atomic.remove_leftovers()
    assert not path.exists()
    assert not atomic._LIVE


@pytest.mark.parametrize(
    "args",
    [
        ["compute", *MSE, "-o", "{dir}/summary.json"],
        ["evaluate", *MSE, "--emit-state", "{dir}/summary.json"],
    ],
    ids=["summary", "emit-state"],
)
def test_summary_and_state_on_a_full_disk(tmp_path: Path, monkeypatch, args) -> None:
    real = atomic.os.fsync

    def full(fd: int) -> None:
        real(fd)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    source = _input(tmp_path, 100)
    target = tmp_path / "summary.json"
    target.write_text(PREVIOUS)
    result = invoke(*[arg.format(dir=tmp_path) for arg in args], str(source))
    assert result.exit_code == EXIT_OUTPUT, result.stderr
    assert result.stderr.splitlines()[-1].startswith(
        f"losscli: error: cannot write {str(target)!r}: no space left on device"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "summary.json"]
    assert target.read_text() == PREVIOUS
