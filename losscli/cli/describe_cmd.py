"""``losscli describe NAME``: a loss's formula, inputs, parameters and a runnable example."""

from __future__ import annotations

import json

import click

from losscli.catalog import catalog_rows, describe_text
from losscli.cli.completion import complete_losses
from losscli.losses import get_spec


@click.command("describe")
@click.argument("name", shell_complete=complete_losses)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Plain text, or the loss's catalog record as JSON.",
)
def describe_command(name: str, fmt: str) -> None:
    """Describe the loss NAME (a name, an alias, or FILE.py:FUNCTION)."""
    spec = get_spec(name)
    if fmt == "json":
        click.echo(json.dumps(catalog_rows([spec])[0], indent=2))
    else:
        click.echo(describe_text(spec), nl=False)
