"""Printing an evaluation report and applying its gates (shared by evaluate and merge)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from losscli.cli.context import IOContext
from losscli.cli.output import check_writable, write_atomically
from losscli.errors import EXIT_GATE_FAILED, OutputError
from losscli.evaluate import EvaluationReport
from losscli.render_evaluation import render

SUMMARY_EXTENSIONS = {".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown"}


def check_outputs(output: str | None, state: str | None = None) -> None:
    """Fail before any work if the report (``-o``) or the state cannot be written there."""
    if output:
        _report_format(output)
        check_writable(output)
    if state:
        check_writable(state)


def _report_format(output: str) -> str:
    suffix = Path(output).suffix.lower()
    if suffix not in SUMMARY_EXTENSIONS:
        raise OutputError(f"cannot tell the report format of {output!r}; use .json, .csv or .md")
    return SUMMARY_EXTENSIONS[suffix]


def emit_evaluation(io: IOContext, report: EvaluationReport, fmt: str, output: str | None) -> None:
    """The report on stdout (table on a terminal, JSON otherwise) or into ``output``."""
    if output:
        text = render(report, _report_format(output))
        assert text is not None
        write_atomically(Path(output), text)
        return
    if fmt == "auto":
        fmt = "table" if io.stdout_is_terminal else "json"
    text = render(report, fmt, console=io.console())
    if text is not None:
        click.echo(text, nl=False)


def fail_on_gates(failures: Sequence[str]) -> None:
    """One line on stderr per failed gate, and exit status 1 if any failed."""
    for message in failures:
        click.echo(f"losscli: {message}", err=True)
    if failures:
        raise SystemExit(EXIT_GATE_FAILED)
