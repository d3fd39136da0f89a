"""``losscli penalty``: the Keras L1/L2 regularization penalty of saved weights."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from losscli.cli.context import IOContext
from losscli.cli.curve_cmd import json_text

if TYPE_CHECKING:
    from rich.console import Console

    from losscli.penalty import PenaltyReport


@click.command("penalty")
@click.argument("weights", type=click.Path(), metavar="WEIGHTS.npz")
@click.option("--l1", type=float, help="L1 factor: adds l1 * sum(|w|) (keras.regularizers.L1).")
@click.option("--l2", type=float, help="L2 factor: adds l2 * sum(w**2) (keras.regularizers.L2).")
@click.option(
    "--array",
    "arrays",
    multiple=True,
    envvar="LOSSCLI_PENALTY_ARRAY",
    metavar="NAME_OR_GLOB",
    help="Array to include, by name or glob ('dense*/kernel'); repeatable; default: all.",
)
@click.option(
    "--format",
    "fmt",
    envvar="LOSSCLI_PENALTY_FORMAT",
    type=click.Choice(["auto", "table", "json"]),
    default="auto",
    show_default=True,
    help="auto = table on a terminal, JSON otherwise.",
)
@click.option("-q", "--quiet", is_flag=True, help="No notes on stderr.")
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
def penalty_command(
    weights: str,
    l1: float | None,
    l2: float | None,
    arrays: tuple[str, ...],
    fmt: str,
    quiet: bool,
    debug: bool,
) -> None:
    """Sum the Keras regularization penalty over the arrays of WEIGHTS.npz.

    With --l1 and --l2 both given it is keras.regularizers.L1L2: l1 * sum(|w|) +
    l2 * sum(w**2) per array (no 1/2 factor), summed in float64. The file is read with
    allow_pickle=False.
    """
    del debug  # handled by the group
    # Imported here, not at the top, so `losscli penalty --help` loads no NumPy.
    from losscli.penalty import penalty

    io = IOContext(quiet=quiet)
    report = penalty(weights, l1=l1, l2=l2, arrays=arrays)
    for item in report.arrays:
        if item.nonfinite:
            io.note(f"array '{item.name}' has {item.nonfinite} NaN or infinite weights")
    if fmt == "auto":
        fmt = "table" if io.stdout_is_terminal else "json"
    if fmt == "json":
        click.echo(json_text(report.to_dict()))
    else:
        render_penalty(report, io.console())


def render_penalty(report: PenaltyReport, console: Console) -> None:
    """One row per array and a total row; 8 significant digits."""
    from rich.table import Table

    table = Table(title=f"{report.regularizer} penalty of {report.source}", title_justify="left")
    table.add_column("array", overflow="fold")
    table.add_column("shape", no_wrap=True)
    table.add_column("dtype", no_wrap=True)
    for header in ("sum |w|", "sum w²", "penalty"):
        table.add_column(header, justify="right", no_wrap=True)
    for item in report.arrays:
        shape = "×".join(str(n) for n in item.shape) or "scalar"
        table.add_row(
            item.name, shape, item.dtype, _g(item.sum_abs), _g(item.sum_squares), _g(item.penalty)
        )
    table.add_section()
    table.add_row(
        f"total ({len(report.arrays)} arrays)",
        f"{sum(item.size for item in report.arrays)} weights",
        "",
        _g(report.sum_abs),
        _g(report.sum_squares),
        f"[bold]{_g(report.total)}[/bold]",
    )
    console.print(table)


def _g(value: float) -> str:
    return f"{value:.8g}"
