"""The registry as documentation: tidy rows, JSON and Markdown generated from the specs.

``losscli list``, the README's table of losses and ``docs/losses.md`` all come from here, so
they cannot drift from the code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from losscli.losses import LossSpec, Param, list_losses


def param_text(param: Param) -> str:
    """``name=default`` followed by the valid range, e.g. ``delta=1.0 in (0, inf)``."""
    default = _value_text(param.default)
    text = f"{param.name}={default}"
    return f"{text} in {param.range_text}" if param.range_text else text


def _value_text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def catalog_rows(specs: Iterable[LossSpec] | None = None) -> list[dict[str, Any]]:
    """One JSON-ready record per loss."""
    return [
        {
            "name": spec.name,
            "aliases": list(spec.aliases),
            "origin": spec.origin,
            "target": spec.target.value,
            "scope": spec.scope.value,
            "summary": spec.summary,
            "formula": spec.formula,
            "params": [
                {
                    "name": p.name,
                    "type": p.kind.value,
                    "default": list(p.default) if isinstance(p.default, tuple) else p.default,
                    "range": p.range_text or None,
                    "help": p.help,
                }
                for p in spec.params
            ],
            "notes": list(spec.notes),
        }
        for spec in (list_losses() if specs is None else specs)
    ]


def catalog_json(specs: Iterable[LossSpec] | None = None) -> str:
    """The catalog as a JSON document with a schema version."""
    return json.dumps({"schema": 1, "losses": catalog_rows(specs)}, indent=2)


def catalog_markdown(specs: Iterable[LossSpec] | None = None) -> str:
    """The catalog as one Markdown table (the README's table of losses)."""
    lines = [
        "| loss | aliases | y_true | scope | parameters (default, range) |",
        "|---|---|---|---|---|",
    ]
    for spec in list_losses() if specs is None else specs:
        aliases = ", ".join(f"`{alias}`" for alias in spec.aliases)
        params = "<br>".join(f"`{param_text(p)}`" for p in spec.params) or "none"
        lines.append(
            f"| `{spec.name}` | {aliases} | {spec.target.value} | {spec.scope.value} | {params} |"
        )
    return "\n".join(lines) + "\n"


def loss_reference_markdown(specs: Iterable[LossSpec] | None = None) -> str:
    """A section per loss: summary, formula, target, parameters and notes (docs/losses.md)."""
    parts = [
        "# Loss reference\n",
        "Generated from the registry by `losscli list --format markdown --detailed`; "
        "do not edit by hand.\n",
    ]
    for spec in list_losses() if specs is None else specs:
        parts.append(f"## `{spec.name}`\n")
        parts.append(f"{spec.summary}\n")
        parts.append(f"- Formula: `{spec.formula}`")
        parts.append(f"- Reference: {spec.origin} `{spec.reference_class or spec.name}`")
        parts.append(f"- Aliases: {', '.join(f'`{a}`' for a in spec.aliases) or 'none'}")
        parts.append(f"- y_true: {spec.target.value} ({spec.target.description})")
        parts.append(f"- Scope: {spec.scope.value}")
        for param in spec.params:
            parts.append(f"- `{param_text(param)}`: {param.help}")
        parts.extend(f"- Note: {note}" for note in spec.notes)
        parts.append("")
    return "\n".join(parts)
