"""Helpers for command-line tests: run losscli in-process or as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from losscli.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_data"


def invoke(
    *args: str, input: bytes | str | None = None, env: dict[str, str] | None = None
) -> Result:
    """Run ``losscli ARGS`` in-process with click's runner (stdout and stderr separate)."""
    return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)


def summary(*args: str) -> dict[str, Any]:
    """The JSON summary of a successful ``losscli compute ARGS``."""
    result = invoke("compute", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def run_process(
    *args: str, input: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m losscli ARGS`` as a real process."""
    return subprocess.run(
        [sys.executable, "-m", "losscli", *args],
        input=input,
        capture_output=True,
        cwd=cwd,
        check=False,
        timeout=120,
    )


@pytest.fixture
def samples() -> Path:
    return SAMPLES
