"""Shell completion: loss names from the registry, column names from the input's schema."""

from __future__ import annotations

from typing import Any

import click
from click.shell_completion import CompletionItem


def complete_losses(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Every canonical name and alias starting with what was typed."""
    from losscli.losses import list_losses

    names = []
    for spec in list_losses():
        for identifier in (spec.name, *spec.aliases):
            if identifier.lower().startswith(incomplete.lower()):
                names.append(CompletionItem(identifier, help=spec.summary))
    return names


def complete_columns(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Column names of the first input file, read from its metadata only."""
    inputs = ctx.params.get("inputs") or ()
    paths = [path for path in inputs if path != "-"]
    if not paths:
        return []
    try:
        from losscli.io.sources import InputSpec, open_source

        with open_source(InputSpec(paths=(paths[0],))) as source:
            names = source.schema.names
    except Exception:  # completion must never fail loudly
        return []
    prefix = incomplete.rsplit(",", 1)
    head = prefix[0] + "," if len(prefix) == 2 else ""
    last = prefix[-1]
    return [CompletionItem(head + name) for name in names if name.startswith(last)]
