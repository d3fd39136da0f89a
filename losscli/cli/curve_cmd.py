"""``losscli curve``: a training log's curves on the terminal, its findings, and CI checks."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from losscli.cli.context import IOContext
from losscli.cli.output import check_writable
from losscli.defaults import CURVE_CHECKS, DEFAULT_DIVERGENCE_FACTOR, DEFAULT_PATIENCE
from losscli.errors import EXIT_GATE_FAILED, ColumnError

if TYPE_CHECKING:
    from rich.console import Console

    from losscli.curve import CurveReport

_STYLES = {
    "train": "cyan",
    "val": "magenta",
    "both": "bold",
    "axis": "dim",
    "best": "bold green",
    "bad": "bold red",
    "text": "",
}


@click.command("curve")
@click.argument("log", type=click.Path(), metavar="LOG")
@click.option(
    "--metric",
    default="loss",
    show_default=True,
    help="Curve to analyse and draw: a column of the log; its val_ twin is the validation curve.",
)
@click.option(
    "--mode",
    type=click.Choice(["auto", "min", "max"]),
    default="auto",
    show_default=True,
    help="Whether lower or higher --metric is better; auto: higher for accuracy, auc, f1, ...",
)
@click.option(
    "--patience",
    type=click.IntRange(min=1),
    default=DEFAULT_PATIENCE,
    show_default=True,
    help="Validated epochs without improvement (while training improves) that mean overfitting.",
)
@click.option(
    "--divergence-factor",
    type=click.FloatRange(min=1, min_open=True),
    default=DEFAULT_DIVERGENCE_FACTOR,
    show_default=True,
    help="The loss diverges when it reaches this many times its lowest earlier value.",
)
@click.option(
    "--fail-on",
    "fail_on",
    multiple=True,
    type=click.Choice(CURVE_CHECKS),
    help="Exit 1 when this finding is present (one line on stderr each). Repeatable.",
)
@click.option(
    "--png",
    type=click.Path(dir_okay=False),
    help="Also draw the curves to this PNG file (needs matplotlib: pip install 'losscli[plot]').",
)
@click.option(
    "--format",
    "fmt",
    envvar="LOSSCLI_CURVE_FORMAT",
    type=click.Choice(["auto", "table", "json"]),
    default="auto",
    show_default=True,
    help="auto = chart and findings on a terminal, JSON otherwise.",
)
@click.option("-q", "--quiet", is_flag=True, help="No notes on stderr.")
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
def curve_command(
    log: str,
    metric: str,
    mode: str,
    patience: int,
    divergence_factor: float,
    fail_on: tuple[str, ...],
    png: str | None,
    fmt: str,
    quiet: bool,
    debug: bool,
) -> None:
    """Draw the loss curves of a training LOG and report what they show.

    LOG is what keras.callbacks.CSVLogger writes (epoch, loss, val_loss, accuracy, ...), or
    the same columns as JSON Lines, Parquet or Arrow. Reports the best epoch, the first NaN or
    infinite value, divergence and the onset of overfitting (docs/curve.md defines each).
    """
    del debug  # handled by the group
    # Imported here, not at the top, so `losscli curve --help` loads no NumPy.
    from losscli.curve import analyze, read_history, require_matplotlib, write_png

    io = IOContext(quiet=quiet)
    if png:
        require_matplotlib()
        check_writable(png)
    report = analyze(
        read_history(log),
        metric=metric,
        mode=mode,  # type: ignore[arg-type]
        patience=patience,
        divergence_factor=divergence_factor,
    )
    if "overfit" in fail_on and report.validation is None:
        raise ColumnError(
            f"--fail-on overfit needs a validation curve, but '{report.source}' has no "
            f"'val_{report.metric}' column"
        )
    for note in report.notes:
        io.note(note)
    if fmt == "auto":
        fmt = "table" if io.stdout_is_terminal else "json"
    if fmt == "json":
        click.echo(json_text(report.to_dict(fail_on)))
    else:
        render_curve(report, io.console())
    if png:
        write_png(report, png)
        io.note(f"wrote {png}")
    failures = report.failures(fail_on)
    for message in failures:
        click.echo(f"losscli: {message}", err=True)
    if failures:
        raise SystemExit(EXIT_GATE_FAILED)


def json_text(value: Any, level: int = 0) -> str:
    """JSON indented by 2, but a list of numbers or strings on one line (a series per line)."""
    if isinstance(value, dict) and value:
        inner = "  " * (level + 1)
        items = [
            f"{inner}{json.dumps(key)}: {json_text(item, level + 1)}" for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + "  " * level + "}"
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        inner = "  " * (level + 1)
        items = [f"{inner}{json_text(item, level + 1)}" for item in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * level + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def render_curve(report: CurveReport, console: Console) -> None:
    """The chart, then one line per finding, fitted to the console's width."""
    from rich.table import Table
    from rich.text import Text

    from losscli.curve import text_chart

    direction = "lower" if report.mode == "min" else "higher"
    curves = report.metric + (f" and {report.validation}" if report.validation else "")
    console.print(
        Text(f"{report.source}: {len(report.epochs)} epochs, {curves} ({direction} is better)"),
        overflow="fold",
    )
    for line in text_chart(report, console.width):
        console.print(
            Text.assemble(*[(text, _STYLES[role]) for text, role in line]),
            no_wrap=True,
            overflow="crop",
        )
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    best = report.best
    best_text = Text(best.message(), style="bold green") if best else None
    table.add_row("best epoch", best_text or Text("none: no finite value", style="bold red"))
    overfit_absent = (
        f"none (patience {report.patience})"
        if report.validation
        else f"not checked: no val_{report.metric} column"
    )
    table.add_row(
        "overfitting",
        _found(report.overfit.message() if report.overfit else None, overfit_absent, "yellow"),
    )
    table.add_row(
        "non-finite",
        _found(report.nonfinite.message() if report.nonfinite else None, "none", "bold red"),
    )
    table.add_row(
        "divergence",
        _found(
            report.divergence.message() if report.divergence else None,
            f"none (factor {report.divergence_factor:g})",
            "bold red",
        ),
    )
    console.print(table)


def _found(message: str | None, absent: str, style: str) -> Any:
    from rich.text import Text

    return Text(message, style=style) if message is not None else Text(absent, style="green")
