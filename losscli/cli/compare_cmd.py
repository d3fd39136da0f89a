"""``losscli compare``: two models' losses on the same targets, their difference and a verdict."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from losscli.cli.common import engine_options, storage_option
from losscli.cli.completion import complete_columns, complete_losses
from losscli.cli.context import IOContext
from losscli.cli.engine_choice import check_engine, cluster
from losscli.cli.options import parse_class_weight, parse_losses
from losscli.defaults import DEFAULT_BATCH_SIZE, DEFAULT_LEVEL, DEFAULT_REPLICATES
from losscli.errors import EXIT_GATE_FAILED, UsageError
from losscli.state import REDUCTIONS

if TYPE_CHECKING:
    from losscli.compare import CompareOptions, CompareRequest, ComparisonReport, ComparisonResult

FORMATS = ("auto", "table", "json", "markdown")
_VERDICT_STYLES = {"better": "green", "worse": "red"}


@click.command("compare")
@click.argument("inputs", nargs=-1, type=click.Path(), metavar="NEW [OLD]")
@click.option(
    "-l",
    "--loss",
    "losses",
    multiple=True,
    shell_complete=complete_losses,
    help="Loss name or alias, 'name:param=value,...', or a Keras config as JSON. Repeatable.",
)
@click.option(
    "-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="Parameter of the loss."
)
@click.option(
    "--key",
    shell_complete=complete_columns,
    help="Column present in both files whose values match their rows (unique in each file).",
)
@click.option(
    "--aligned",
    is_flag=True,
    help="Row i of NEW and row i of OLD are the same sample (same row count, same order).",
)
@click.option("--y-true", shell_complete=complete_columns, help="y_true column(s), read from NEW.")
@click.option(
    "--y-pred", shell_complete=complete_columns, help="y_pred column(s), the same in both files."
)
@click.option(
    "--y-pred-new", shell_complete=complete_columns, help="y_pred column(s) of the new model."
)
@click.option(
    "--y-pred-old", shell_complete=complete_columns, help="y_pred column(s) of the old model."
)
@click.option(
    "--sample-weight", shell_complete=complete_columns, help="Column of sample weights (NEW)."
)
@click.option("--class-weight", help="Class weights: '0=1.0,1=3.5', a JSON object or @file.json.")
@click.option(
    "--reduction",
    type=click.Choice([r for r in REDUCTIONS if r != "none"]),
    default=None,
    help="Keras reduction [default: each loss's own, sum_over_batch_size for Keras losses].",
)
@click.option(
    "--nan",
    type=click.Choice(["error", "skip", "propagate"]),
    default="error",
    show_default=True,
    help="Rows with NaN/inf in y_true, y_pred or weights (each model on its own).",
)
@click.option(
    "--dtype",
    type=click.Choice(["float32", "float64"]),
    default=None,
    help="Arithmetic; default: the loss's reference (float32 for Keras losses).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Rows per batch (memory bound; the batch of batch-scope losses).",
)
@storage_option()
@click.option(
    "--ci",
    "level",
    type=click.FloatRange(min=0, max=1, min_open=True, max_open=True),
    default=DEFAULT_LEVEL,
    show_default=True,
    help="Confidence level of the intervals and the verdict.",
)
@click.option(
    "--replicates",
    type=click.IntRange(min=2),
    default=DEFAULT_REPLICATES,
    show_default=True,
    help="Bootstrap replicates.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0, max=2**64 - 1),
    default=0,
    show_default=True,
    help="Seed of the bootstrap's Poisson weights.",
)
@click.option(
    "--group-by",
    "group_by",
    multiple=True,
    shell_complete=complete_columns,
    help="Column to slice by: a verdict per slice too. Repeatable.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Output format; auto = table on a terminal, JSON otherwise.",
)
@click.option(
    "--fail-if",
    "gates",
    multiple=True,
    metavar="GATE",
    help="Exit 1 when e.g. 'ci_low(delta(bce)) > 0' or 'delta(mse) > 0' holds. Repeatable.",
)
@engine_options
@click.option("-q", "--quiet", is_flag=True, help="No notes on stderr.")
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
def compare_command(
    inputs: tuple[str, ...],
    losses: tuple[str, ...],
    params: tuple[str, ...],
    key: str | None,
    aligned: bool,
    y_true: str | None,
    y_pred: str | None,
    y_pred_new: str | None,
    y_pred_old: str | None,
    sample_weight: str | None,
    class_weight: str | None,
    reduction: str | None,
    nan: str,
    dtype: str | None,
    batch_size: int,
    storage_options: tuple[str, ...],
    level: float,
    replicates: int,
    seed: int,
    group_by: tuple[str, ...],
    fmt: str,
    gates: tuple[str, ...],
    engine: str,
    scheduler: str | None,
    dask_dashboard: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Compare a NEW model's predictions with an OLD model's on the same targets.

    \b
    losscli compare new.parquet old.parquet --key id -l bce
    losscli compare preds.csv --y-pred-new p_new --y-pred-old p_old -l mse

    Per loss: both values, the paired difference new - old with its bootstrap interval
    (--ci), and a verdict: better (interval below 0), worse (above 0) or no significant
    difference. Two files are matched by --key (or by position with --aligned); rows in one
    file only are counted and left out.
    """
    del debug  # handled by the group
    # Imported here, not at the top, so `losscli compare --help` loads no NumPy or pyarrow.
    from losscli.allocator import keep_freed_buffers
    from losscli.compare import CompareOptions, CompareRequest, compare_inputs
    from losscli.gates import Gate, check_gates
    from losscli.weights import parse_class_weight as validate_class_weight

    keep_freed_buffers()
    io = IOContext(quiet=quiet)
    on_dask = check_engine(engine, dask_dashboard)
    if len(inputs) not in (1, 2):
        raise UsageError("give NEW and OLD prediction files, or one file with both models")
    if not losses:
        raise UsageError("no loss to compare: pass --loss")
    parsed = parse_losses(losses, params)
    parsed_gates = [Gate.parse(text) for text in gates]
    weights_by_class = (
        validate_class_weight(parse_class_weight(class_weight)) if class_weight else None
    )
    options = CompareOptions(
        reduction=reduction,
        dtype=dtype,
        nan=nan,
        class_weight=weights_by_class,
        batch_size=batch_size,
        level=level,
        replicates=replicates,
        seed=seed,
    )
    request = CompareRequest(
        new=inputs[0],
        old=inputs[1] if len(inputs) == 2 else None,
        key=key,
        aligned=aligned,
        y_true=y_true,
        y_pred=y_pred,
        y_pred_new=y_pred_new,
        y_pred_old=y_pred_old,
        sample_weight=sample_weight,
        group_by=group_by,
        storage_options=storage_options,
    )
    if on_dask:
        report = _compare_on_dask(io, parsed, request, options, scheduler, dask_dashboard)
    else:
        report = compare_inputs(parsed, request, options, note=io.note)
    failures = check_gates(parsed_gates, report)  # before printing: a bad gate leaves no output
    if fmt == "auto":
        fmt = "table" if io.stdout_is_terminal else "json"
    if fmt == "json":
        click.echo(render_json(report), nl=False)
    elif fmt == "markdown":
        click.echo(render_markdown(report), nl=False)
    else:
        render_table(report, io.console())
    for message in failures:
        click.echo(f"losscli: {message}", err=True)
    if failures:
        raise SystemExit(EXIT_GATE_FAILED)


def _compare_on_dask(
    io: IOContext,
    losses: Any,
    request: CompareRequest,
    options: CompareOptions,
    scheduler: str | None,
    dashboard: bool,
) -> ComparisonReport:
    """The comparison on a Dask cluster; what it cannot split is refused before one starts."""
    from losscli.compare import compare_inputs
    from losscli.distributed.compare import check_cluster_request
    from losscli.pipeline import make_jobs

    request.validate()
    check_cluster_request(request, make_jobs(losses))
    with cluster(io, scheduler, dashboard) as client:
        return compare_inputs(losses, request, options, note=io.note, client=client)


# --------------------------------------------------------------------------------------------
# rendering


def render_json(report: ComparisonReport) -> str:
    """The report as one JSON object (schema in docs/compare.md), with a trailing newline."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _number(value: float) -> str:
    return f"{value:.5g}"


def _interval(result: ComparisonResult) -> str:
    return f"[{_number(result.ci_low)}, {_number(result.ci_high)}]"


def _columns(report: ComparisonReport) -> list[str]:
    sliced = any(result.slice is not None for result in report.results)
    level = f"{report.level * 100:g}% CI"
    return ["loss", *(["slice"] if sliced else []), "new", "old", "delta", level, "verdict"]


def _cells(report: ComparisonReport, result: ComparisonResult) -> list[str]:
    sliced = any(r.slice is not None for r in report.results)
    return [
        result.label,
        *([result.slice_text] if sliced else []),
        _number(result.new.value),
        _number(result.old.value),
        f"{result.delta:+.5g}",
        _interval(result),
        result.verdict,
    ]


def _caption(report: ComparisonReport) -> list[str]:
    counts = report.counts
    if report.mode == "key":
        rows = (
            f"{counts.matched} rows matched by key {report.key!r}; only in NEW "
            f"{counts.only_new}, only in OLD {counts.only_old}"
        )
    elif report.mode == "aligned":
        rows = f"{counts.matched} rows paired by position"
    else:
        rows = f"{counts.matched} rows"
    level = f"{report.level * 100:g}%"
    weights = "key" if report.weights == "key" else "row position"
    boot = (
        f"{level} paired bootstrap intervals of new - old: {report.replicates} replicates, "
        f"seed {report.seed}, weights by {weights}"
    )
    return [rows, boot, *report.notes]


_NAME_WIDTHS = {"loss": 24, "slice": 20, "verdict": len("significant")}
"""Widths below which a name column wraps (the numbers never do)."""


def _layout(report: ComparisonReport, width: int) -> list[str]:
    """The table's columns: all, or without new/old when the console is too narrow."""
    from rich.cells import cell_len

    columns = _columns(report)
    rows = [_cells(report, result) for result in report.results]
    widest = {
        column: max([cell_len(column), *(cell_len(row[i]) for row in rows)])
        for i, column in enumerate(columns)
    }
    needed = {c: min(w, _NAME_WIDTHS.get(c, w)) for c, w in widest.items()}
    if sum(needed.values()) + 3 * len(columns) + 1 <= width:
        return columns
    return [c for c in columns if c not in ("new", "old")]


def render_table(report: ComparisonReport, console: Any) -> None:
    """Print the report as a rich table on ``console``.

    Names wrap and numbers are never cut; on a console too narrow for every column the two
    models' values are left out (the caption says so) before the delta and its interval.
    """
    from rich.table import Table
    from rich.text import Text

    title = report.new_input if report.old_input is None else f"{report.new_input} (NEW)"
    if report.old_input is not None:
        title += f" vs {report.old_input} (OLD)"
    columns = _columns(report)
    shown = _layout(report, console.width)
    caption = _caption(report)
    if len(shown) < len(columns):
        caption.append("new, old not shown: the terminal is too narrow (use --format json)")
    table = Table(
        title=Text(title),
        caption=Text("\n".join(caption)),
        title_justify="left",
        caption_justify="left",
    )
    for column in shown:
        if column in _NAME_WIDTHS:  # names wrap; numbers are never cut
            table.add_column(column, overflow="fold", min_width=min(len(column), 8))
        else:
            table.add_column(column, justify="right", no_wrap=True)
    positions = [columns.index(column) for column in shown]
    for result in report.results:
        cells = _cells(report, result)
        row = [Text(cells[i]) for i in positions]
        row[-1].stylize(_VERDICT_STYLES.get(result.verdict, ""))
        table.add_row(*row)
    console.print(table)


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(report: ComparisonReport) -> str:
    """A GitHub-flavoured Markdown table (for a CI step summary), then the row counts."""
    columns = _columns(report)
    lines = [
        "| " + " | ".join(columns) + " |",
        "| "
        + " | ".join("---:" if c in ("new", "old", "delta") else "---" for c in columns)
        + " |",
    ]
    for result in report.results:
        cells = [_markdown_cell(cell) for cell in _cells(report, result)]
        if result.verdict in _VERDICT_STYLES:
            cells[-1] = f"**{cells[-1]}**"
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.extend(_markdown_cell(line) for line in _caption(report))
    return "\n".join(lines) + "\n"
