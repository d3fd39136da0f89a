"""Documentation generated from the registry must match the registry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from losscli.catalog import catalog_markdown, loss_reference_markdown
from losscli.cli import main

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- losses:start -->\n", "<!-- losses:end -->"


def readme_table() -> str:
    text = (ROOT / "README.md").read_text()
    return text[text.index(START) + len(START) : text.index(END)]


def test_readme_table_is_the_list_commands_markdown() -> None:
    output = CliRunner().invoke(main, ["list", "--format", "markdown"]).stdout
    assert readme_table() == output == catalog_markdown(), (
        "README's table of losses is stale: run make docs"
    )


def test_loss_reference_is_generated() -> None:
    output = CliRunner().invoke(main, ["list", "--format", "markdown", "--detailed"]).stdout
    assert (ROOT / "docs" / "losses.md").read_text() == output == loss_reference_markdown(), (
        "docs/losses.md is stale: run make docs"
    )


def test_readme_gives_the_two_setup_commands() -> None:
    text = (ROOT / "README.md").read_text()
    assert "make demo" in text
    assert "make test" in text


def test_documents_linked_from_the_readme_exist() -> None:
    text = (ROOT / "README.md").read_text()
    documents = (
        "api",
        "keras-compatibility",
        "losses",
        "cli",
        "output",
        "custom-losses",
        "curve",
        "evaluate",
        "errors",
    )
    for name in (f"docs/{document}.md" for document in documents):
        assert name in text
        assert (ROOT / name).is_file(), name


def readme_examples() -> list[tuple[str, int]]:
    """The Quick start's commands with their expected exit status (``# exit N``, else 0)."""
    text = (ROOT / "README.md").read_text()
    block = text.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    examples = []
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        command, _, comment = line.partition("  # ")
        expected = int(comment.split()[1]) if comment.startswith("exit") else 0
        examples.append((command.strip(), expected))
    return examples


def test_readme_has_examples_for_the_main_options() -> None:
    commands = " ".join(command for command, _ in readme_examples())
    for option in (
        "--loss", "-p", "--sample-weight", "--class-weight", "--reduction none", "--keep",
        "-o", "--fail-if", "--y-pred", "--y-true", "--format", " - ",
    ):  # fmt: skip
        assert option in commands, option


@pytest.mark.parametrize(("command", "expected"), readme_examples())
def test_readme_examples_run(command: str, expected: int) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    process = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert process.returncode == expected, process.stderr
    assert "Traceback" not in process.stderr
