"""Documentation generated from the registry must match the registry."""

from __future__ import annotations

from pathlib import Path

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
        "README's table of losses is stale: paste `losscli list --format markdown` into it"
    )


def test_loss_reference_is_generated() -> None:
    output = CliRunner().invoke(main, ["list", "--format", "markdown", "--detailed"]).stdout
    assert (ROOT / "docs" / "losses.md").read_text() == output == loss_reference_markdown(), (
        "docs/losses.md is stale: regenerate it with `losscli list --format markdown --detailed`"
    )


def test_readme_gives_the_two_setup_commands() -> None:
    text = (ROOT / "README.md").read_text()
    assert "make demo" in text
    assert "make test" in text


def test_documents_linked_from_the_readme_exist() -> None:
    text = (ROOT / "README.md").read_text()
    for name in ("docs/api.md", "docs/keras-compatibility.md", "docs/losses.md"):
        assert name in text
        assert (ROOT / name).is_file(), name
