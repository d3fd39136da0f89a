"""Run losscli as a real process fed through a pipe the test controls, to stop it mid-stream."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROW = b"1.0,2.5\n"
HEADER = b"a,b\n"


def process_env(tmp: Path) -> dict[str, str]:
    """The environment for a losscli process: this worktree's code, temp files under ``tmp``."""
    env = dict(os.environ, TMPDIR=str(tmp), PYTHONDONTWRITEBYTECODE="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def start(args: list[str], tmp: Path, **options) -> subprocess.Popen[bytes]:
    """``python -m losscli ARGS`` with stdin, stdout and stderr as pipes."""
    return subprocess.Popen(
        [sys.executable, "-m", "losscli", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=process_env(tmp),
        cwd=ROOT,
        preexec_fn=_default_sigint,
        **options,
    )


def _default_sigint() -> None:
    # A shell starts background jobs with SIGINT ignored; the process under test must not be.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def feed(process: subprocess.Popen[bytes], rows: int) -> None:
    """Write a CSV header and ``rows`` rows into the process's stdin, keeping the pipe open.

    The write returns only once the process has taken all but a pipe's worth of the bytes, so
    after it the process is reading its input (and has installed its signal handlers).
    """
    assert process.stdin is not None
    process.stdin.write(HEADER + ROW * rows)
    process.stdin.flush()


def wait_for(predicate, what: str, limit: float = 60.0) -> None:
    """Poll ``predicate`` until true; fail after ``limit`` seconds (a bound, not a measurement)."""
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def finish(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    """Wait (bounded) for the process; its exit status and stderr. Kills it if it hangs."""
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError("losscli did not exit after the signal") from None
    return process.returncode, stderr.decode()


def temp_files(*directories: Path) -> list[str]:
    """Every leftover temporary file in ``directories``."""
    return sorted(
        name
        for directory in directories
        for name in os.listdir(directory)
        if name.endswith(".tmp") or name.startswith("losscli-")
    )
