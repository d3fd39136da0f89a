"""A full disk while writing an output is an OutputError (exit 2), never a crash or debris.

Stdout is a real full device (/dev/full, which fails every write with ENOSPC); a full disk
under a file output is simulated by failing the system call that meets it (``os.fsync`` for
per-sample files, the write itself for summaries and states).
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from losscli.errors import EXIT_OUTPUT
from tests.cli.conftest import invoke

FULL = Path("/dev/full")


def _no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full here")
@pytest.mark.parametrize(
    "args",
    [
        ("compute", "-l", "mse", "--format", "json"),
        ("compute", "-l", "mse", "--format", "csv"),
        ("compute", "-l", "mse", "--reduction", "none"),
        ("evaluate", "-l", "mse", "--format", "markdown"),
        ("doctor", "--format", "json"),
    ],
    ids=["summary-json", "summary-csv", "per-sample", "evaluate", "doctor"],
)
def test_stdout_on_a_full_device(args: tuple[str, ...], corpus: Path) -> None:
    with FULL.open("wb") as stdout:
        done = subprocess.run(
            [sys.executable, "-m", "losscli", *args, str(corpus / "good.csv")],
            stdout=stdout,
            stderr=subprocess.PIPE,
            check=False,
            timeout=120,
        )
    lines = done.stderr.decode().splitlines()
    assert done.returncode == EXIT_OUTPUT, lines
    assert len(lines) == 1, lines
    assert lines[0].startswith("losscli: error: cannot write")
    assert lines[0].endswith("no space left on device")


def test_a_per_sample_file_on_a_full_disk(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "fsync", _no_space)
    target = tmp_path / "rows.parquet"
    result = invoke(
        "compute", "-l", "mse", "--reduction", "none", "-o", str(target), str(corpus / "good.csv")
    )
    assert result.exit_code == EXIT_OUTPUT
    assert result.stderr.startswith(
        f"losscli: error: cannot write '{target}': no space left on device"
    )
    assert len(result.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option", ["-o", "--emit-state"])
def test_a_report_or_state_on_a_full_disk(
    option: str, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.json"
    original = os.replace
    monkeypatch.setattr(os, "replace", _no_space)
    result = invoke("evaluate", "-l", "mse", option, str(target), str(corpus / "good.parquet"))
    monkeypatch.setattr(os, "replace", original)
    assert result.exit_code == EXIT_OUTPUT, result.stderr
    assert result.stderr.startswith("losscli: error: cannot write")
    assert "no space left on device" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
