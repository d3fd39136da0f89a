"""``losscli list`` and the command line's error handling."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from losscli import __version__
from losscli.cli import main
from losscli.losses import list_losses


def test_json_lists_every_loss_with_aliases_target_and_params() -> None:
    result = CliRunner().invoke(main, ["list", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema"] == 2
    by_name = {row["name"]: row for row in document["losses"]}
    assert set(by_name) == {spec.name for spec in list_losses()}
    huber = by_name["huber"]
    assert "Huber" in huber["aliases"]
    assert huber["target"] == "real"
    assert huber["params"] == [
        {
            "name": "delta",
            "type": "float",
            "default": 1.0,
            "range": "(0.0, inf)",
            "help": "where the loss changes from quadratic to linear",
        }
    ]


def test_piped_output_defaults_to_json() -> None:
    result = CliRunner().invoke(main, ["list"])
    assert json.loads(result.stdout)["schema"] == 2


def test_table_and_markdown_formats() -> None:
    table = CliRunner().invoke(main, ["list", "--format", "table"])
    assert table.exit_code == 0
    assert "sparse_categorical_crossentropy" in table.stdout
    markdown = CliRunner().invoke(main, ["list", "--format", "markdown"])
    assert markdown.stdout.startswith("**Keras 3**")
    rows = [line for line in markdown.stdout.splitlines() if line.startswith("| `")]
    assert len(rows) == len(list_losses())


def test_bad_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["list", "--format", "xml"])
    assert result.exit_code == 2
    assert "xml" in result.stderr


def test_version() -> None:
    assert __version__ in CliRunner().invoke(main, ["--version"]).stdout


def test_console_script_runs_as_a_process() -> None:
    process = subprocess.run(
        [sys.executable, "-m", "losscli", "list", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0
    assert process.stderr == ""
    assert len(json.loads(process.stdout)["losses"]) == len(list_losses())


def test_closed_pipe_ends_quietly() -> None:
    """`losscli list | head -1` must not print a traceback."""
    process = subprocess.run(
        f"{sys.executable} -m losscli list --format json | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.stdout == "{\n"
    assert "Traceback" not in process.stderr
