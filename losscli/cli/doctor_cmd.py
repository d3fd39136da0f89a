"""``losscli doctor``: what in a prediction file would make a loss wrong, and which loss fits."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from losscli.cli.common import storage_option
from losscli.cli.completion import complete_columns
from losscli.cli.context import IOContext
from losscli.defaults import DEFAULT_BATCH_SIZE
from losscli.errors import EXIT_GATE_FAILED

if TYPE_CHECKING:
    from rich.console import Console

    from losscli.doctor import Diagnosis, Finding, Suggestion

FORMATS = ("auto", "table", "json", "markdown")
_STYLES = {"error": "bold red", "warning": "yellow"}
"""The style of each :class:`~losscli.doctor.Severity`, by value."""


@click.command("doctor")
@click.argument("inputs", nargs=-1, type=click.Path(), metavar="[INPUT]...")
@click.option(
    "--y-true", shell_complete=complete_columns, help="y_true column(s): a, a,b or a glob."
)
@click.option(
    "--y-pred", shell_complete=complete_columns, help="y_pred column(s): a, a,b or 'p_*'."
)
@click.option("--sample-weight", shell_complete=complete_columns, help="Column of sample weights.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Rows per batch (the memory bound).",
)
@click.option(
    "--input-format",
    type=click.Choice(["csv", "tsv", "parquet", "arrow", "jsonl"]),
    help="Input format, overriding the extension and the first bytes.",
)
@click.option("--delimiter", help="CSV delimiter [default: sniffed].")
@storage_option()
@click.option(
    "--format",
    "fmt",
    envvar="LOSSCLI_DOCTOR_FORMAT",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Report format; auto = table on a terminal, JSON otherwise; markdown for CI summaries.",
)
@click.option("-q", "--quiet", is_flag=True, help="No notes on stderr.")
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
def doctor_command(
    inputs: tuple[str, ...],
    y_true: str | None,
    y_pred: str | None,
    sample_weight: str | None,
    batch_size: int,
    input_format: str | None,
    delimiter: str | None,
    storage_options: tuple[str, ...],
    fmt: str,
    quiet: bool,
    debug: bool,
) -> None:
    """Check the predictions in INPUT files for what makes losses wrong or NaN, and suggest a loss.

    Reads the input once, in memory bounded by --batch-size. Reports non-finite values, labels
    out of range, probabilities that are logits or do not sum to 1, constant columns, class
    imbalance and badly scaled targets; infers the task from the columns and prints the
    `losscli compute` command of each suggested loss. Exit 1 when a finding is an error (it
    would corrupt a loss), 0 otherwise (warnings allowed); docs/doctor.md defines each finding.
    """
    del debug  # handled by the group
    # Imported here, not at the top, so `losscli doctor --help` loads no NumPy or pyarrow.
    from losscli.doctor import diagnose_input
    from losscli.io.columns import ColumnRequest
    from losscli.io.sources import InputSpec

    io = IOContext(quiet=quiet)
    spec = InputSpec(
        paths=inputs or ("-",),
        input_format=input_format,
        delimiter=delimiter,
        batch_size=batch_size,
        storage_options=storage_options,
    )
    request = ColumnRequest(y_true, y_pred, sample_weight)
    diagnosis = diagnose_input(spec, request, note=io.note)
    if fmt == "auto":
        fmt = "table" if io.stdout_is_terminal else "json"
    if fmt == "table":
        render_table(diagnosis, io.console())
    elif fmt == "markdown":
        click.echo(render_markdown(diagnosis), nl=False)
    else:
        click.echo(render_json(diagnosis), nl=False)
    errors = diagnosis.errors
    if errors:
        codes = ", ".join(dict.fromkeys(_where(finding) for finding in errors))
        click.echo(
            f"losscli: doctor found {len(errors)} error{'s' if len(errors) > 1 else ''} that "
            f"would corrupt a loss: {codes}",
            err=True,
        )
        raise SystemExit(EXIT_GATE_FAILED)


def _where(finding: Finding) -> str:
    return f"{finding.code} ({finding.column})" if finding.column else finding.code


def render_json(diagnosis: Diagnosis) -> str:
    """The JSON document (``Diagnosis.to_dict``), indented by 2, with a trailing newline."""
    return json.dumps(diagnosis.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.6g}"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _params(suggestion: Suggestion) -> str:
    parts = [f"{name}={_value(value)}" for name, value in suggestion.params.items()]
    if suggestion.class_weight:
        weights = ",".join(f"{k}={_value(w)}" for k, w in suggestion.class_weight.items())
        parts.append(f"class weights {weights}")
    return f" ({', '.join(parts)})" if parts else ""


def _headline(diagnosis: Diagnosis) -> str:
    inputs = ", ".join(diagnosis.inputs) or "input"
    return f"{inputs}: {diagnosis.rows} rows, task {diagnosis.task}"


def _columns_line(diagnosis: Diagnosis) -> str:
    columns = diagnosis.columns
    line = f"y_true: {', '.join(columns.y_true)}; y_pred: {', '.join(columns.y_pred)}"
    if columns.sample_weight:
        line += f"; sample weight: {columns.sample_weight}"
    return line


def _verdict(diagnosis: Diagnosis) -> str:
    errors, warnings = len(diagnosis.errors), len(diagnosis.warnings)
    counts = f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning"
    counts += "s" if warnings != 1 else ""
    if errors:
        return f"{counts}: the data would corrupt a loss (exit 1)"
    if warnings:
        return f"{counts}: no error (exit 0)"
    return "no problems found"


# --------------------------------------------------------------------------------------------
# table

_STAT_HEADERS = ("column", "role", "missing", "nan", "inf", "min", "max", "mean", "std")
_DROPPABLE = ("std", "mean", "max", "min")  # left out in this order on a narrow terminal


def _statistics_rows(diagnosis: Diagnosis) -> list[list[str]]:
    return [
        [
            s.column,
            "weight" if s.role == "sample_weight" else s.role,
            str(s.missing),
            str(s.nan),
            str(s.inf),
            *(_number(value) for value in (s.min, s.max, s.mean, s.std)),
        ]
        for s in diagnosis.statistics
    ]


def _statistics_table(diagnosis: Diagnosis, width: int) -> tuple[Any, list[str]]:
    """A rich table, one row per column, and the statistics left out to fit ``width``.

    Numbers are never wrapped: on a narrow terminal std, mean, max and min go first.
    """
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    rows = _statistics_rows(diagnosis)
    widths = {
        header: max([cell_len(header), *(cell_len(row[i]) for row in rows)])
        for i, header in enumerate(_STAT_HEADERS)
    }
    shown = list(_STAT_HEADERS)
    for dropped in _DROPPABLE:
        if sum(widths[h] + 2 for h in shown) <= width:  # one space either side
            break
        shown.remove(dropped)
    table = Table(box=None, padding=(0, 1), show_edge=False)
    for header in shown:
        numeric = header not in ("column", "role")
        table.add_column(
            header,
            justify="right" if numeric else "left",
            no_wrap=numeric or header == "role",
            overflow="fold",
            min_width=min(widths[header], 12),
            style="dim" if header == "role" else None,
        )
    positions = [_STAT_HEADERS.index(header) for header in shown]
    for row in rows:
        table.add_row(*(Text(row[p]) for p in positions))
    hidden = [header for header in _STAT_HEADERS if header not in shown]
    return table, hidden


def render_table(diagnosis: Diagnosis, console: Console) -> None:
    """The report for a terminal: columns, findings, suggestions with their commands."""
    from rich.table import Table
    from rich.text import Text

    console.print(Text(_headline(diagnosis), style="bold"), overflow="fold")
    console.print(Text(_columns_line(diagnosis)), overflow="fold")
    if diagnosis.statistics:
        table, hidden = _statistics_table(diagnosis, console.width)
        console.print()
        console.print(table)
        if hidden:
            note = f"{', '.join(hidden)} not shown: the terminal is too narrow (--format json)"
            console.print(Text(note, style="dim"), overflow="fold")
    console.print()
    if diagnosis.findings:
        findings = Table.grid(padding=(0, 2))
        findings.add_column(no_wrap=True)
        findings.add_column(no_wrap=True)
        findings.add_column(overflow="fold")
        for finding in diagnosis.findings:
            findings.add_row(
                Text(finding.severity.value, style=_STYLES[finding.severity.value]),
                Text(finding.code),
                Text(finding.message),
            )
        console.print(findings)
    verdict_style = "bold red" if diagnosis.errors else "green"
    console.print(Text(_verdict(diagnosis), style=verdict_style))
    if diagnosis.suggestions:
        console.print()
        console.print(Text("suggested losses", style="bold"))
        for number, suggestion in enumerate(diagnosis.suggestions, 1):
            item = Table.grid(padding=(0, 1))
            item.add_column(no_wrap=True)
            item.add_column(overflow="fold")
            item.add_row(
                f"{number}.",
                Text.assemble(
                    (suggestion.loss, "bold cyan"),
                    _params(suggestion),
                    f": {suggestion.reason}",
                ),
            )
            console.print(item)
            # Never wrapped by rich, so the command copies and pastes as one line.
            console.print(Text(f"   $ {suggestion.command}", style="dim"), soft_wrap=True)


# --------------------------------------------------------------------------------------------
# markdown


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(diagnosis: Diagnosis) -> str:
    """A GitHub-flavoured Markdown report for a CI step summary."""
    lines = [
        "## losscli doctor",
        "",
        f"**{_cell(', '.join(diagnosis.inputs) or 'input')}**: {diagnosis.rows} rows, "
        f"task **{diagnosis.task}**; {_cell(_columns_line(diagnosis))}",
        "",
        f"**{_verdict(diagnosis)}**",
        "",
    ]
    if diagnosis.findings:
        lines += [
            "| severity | code | column | row | message |",
            "| --- | --- | --- | ---: | --- |",
        ]
        for finding in diagnosis.findings:
            row = "" if finding.row is None else str(finding.row)
            cells = (finding.severity.value, finding.code, finding.column or "", row)
            lines.append(
                "| " + " | ".join(_cell(cell) for cell in (*cells, finding.message)) + " |"
            )
        lines.append("")
    if diagnosis.statistics:
        lines += [
            "| column | role | missing | nan | inf | min | max | mean | std |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for s in diagnosis.statistics:
            cells = (
                s.column,
                s.role,
                str(s.missing),
                str(s.nan),
                str(s.inf),
                *(_number(value) for value in (s.min, s.max, s.mean, s.std)),
            )
            lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
        lines.append("")
    if diagnosis.suggestions:
        lines += ["### Suggested losses", ""]
        for number, suggestion in enumerate(diagnosis.suggestions, 1):
            lines += [
                f"{number}. **{suggestion.loss}**{_cell(_params(suggestion))}: "
                f"{_cell(suggestion.reason)}",
                "",
                "   ```sh",
                f"   {suggestion.command}",
                "   ```",
                "",
            ]
    return "\n".join(lines).rstrip("\n") + "\n"
