"""The registry as documentation: tidy rows, JSON and Markdown generated from the specs.

``losscli list``, ``losscli describe``, the README's table of losses and ``docs/losses.md`` all
come from here, so they cannot drift from the code. Losses are grouped by origin (the library
whose numbers they reproduce) and then by family.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from losscli.losses import LossSpec, Param, list_losses
from losscli.losses.spec import Scope, Target

ORIGINS = {
    "keras": "Keras 3",
    "tfa": "TensorFlow Addons",
    "torch": "PyTorch",
    "sklearn": "scikit-learn",
    "plugin": "Plugins",
    "user": "User-defined",
}


def ordered(specs: Iterable[LossSpec] | None = None) -> list[LossSpec]:
    """Losses grouped by origin (in ``ORIGINS`` order), then family, then name."""
    rank = {origin: index for index, origin in enumerate(ORIGINS)}
    return sorted(
        list_losses() if specs is None else specs,
        key=lambda spec: (rank.get(spec.origin, len(rank)), spec.family, spec.name),
    )


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
            "family": spec.family,
            "target": spec.target.value,
            "scope": spec.scope.value,
            "default_reduction": spec.default_reduction or "sum_over_batch_size",
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
        for spec in ordered(specs)
    ]


def catalog_json(specs: Iterable[LossSpec] | None = None) -> str:
    """The catalog as a JSON document with a schema version."""
    return json.dumps({"schema": 2, "losses": catalog_rows(specs)}, indent=2)


def catalog_markdown(specs: Iterable[LossSpec] | None = None) -> str:
    """The catalog as Markdown tables, one per origin (the README's table of losses)."""
    lines: list[str] = []
    current = None
    for spec in ordered(specs):
        if spec.origin != current:
            current = spec.origin
            if lines:
                lines.append("")
            lines += [
                f"**{ORIGINS.get(current, current)}**",
                "",
                "| loss | family | aliases | y_true | scope | parameters (default, range) |",
                "|---|---|---|---|---|---|",
            ]
        aliases = ", ".join(f"`{alias}`" for alias in spec.aliases)
        params = "<br>".join(f"`{param_text(p)}`" for p in spec.params) or "none"
        lines.append(
            f"| `{spec.name}` | {spec.family} | {aliases} | {spec.target.value} | "
            f"{spec.scope.value} | {params} |"
        )
    return "\n".join(lines) + "\n"


def example_command(spec: LossSpec) -> str:
    """A command that runs ``spec`` on the shipped sample data, when one fits its inputs."""
    name = spec.name
    if spec.prepare is not None or spec.scope is Scope.BATCH:  # inputs need arranging
        return f"losscli compute -l {name} --y-true COLUMNS --y-pred COLUMNS FILE"
    if spec.target is Target.REAL:
        return f"losscli compute -l {name} sample_data/regression.parquet"
    if spec.target is Target.BINARY:
        return f"losscli compute -l {name} sample_data/binary.parquet"
    if spec.target is Target.SPARSE_LABEL:
        return (
            f"losscli compute -l {name} --y-true label --y-pred 'prob_*' "
            "sample_data/multiclass.parquet"
        )
    if spec.target in (Target.ONE_HOT, Target.DISTRIBUTION):
        return (
            f"losscli compute -l {name} --y-true 'onehot_*' --y-pred 'prob_*' "
            "sample_data/multiclass.parquet"
        )
    return f"losscli compute -l {name} --y-true COLUMNS --y-pred COLUMNS FILE"


def describe_text(spec: LossSpec) -> str:
    """Everything a user needs to run ``spec``: formula, inputs, parameters, reference."""
    lines = [
        f"{spec.name}: {spec.summary}",
        "",
        f"  formula      {spec.formula}",
        f"  reference    {ORIGINS.get(spec.origin, spec.origin)} {spec.reference_class or ''}",
        f"  aliases      {', '.join(spec.aliases) or 'none'}",
        f"  y_true       {spec.target.value}: {spec.target.description}",
        f"  scope        {spec.scope.value}",
        f"  reduction    {spec.default_reduction or 'sum_over_batch_size'} by default",
        f"  dtype        {spec.reference_dtype} by default",
    ]
    if spec.params:
        lines += ["", "  parameters"]
        lines += [f"    {param_text(p)}: {p.help}" for p in spec.params]
    if spec.notes:
        lines += ["", "  notes"]
        lines += [f"    - {note}" for note in spec.notes]
    lines += ["", "  example", f"    {example_command(spec)}"]
    return "\n".join(lines) + "\n"


def loss_reference_markdown(specs: Iterable[LossSpec] | None = None) -> str:
    """A section per loss: summary, formula, target, parameters and notes (docs/losses.md)."""
    parts = [
        "# Loss reference\n",
        "Generated from the registry by `losscli list --format markdown --detailed`; "
        "do not edit by hand.\n",
    ]
    for spec in ordered(specs):
        parts.append(f"## `{spec.name}`\n")
        parts.append(f"{spec.summary}\n")
        parts.append(f"- Formula: `{spec.formula}`")
        reference = f"{ORIGINS.get(spec.origin, spec.origin)} `{spec.reference_class or spec.name}`"
        parts.append(f"- Reference: {reference}")
        parts.append(f"- Aliases: {', '.join(f'`{a}`' for a in spec.aliases) or 'none'}")
        parts.append(f"- y_true: {spec.target.value} ({spec.target.description})")
        parts.append(f"- Scope: {spec.scope.value}; family: {spec.family}")
        parts.append(
            f"- Default reduction: {spec.default_reduction or 'sum_over_batch_size'}; "
            f"default dtype: {spec.reference_dtype}"
        )
        for param in spec.params:
            parts.append(f"- `{param_text(param)}`: {param.help}")
        parts.extend(f"- Note: {note}" for note in spec.notes)
        parts.append(f"- Example: `{example_command(spec)}`")
        parts.append("")
    return "\n".join(parts)
