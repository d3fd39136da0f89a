"""``losscli list``: every loss with its aliases, target kind and parameters."""

from __future__ import annotations

import sys

import click

from losscli.catalog import catalog_json, catalog_markdown, loss_reference_markdown, param_text


@click.command("list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown"]),
    default=None,
    help="Output format; default: table on a terminal, JSON otherwise.",
)
@click.option(
    "--detailed",
    is_flag=True,
    help="With --format markdown: a section per loss with formula and notes.",
)
def list_command(fmt: str | None, detailed: bool) -> None:
    """List every loss with its aliases, target kind and parameters."""
    if fmt is None:
        fmt = "table" if sys.stdout.isatty() else "json"
    if fmt == "json":
        click.echo(catalog_json())
    elif fmt == "markdown":
        click.echo(loss_reference_markdown() if detailed else catalog_markdown(), nl=False)
    else:
        _print_table()


def _print_table() -> None:
    from rich.console import Console
    from rich.table import Table

    from losscli.catalog import ORIGINS, ordered

    table = Table(title="losscli losses", show_lines=False)
    table.add_column("loss", no_wrap=True)
    for column in ("aliases", "y_true", "scope", "parameters (default, range)"):
        table.add_column(column, overflow="fold")
    current = None
    for spec in ordered():
        if spec.origin != current:
            current = spec.origin
            table.add_section()
            table.add_row(f"[bold]{ORIGINS.get(current, current)}[/bold]")
        table.add_row(
            spec.name,
            ", ".join(spec.aliases),
            spec.target.value,
            spec.scope.value,
            "\n".join(param_text(p) for p in spec.params) or "-",
        )
    Console().print(table)
