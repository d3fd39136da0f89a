"""What a comparison found: each model's value, the paired difference, and the whole report.

:class:`ComparisonResult` is one loss over one slice; :class:`ComparisonReport` is everything
``losscli compare`` shows, with its JSON document (schema :data:`COMPARE_SCHEMA`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from losscli.compare.jsonable import json_float, json_value, jsonable
from losscli.compare.verdicts import gate_number
from losscli.io.join import PairCounts

__all__ = ["COMPARE_SCHEMA", "ComparisonReport", "ComparisonResult", "ModelValue"]

COMPARE_SCHEMA = 1
"""Version of the ``compare`` JSON document; bumped on any incompatible change."""


@dataclass(frozen=True)
class ModelValue:
    """One model's reduced loss, its bootstrap interval, and the rows behind it.

    ``rows_used`` counts the rows that entered the loss; ``skipped`` those dropped as
    non-finite (``nan="skip"``).
    """

    value: float
    ci_low: float
    ci_high: float
    rows_used: int
    skipped: int

    def to_dict(self) -> dict[str, Any]:
        """One model's object of the JSON document."""
        return {
            "value": json_float(self.value),
            "ci_low": json_float(self.ci_low),
            "ci_high": json_float(self.ci_high),
            "rows_used": int(self.rows_used),
            "skipped": int(self.skipped),
        }


@dataclass(frozen=True)
class ComparisonResult:
    """One loss over one slice (``slice`` None: all paired rows), NEW against OLD.

    ``delta`` is ``new.value - old.value``; ``ci_low``/``ci_high`` its paired bootstrap interval
    at ``level``; ``verdict`` one of :data:`~losscli.compare.verdicts.VERDICTS`.
    """

    loss: str
    label: str
    params: Mapping[str, Any]
    reduction: str
    rows: int
    new: ModelValue
    old: ModelValue
    delta: float
    ci_low: float
    ci_high: float
    level: float
    replicates: int
    verdict: str
    higher_is_better: bool = False
    slice: tuple[tuple[str, Any], ...] | None = None

    @property
    def slice_text(self) -> str:
        """``"all"``, or the slice as ``col=value, col=value``."""
        if self.slice is None:
            return "all"
        return ", ".join(f"{name}={json_value(value)}" for name, value in self.slice)

    def to_dict(self) -> dict[str, Any]:
        """One result object of the JSON document."""
        return {
            "loss": self.loss,
            "label": self.label,
            "params": jsonable(dict(self.params)),
            "reduction": self.reduction,
            "higher_is_better": self.higher_is_better,
            "slice": None
            if self.slice is None
            else {name: json_value(value) for name, value in self.slice},
            "rows": int(self.rows),
            "new": self.new.to_dict(),
            "old": self.old.to_dict(),
            "delta": {
                "value": json_float(self.delta),
                "ci_low": json_float(self.ci_low),
                "ci_high": json_float(self.ci_high),
            },
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class ComparisonReport:
    """Everything ``losscli compare`` shows: one result per loss and slice, and row counts.

    ``mode`` is ``"key"`` (rows matched by ``key``), ``"aligned"`` (by position) or
    ``"same-file"`` (both predictions in one input). ``weights`` says what the bootstrap
    weights follow: ``"key"`` or ``"row"`` (position).
    """

    new_input: str
    old_input: str | None
    mode: str
    key: str | None
    counts: PairCounts
    results: tuple[ComparisonResult, ...]
    level: float
    replicates: int
    seed: int
    weights: str
    columns: Mapping[str, Any] = field(default_factory=dict)
    dtype: str = "float32"
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (schema :data:`COMPARE_SCHEMA`), as Python data."""
        counts = self.counts
        return {
            "schema": COMPARE_SCHEMA,
            "kind": "compare",
            "inputs": {"new": self.new_input, "old": self.old_input},
            "mode": self.mode,
            "key": self.key,
            "columns": jsonable(dict(self.columns)),
            "dtype": self.dtype,
            "rows": {
                "new": int(counts.new),
                "old": int(counts.old),
                "matched": int(counts.matched),
                "only_new": int(counts.only_new),
                "only_old": int(counts.only_old),
            },
            "bootstrap": {
                "replicates": int(self.replicates),
                "seed": int(self.seed),
                "level": float(self.level),
                "weights": self.weights,
            },
            "notes": list(self.notes),
            "results": [result.to_dict() for result in self.results],
        }

    def lookup(self, functions: tuple[str, ...], name: str) -> tuple[str, float, str]:
        """The number a gate names (see :mod:`losscli.gates`): label, value and what it is.

        ``new(L)``, ``old(L)`` and ``delta(L)`` are the values over all rows;
        ``ci_low(...)``/``ci_high(...)`` around one of them give its interval bound;
        ``max_slice(...)``/``min_slice(...)`` outermost give the largest/smallest over the
        ``--group-by`` slices.
        """
        return gate_number(self.results, self.level, functions, name)
