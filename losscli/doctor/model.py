"""What a diagnosis reports: :class:`Diagnosis` with its findings, suggestions and statistics.

Plain frozen dataclasses, each with ``to_dict`` giving its part of the JSON document
(schema :data:`DOCTOR_SCHEMA`, documented in docs/doctor.md), so the command and the Python API
report the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from losscli.io.columns import ColumnSpec

DOCTOR_SCHEMA = 1
"""Version of the JSON document :meth:`Diagnosis.to_dict` returns."""

TASKS = (
    "regression",
    "binary",
    "multiclass_sparse",
    "multiclass_onehot",
    "multilabel",
    "unknown",
)
"""The tasks :func:`losscli.doctor.diagnose` can infer."""


class Severity(str, Enum):
    """How bad a finding is: ``error`` corrupts a loss (exit 1), ``warning`` does not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem: its severity, a stable code, a one-line message, and where it is.

    ``column`` is the column (``name[k]`` for element k of a list column) or None for findings
    about whole rows or the task; ``row`` is the first row where it occurs (from 0), ``count``
    how many values or rows it concerns.
    """

    severity: Severity
    code: str
    message: str
    column: str | None = None
    row: int | None = None
    count: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "column": self.column,
            "row": self.row,
            "count": self.count,
        }


@dataclass(frozen=True)
class Suggestion:
    """A loss that fits the data, with its parameters, why, and the command that computes it."""

    loss: str
    params: Mapping[str, Any]
    reason: str
    command: str
    class_weight: Mapping[int, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "loss": self.loss,
            "params": dict(self.params),
            "class_weight": (
                None
                if self.class_weight is None
                else {str(key): value for key, value in self.class_weight.items()}
            ),
            "reason": self.reason,
            "command": self.command,
        }


@dataclass(frozen=True)
class ColumnSummary:
    """Statistics of one column (one element of a list column) over the finite values."""

    column: str
    role: str  # "y_true", "y_pred" or "sample_weight"
    rows: int
    missing: int
    nan: int
    inf: int
    min: float | None
    max: float | None
    mean: float | None
    std: float | None  # population standard deviation

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "role": self.role,
            "rows": self.rows,
            "missing": self.missing,
            "nan": self.nan,
            "inf": self.inf,
            "min": self.min,
            "max": self.max,
            "mean": self.mean,
            "std": self.std,
        }


@dataclass(frozen=True)
class Diagnosis:
    """What :func:`losscli.doctor.diagnose` found: the task, the findings, the suggested losses.

    Findings come errors first, then warnings, each in a fixed order of checks and columns;
    the first suggestion is the loss that fits best.
    """

    task: str
    findings: tuple[Finding, ...]
    suggestions: tuple[Suggestion, ...]
    rows: int
    columns: ColumnSpec
    inputs: tuple[str, ...] = ()
    statistics: tuple[ColumnSummary, ...] = field(default=())

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        """True when nothing would corrupt a loss (warnings allowed)."""
        return not self.errors

    @property
    def status(self) -> str:
        """``errors``, ``warnings`` or ``clean``."""
        if self.errors:
            return "errors"
        return "warnings" if self.warnings else "clean"

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (schema :data:`DOCTOR_SCHEMA`, documented in docs/doctor.md).

        Floats are finite: statistics are taken over finite values only (None when none).
        """
        return {
            "schema": DOCTOR_SCHEMA,
            "kind": "doctor",
            "inputs": list(self.inputs),
            "columns": {
                "y_true": list(self.columns.y_true),
                "y_pred": list(self.columns.y_pred),
                "sample_weight": self.columns.sample_weight,
            },
            "rows": self.rows,
            "task": self.task,
            "status": self.status,
            "counts": {"errors": len(self.errors), "warnings": len(self.warnings)},
            "findings": [finding.to_dict() for finding in self.findings],
            "suggestions": [suggestion.to_dict() for suggestion in self.suggestions],
            "statistics": [summary.to_dict() for summary in self.statistics],
        }
