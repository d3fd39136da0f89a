"""Data diagnostics: what in a prediction file would make a loss wrong or NaN, and which loss fits.

:func:`diagnose` reads record batches once, keeping only running statistics per column (counts,
min, max, shifted power sums, the first row of each problem, counts of up to
:data:`MAX_DISTINCT` distinct whole values) and per row group (row sums of several y_pred
columns, one-hot checks of several y_true columns), so memory is bounded by the batch size.
At the end it infers the task from the columns (:data:`TASKS`), turns the statistics into
:class:`Finding` objects of two severities, and suggests losses, each with the exact
``losscli compute`` command line. :func:`diagnose_input` opens files first, as ``compute`` does.

Severities (``docs/doctor.md`` lists every code):

- ``error``: the data would make a loss NaN, infinite, wrong, or make ``compute`` refuse it
  whatever loss is chosen: missing, NaN or infinite values; labels out of range or not whole
  numbers; one-hot rows that are not one-hot; a few probabilities outside [0, 1]; all-zero
  probability rows; negative weights; y_true and y_pred widths that do not fit; no rows.
- ``warning``: the loss is well defined but probably not what was meant, or another loss or
  option fits better: logits, rows that do not sum to 1, constant columns, class imbalance,
  absent classes, large or wide-ranging targets, heavy-tailed errors.

Row numbers count data rows from 0 across all inputs (the header is not a row), as the errors
of ``compute`` do. Nothing here imports pandas or rich.
"""

from __future__ import annotations

import fnmatch
import math
import re
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from losscli.errors import InputDataError
from losscli.io.columns import (
    PRED_FALLBACKS,
    TRUE_FALLBACKS,
    ColumnRequest,
    ColumnSpec,
    columns_to_array,
    natural_key,
    resolve_columns,
)
from losscli.io.sources import InputSpec, open_source

__all__ = [
    "DOCTOR_SCHEMA",
    "TASKS",
    "ColumnSummary",
    "Diagnosis",
    "Finding",
    "Severity",
    "Suggestion",
    "diagnose",
    "diagnose_input",
    "guess_columns",
]

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
"""The tasks :func:`diagnose` can infer."""

# The thresholds of the rules; docs/doctor.md states each one.
SUM_TOLERANCE = 1e-3
"""A row of probabilities sums to 1 when it is within this of 1."""
LOGIT_SHARE = 0.05
"""y_pred holds logits when at least this share of its values is outside [0, 1]."""
BINARY_SHARE = 0.99
"""One y_true column is binary when at least this share of its values is 0 or 1."""
SOFTMAX_SHARE = 0.99
"""Several y_pred columns are softmax output when at least this share of rows sums to 1."""
ONE_HOT_SHARE = 0.95
"""With logits, 0/1 y_true columns are one-hot when at least this share of rows is."""
IMBALANCE_RATIO = 10.0
"""Classes are imbalanced when the commonest has at least this many times the rows of the rarest."""
LARGE_VALUE = 1e4
"""Targets are large when some |y| exceeds this."""
WIDE_RANGE_DECADES = 4.0
"""Positive targets range widely when max / smallest positive exceeds 10 ** this."""
HEAVY_KURTOSIS = 6.0
"""Errors are heavy-tailed when their kurtosis exceeds this (normal: 3, Laplace: 6)."""
MIN_ROWS_FOR_TAILS = 30
"""Kurtosis is not judged on fewer rows."""
MAX_DISTINCT = 1000
"""Distinct whole values counted per column; beyond this a column's value counts are dropped."""


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
    """What :func:`diagnose` found: the task, the findings, and the suggested losses.

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


# --------------------------------------------------------------------------------------------
# running statistics


class _First:
    """How often something happened, and the row (and value) where it first did."""

    __slots__ = ("count", "row", "value")

    def __init__(self) -> None:
        self.count = 0
        self.row: int | None = None
        self.value: float | None = None

    def add(self, mask: np.ndarray, offset: int, values: np.ndarray | None = None) -> None:
        hits = int(np.count_nonzero(mask))
        if not hits:
            return
        if self.row is None:
            index = int(np.argmax(mask))
            self.row = offset + index
            if values is not None:
                self.value = float(values[index])
        self.count += hits


def _earliest(*events: _First) -> _First:
    """Several counters as one: the counts added, the earliest first row."""
    merged = _First()
    for event in events:
        merged.count += event.count
        if event.row is not None and (merged.row is None or event.row < merged.row):
            merged.row, merged.value = event.row, event.value
    return merged


class _Moments:
    """Count, min, max, smallest positive, |x| sum and power sums about a fixed shift.

    The shift is the first finite value seen, so the sums of any batching are the same up to
    rounding and the variance and kurtosis do not cancel catastrophically.
    """

    def __init__(self) -> None:
        self.count = 0
        self.min = math.inf
        self.max = -math.inf
        self.min_positive = math.inf
        self.abs_sum = 0.0
        self.shift: float | None = None
        self.sums = [0.0, 0.0, 0.0, 0.0]

    def update(self, values: np.ndarray) -> None:
        """Add finite float64 values."""
        if not values.size:
            return
        self.count += int(values.size)
        self.min = min(self.min, float(values.min()))
        self.max = max(self.max, float(values.max()))
        positive = values[values > 0]
        if positive.size:
            self.min_positive = min(self.min_positive, float(positive.min()))
        self.abs_sum += float(np.abs(values).sum())
        if self.shift is None:
            self.shift = float(values[0])
        d = values - self.shift
        d2 = d * d
        for power, part in enumerate((d, d2, d2 * d, d2 * d2)):
            self.sums[power] += float(part.sum())

    @property
    def mean(self) -> float | None:
        if not self.count or self.shift is None:
            return None
        return self.shift + self.sums[0] / self.count

    def _central(self) -> tuple[float, float]:
        """The second and fourth central moments (population)."""
        n = self.count
        m1, s2, s3, s4 = self.sums[0] / n, self.sums[1] / n, self.sums[2] / n, self.sums[3] / n
        m1sq = m1 * m1
        c2 = max(s2 - m1sq, 0.0)
        c4 = s4 - 4 * m1 * s3 + 6 * m1sq * s2 - 3 * m1sq * m1sq
        return c2, max(c4, 0.0)

    @property
    def std(self) -> float | None:
        if not self.count:
            return None
        std = math.sqrt(self._central()[0])
        return std if math.isfinite(std) else None

    @property
    def kurtosis(self) -> float | None:
        """m4 / m2 ** 2 (3 for a normal distribution); None when constant or not finite."""
        if self.count < 2:
            return None
        c2, c4 = self._central()
        if not c2 > 0 or not math.isfinite(c4):
            return None
        value = c4 / (c2 * c2)
        return value if math.isfinite(value) else None


class _Column:
    """Running statistics of one column: non-finite values, range, whole values, moments."""

    def __init__(self, name: str, role: str) -> None:
        self.name = name
        self.role = role
        self.rows = 0
        self.missing = _First()
        self.nan = _First()
        self.inf = _First()
        self.below0 = _First()
        self.above1 = _First()
        self.fraction = _First()
        self.zeros = 0
        self.ones = 0
        self.moments = _Moments()
        self.distinct: dict[float, int] | None = {}

    def update(self, x: np.ndarray, missing: np.ndarray | None, offset: int) -> None:
        self.rows += int(x.size)
        nan = np.isnan(x)
        if missing is not None:
            self.missing.add(missing, offset)
            nan &= ~missing
        self.nan.add(nan, offset)
        self.inf.add(np.isinf(x), offset, x)
        finite = np.isfinite(x)
        values = x[finite]
        if not values.size:
            return
        self.below0.add(finite & (x < 0), offset, x)
        self.above1.add(finite & (x > 1), offset, x)
        whole_mask = finite & (x == np.floor(x))
        self.fraction.add(finite & ~whole_mask, offset, x)
        self.zeros += int(np.count_nonzero(values == 0))
        self.ones += int(np.count_nonzero(values == 1))
        self.moments.update(values)
        if self.distinct is not None:
            keys, counts = np.unique(x[whole_mask], return_counts=True)
            if keys.size > MAX_DISTINCT:
                self.distinct = None
                return
            for key, count in zip(keys.tolist(), counts.tolist(), strict=True):
                self.distinct[key] = self.distinct.get(key, 0) + count
            if len(self.distinct) > MAX_DISTINCT:
                self.distinct = None

    @property
    def finite(self) -> int:
        return self.moments.count

    @property
    def whole(self) -> bool:
        """Every finite value is a whole number."""
        return self.fraction.count == 0

    def summary(self) -> ColumnSummary:
        m = self.moments
        return ColumnSummary(
            column=self.name,
            role=self.role,
            rows=self.rows,
            missing=self.missing.count,
            nan=self.nan.count,
            inf=self.inf.count,
            min=m.min if m.count else None,
            max=m.max if m.count else None,
            mean=m.mean,
            std=m.std,
        )


class _PredRows:
    """Row sums of several y_pred columns: how many rows sum to 1, and the worst."""

    def __init__(self) -> None:
        self.rows = 0  # rows whose values are all finite
        self.off = _First()  # rows (not all zero) whose sum is off 1 by more than SUM_TOLERANCE
        self.zero = _First()  # rows of zeros only
        self.worst_row: int | None = None
        self.worst_sum = 1.0
        self.worst_gap = 0.0

    def update(self, pred: np.ndarray, offset: int) -> None:
        ok = np.isfinite(pred).all(axis=1)
        self.rows += int(np.count_nonzero(ok))
        sums = np.where(ok, pred.sum(axis=1), 1.0)
        gap = np.abs(sums - 1.0)
        zero = ok & (pred == 0).all(axis=1)
        off = ok & ~zero & (gap > SUM_TOLERANCE)
        self.off.add(off, offset, sums)
        self.zero.add(zero, offset)
        if off.any():
            index = int(np.argmax(np.where(off, gap, -1.0)))
            if gap[index] > self.worst_gap:
                self.worst_gap = float(gap[index])
                self.worst_sum = float(sums[index])
                self.worst_row = offset + index


class _TrueRows:
    """One-hot checks of several y_true columns."""

    def __init__(self) -> None:
        self.rows = 0  # rows whose values are all finite
        self.binary_rows = 0  # all values 0 or 1
        self.one_hot_rows = 0  # ... with exactly one 1
        self.several = _First()  # 0/1 rows with more than one 1
        self.empty = _First()  # 0/1 rows with no 1
        self.unit_rows = 0  # all values in [0, 1]
        self.distribution_rows = 0  # ... summing to 1

    def update(self, true: np.ndarray, offset: int) -> None:
        ok = np.isfinite(true).all(axis=1)
        self.rows += int(np.count_nonzero(ok))
        binary = ok & ((true == 0) | (true == 1)).all(axis=1)
        ones = (true == 1).sum(axis=1)
        self.binary_rows += int(np.count_nonzero(binary))
        self.one_hot_rows += int(np.count_nonzero(binary & (ones == 1)))
        self.several.add(binary & (ones > 1), offset)
        self.empty.add(binary & (ones == 0), offset)
        unit = ok & ((true >= 0) & (true <= 1)).all(axis=1)
        sums = np.where(unit, true.sum(axis=1), 0.0)
        self.unit_rows += int(np.count_nonzero(unit))
        self.distribution_rows += int(np.count_nonzero(unit & (np.abs(sums - 1) <= SUM_TOLERANCE)))


class _Accumulator:
    """Everything :func:`diagnose` keeps while streaming; built from the first batch."""

    def __init__(self, columns: ColumnSpec) -> None:
        self.columns = columns
        self.rows = 0
        self.started = False
        self.true: list[_Column] = []
        self.pred: list[_Column] = []
        self.weight: _Column | None = None
        self.errors = _Moments()  # y_pred - y_true, where both are finite (same widths only)
        self.pred_rows = _PredRows()
        self.true_rows = _TrueRows()
        self.labels_out = _First()  # sparse labels outside 0..K-1

    def _start(self, true_names: list[str], pred_names: list[str]) -> None:
        self.true = [_Column(name, "y_true") for name in true_names]
        self.pred = [_Column(name, "y_pred") for name in pred_names]
        if self.columns.sample_weight:
            self.weight = _Column(self.columns.sample_weight, "sample_weight")
        self.started = True

    def update(self, batch: pa.RecordBatch | pa.Table) -> None:
        if batch.num_rows == 0:
            return
        true, true_missing, true_names = _role_arrays(batch, self.columns.y_true)
        pred, pred_missing, pred_names = _role_arrays(batch, self.columns.y_pred)
        if not self.started:
            self._start(true_names, pred_names)
        elif len(true_names) != len(self.true) or len(pred_names) != len(self.pred):
            raise InputDataError(
                f"list columns change width at row {self.rows}: "
                f"{len(self.true)} y_true and {len(self.pred)} y_pred values per row before"
            )
        offset = self.rows
        for k, column in enumerate(self.true):
            column.update(true[:, k], None if true_missing is None else true_missing[:, k], offset)
        for k, column in enumerate(self.pred):
            column.update(pred[:, k], None if pred_missing is None else pred_missing[:, k], offset)
        if self.weight is not None:
            weight, weight_missing, _ = _role_arrays(batch, (self.weight.name,))
            if weight.shape[1] != 1:
                raise InputDataError(
                    f"the sample weight column {self.weight.name!r} must hold one number per row"
                )
            self.weight.update(
                weight[:, 0], None if weight_missing is None else weight_missing[:, 0], offset
            )
        kt, kp = true.shape[1], pred.shape[1]
        if kt == kp:
            errors = (pred - true).ravel()
            self.errors.update(errors[np.isfinite(errors)])
        if kp >= 2:
            self.pred_rows.update(pred, offset)
        if kt >= 2:
            self.true_rows.update(true, offset)
        if kt == 1 and kp >= 2:
            labels = true[:, 0]
            whole = np.isfinite(labels) & (labels == np.floor(labels))
            self.labels_out.add(whole & ((labels < 0) | (labels >= kp)), offset, labels)
        self.rows += batch.num_rows


def _role_arrays(
    batch: pa.RecordBatch | pa.Table, names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """The columns of one role as float64 ``[n, K]``, where values were missing, and K names."""
    array = columns_to_array(batch, names)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise InputDataError(
            f"column {names[0]!r} holds nested lists; doctor reads one number per column "
            "or one list of numbers per row"
        )
    values = np.asarray(array, dtype=np.float64)
    masks: list[np.ndarray] = []
    element_names: list[str] = []
    width = values.shape[1]
    for name in names:
        column = batch.column(name)
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        if len(names) == 1 and _is_list(column.type):
            masks.append(_null_mask(column.flatten(), (len(column), width)))
            element_names.extend(f"{name}[{k}]" for k in range(width))
        else:
            masks.append(_null_mask(column, (len(column), 1)))
            element_names.append(name)
    missing = np.concatenate(masks, axis=1)
    return values, (missing if missing.any() else None), element_names


def _is_list(dtype: pa.DataType) -> bool:
    return (
        pa.types.is_list(dtype)
        or pa.types.is_large_list(dtype)
        or pa.types.is_fixed_size_list(dtype)
    )


def _null_mask(column: pa.Array, shape: tuple[int, int]) -> np.ndarray:
    """Where ``column`` is null, without ``Array.to_numpy`` (which imports pandas)."""
    if column.null_count == 0:
        return np.zeros(shape, dtype=bool)
    flags = pc.cast(column.is_null(), pa.uint8())
    data = flags.buffers()[1]
    assert data is not None
    mask = np.frombuffer(data, dtype=np.uint8, count=len(flags), offset=flags.offset)
    return mask.astype(bool).reshape(shape)


# --------------------------------------------------------------------------------------------
# the API


def diagnose(
    source_batches: Iterable[pa.RecordBatch | pa.Table],
    columns: ColumnSpec,
    *,
    inputs: Sequence[str] = (),
    all_columns: Sequence[str] | None = None,
) -> Diagnosis:
    """Diagnose predictions streamed as record batches, reading each batch once.

    Args:
        source_batches: record batches (or tables) holding the columns of ``columns``, e.g.
            ``source.batches(columns.needed)`` of :func:`losscli.io.sources.open_source`.
        columns: the y_true, y_pred and optional sample weight columns (keep/extra are ignored).
        inputs: the inputs as a user would type them, for the suggested command lines
            (``INPUT`` when empty).
        all_columns: every column name of the input; lets the command lines name several
            columns by a glob such as ``'prob_*'`` when that glob matches exactly those.

    Returns:
        A :class:`Diagnosis`; its ``ok`` is False when a finding is an error.

    Raises:
        InputDataError: a column cannot be read as numbers (nested lists, ragged lists).
    """
    state = _Accumulator(columns)
    with np.errstate(all="ignore"):
        for batch in source_batches:
            state.update(batch)
        return _conclude(state, tuple(inputs), all_columns)


def guess_columns(
    request: ColumnRequest, schema: pa.Schema, note: Callable[[str], None] = lambda _: None
) -> ColumnSpec:
    """Resolve columns as ``compute`` does, also finding numbered families such as ``prob_0..2``.

    When y_true or y_pred is not named and none of the usual names is a column, a family of at
    least two columns named a usual name plus a number (``prob_0``, ``prob_1``, ...;
    ``onehot_0``, ... for y_true) is taken instead, with a note.
    """
    names = list(schema.names)
    lowered = {name.lower() for name in names}
    if request.y_true is None and not lowered & set(TRUE_FALLBACKS):
        family = _family(names, (*TRUE_FALLBACKS, "onehot", "one_hot"))
        if family:
            request = replace(request, y_true=",".join(family))
            note(f"using columns {_span(family)} as y_true (set --y-true to choose)")
    if request.y_pred is None and not lowered & set(PRED_FALLBACKS):
        family = _family(names, PRED_FALLBACKS)
        if family:
            request = replace(request, y_pred=",".join(family))
            note(f"using columns {_span(family)} as y_pred (set --y-pred to choose)")
    return resolve_columns(request, schema, note)


def diagnose_input(
    spec: InputSpec,
    request: ColumnRequest | None = None,
    *,
    note: Callable[[str], None] = lambda _: None,
    stdin: Any = None,
) -> Diagnosis:
    """Open the input ``spec`` describes, find its columns, and :func:`diagnose` it.

    Raises:
        UsageError: no input, an unknown format, stdin on a terminal.
        InputDataError: a missing or unreadable file, no usable columns, non-numeric columns.
    """
    request = request or ColumnRequest()
    with open_source(spec, note=note, stdin=stdin) as source:
        columns = guess_columns(request, source.schema, note)
        return diagnose(
            source.batches(columns.needed),
            columns,
            inputs=tuple(spec.paths),
            all_columns=source.schema.names,
        )


def _family(names: Sequence[str], stems: Sequence[str]) -> list[str] | None:
    for stem in stems:
        pattern = re.compile(re.escape(stem) + r"[_\-.]?\d+", re.IGNORECASE)
        members = [name for name in names if pattern.fullmatch(name)]
        if len(members) >= 2:
            return sorted(members, key=natural_key)
    return None


def _span(names: Sequence[str]) -> str:
    return f"{names[0]}..{names[-1]}" if len(names) > 2 else ", ".join(names)


# --------------------------------------------------------------------------------------------
# conclusions


@dataclass
class _Facts:
    """What the checks established, for the task rules and the suggestions."""

    task: str = "unknown"
    logits: bool = False
    classes: dict[int, int] | None = None  # class -> rows, for class weights
    imbalanced: bool = False
    rarest: tuple[int, int] | None = None  # (class, rows)
    heavy: bool = False
    large: bool = False
    wide: bool = False
    counts: bool = False  # y_true holds non-negative whole numbers
    label_imbalance: bool = False


def _conclude(state: _Accumulator, inputs: tuple[str, ...], all_columns: Any) -> Diagnosis:
    findings: list[Finding] = []
    facts = _Facts()
    if state.rows == 0:
        findings.append(Finding(Severity.ERROR, "no_rows", "the input has no rows"))
    else:
        findings.extend(_non_finite(state))
        facts.task = _infer_task(state)
        findings.extend(_task_findings(state, facts))
    order = {Severity.ERROR: 0, Severity.WARNING: 1}
    findings.sort(key=lambda finding: order[finding.severity])
    commands = _Commands(state.columns, inputs, all_columns)
    suggestions = (
        _suggestions(state, facts, commands)
        if not any(f.code in ("no_rows", "shape_mismatch") for f in findings)
        else []
    )
    columns = [*state.true, *state.pred, *([state.weight] if state.weight else [])]
    return Diagnosis(
        task=facts.task,
        findings=tuple(findings),
        suggestions=tuple(suggestions),
        rows=state.rows,
        columns=state.columns,
        inputs=inputs,
        statistics=tuple(column.summary() for column in columns),
    )


def _non_finite(state: _Accumulator) -> list[Finding]:
    found: list[Finding] = []
    columns = [*state.true, *state.pred, *([state.weight] if state.weight else [])]
    for column in columns:
        loss = "the weighted loss" if column.role == "sample_weight" else "the loss"
        cure = "fix or drop those rows (compute stops on them unless --nan skip)"
        if column.missing.count:
            event = column.missing
            found.append(
                Finding(
                    Severity.ERROR,
                    "missing",
                    f"{_n(event.count, 'missing value')} in {column.name} (first at row "
                    f"{event.row}): empty, NA or null cells (and nan in CSV) make {loss} NaN; "
                    f"{cure}",
                    column.name,
                    event.row,
                    event.count,
                )
            )
        if column.nan.count:
            event = column.nan
            found.append(
                Finding(
                    Severity.ERROR,
                    "nan",
                    f"{_n(event.count, 'NaN value')} in {column.name} (first at row "
                    f"{event.row}): {loss} is NaN; {cure}",
                    column.name,
                    event.row,
                    event.count,
                )
            )
        if column.inf.count:
            event = column.inf
            found.append(
                Finding(
                    Severity.ERROR,
                    "inf",
                    f"{_n(event.count, 'infinite value')} in {column.name} (first "
                    f"{_g(event.value)} at row {event.row}): {loss} is infinite or NaN; {cure}",
                    column.name,
                    event.row,
                    event.count,
                )
            )
    if state.weight is not None and state.weight.below0.count:
        event = state.weight.below0
        found.append(
            Finding(
                Severity.ERROR,
                "negative_weight",
                f"{_n(event.count, 'negative weight')} in {state.weight.name} (first "
                f"{_g(event.value)} at row {event.row}): sample weights must be >= 0",
                state.weight.name,
                event.row,
                event.count,
            )
        )
    return found


def _infer_task(state: _Accumulator) -> str:
    kt, kp = len(state.true), len(state.pred)
    if not any(column.finite for column in state.true):
        return "unknown"
    if kt == 1 and kp == 1:
        true = state.true[0]
        return "binary" if (true.zeros + true.ones) >= BINARY_SHARE * true.finite else "regression"
    if kt == 1:
        return "multiclass_sparse"
    if kt != kp:
        return "unknown"
    rows = state.true_rows
    if rows.rows and rows.binary_rows == rows.rows:
        if rows.one_hot_rows == rows.rows:
            return "multiclass_onehot"
        if _logits(state):
            one_hot = rows.one_hot_rows >= ONE_HOT_SHARE * rows.rows
            return "multiclass_onehot" if one_hot else "multilabel"
        pred_rows = state.pred_rows
        softmax = pred_rows.rows - pred_rows.off.count - pred_rows.zero.count
        if pred_rows.rows and softmax >= SOFTMAX_SHARE * pred_rows.rows:
            return "multiclass_onehot"
        return "multilabel"
    if rows.rows and rows.unit_rows == rows.rows:
        return "multiclass_onehot" if rows.distribution_rows == rows.rows else "multilabel"
    return "regression"


def _pred_out_of_unit(state: _Accumulator) -> tuple[_First, int]:
    """y_pred values outside [0, 1] (the earliest first), and how many finite values there are."""
    events = [_earliest(column.below0, column.above1) for column in state.pred]
    merged = _earliest(*events)
    return merged, sum(column.finite for column in state.pred)


def _logits(state: _Accumulator) -> bool:
    out, finite = _pred_out_of_unit(state)
    return finite > 0 and out.count >= LOGIT_SHARE * finite


def _task_findings(state: _Accumulator, facts: _Facts) -> list[Finding]:
    task = facts.task
    kt, kp = len(state.true), len(state.pred)
    found: list[Finding] = []
    if task == "unknown" and kt >= 2 and kt != kp:
        found.append(
            Finding(
                Severity.ERROR,
                "shape_mismatch",
                f"y_true has {kt} columns but y_pred has {kp}: give one y_true column of class "
                "ids (sparse labels) or one y_pred column per y_true column",
            )
        )
        return found
    if task != "regression" and task != "unknown":
        found.extend(_prediction_findings(state, facts))
    if task == "binary":
        found.extend(_binary_label_findings(state))
    elif task == "multiclass_sparse":
        found.extend(_sparse_label_findings(state))
    elif task == "multiclass_onehot":
        found.extend(_one_hot_findings(state))
    found.extend(_constant_findings(state, task))
    if task in ("binary", "multiclass_sparse", "multiclass_onehot"):
        found.extend(_balance_findings(state, facts))
    elif task == "multilabel":
        found.extend(_label_balance_findings(state, facts))
    elif task == "regression":
        found.extend(_scale_findings(state, facts))
    return found


def _prediction_findings(state: _Accumulator, facts: _Facts) -> list[Finding]:
    found: list[Finding] = []
    out, finite = _pred_out_of_unit(state)
    if _logits(state):
        facts.logits = True
        low = min(column.moments.min for column in state.pred if column.finite)
        high = max(column.moments.max for column in state.pred if column.finite)
        found.append(
            Finding(
                Severity.WARNING,
                "logits",
                f"y_pred looks like logits: {out.count} of {finite} values "
                f"({_pct(out.count / finite)}) are outside [0, 1], from {_g(low)} to "
                f"{_g(high)}; pass --param from_logits=true",
                state.pred[0].name if len(state.pred) == 1 else None,
                out.row,
                out.count,
            )
        )
        return found
    if out.count:
        column = next(c.name for c in state.pred if out.row in (c.below0.row, c.above1.row))
        found.append(
            Finding(
                Severity.ERROR,
                "probability_out_of_range",
                f"{out.count} of {finite} y_pred values are outside [0, 1] (first "
                f"{_g(out.value)} in {column} at row {out.row}): probabilities must be in "
                f"[0, 1], and too few are outside for these to be logits",
                column,
                out.row,
                out.count,
            )
        )
    if len(state.pred) >= 2 and facts.task in ("multiclass_sparse", "multiclass_onehot"):
        rows = state.pred_rows
        if rows.zero.count:
            found.append(
                Finding(
                    Severity.ERROR,
                    "zero_sum_rows",
                    f"{_n(rows.zero.count, 'row')} of y_pred {_are(rows.zero.count)} all zero "
                    f"(first at row {rows.zero.row}): categorical losses divide each row by "
                    "its sum, so the loss is NaN",
                    None,
                    rows.zero.row,
                    rows.zero.count,
                )
            )
        if rows.off.count:
            found.append(
                Finding(
                    Severity.WARNING,
                    "rows_not_normalised",
                    f"{rows.off.count} of {rows.rows} rows of y_pred do not sum to 1 (first at "
                    f"row {rows.off.row}; worst: row {rows.worst_row} sums to "
                    f"{_g(rows.worst_sum)}): probably not softmax output; categorical losses "
                    "divide each row by its sum",
                    None,
                    rows.off.row,
                    rows.off.count,
                )
            )
    return found


def _binary_label_findings(state: _Accumulator) -> list[Finding]:
    true = state.true[0]
    out = _earliest(true.below0, true.above1)
    if not out.count:
        return []
    return [
        Finding(
            Severity.ERROR,
            "labels_out_of_range",
            f"{_n(out.count, 'value')} of {true.name} {_are(out.count)} outside [0, 1] (first "
            f"{_g(out.value)} at row {out.row}): binary labels are 0 or 1 (or soft labels "
            "between them)",
            true.name,
            out.row,
            out.count,
        )
    ]


def _sparse_label_findings(state: _Accumulator) -> list[Finding]:
    true, k = state.true[0], len(state.pred)
    found: list[Finding] = []
    if true.fraction.count:
        event = true.fraction
        found.append(
            Finding(
                Severity.ERROR,
                "labels_not_integer",
                f"{_n(event.count, 'label')} in {true.name} {_are(event.count)} not "
                f"{'a whole number' if event.count == 1 else 'whole numbers'} (first "
                f"{_g(event.value)} at row {event.row}): sparse labels are class ids "
                f"0..{k - 1}",
                true.name,
                event.row,
                event.count,
            )
        )
    out = state.labels_out
    if out.count:
        hint = ""
        if true.distinct is not None:
            outside = [v for v in true.distinct if v < 0 or v >= k]
            if len(outside) == 1:
                hint = (
                    f"; if {_g(outside[0])} marks rows to ignore, pass "
                    f"--param ignore_class={_g(outside[0])}"
                )
        found.append(
            Finding(
                Severity.ERROR,
                "labels_out_of_range",
                f"{_n(out.count, 'label')} in {true.name} {_are(out.count)} outside "
                f"0..{k - 1} (first {_g(out.value)} at row {out.row}): y_pred has {k} columns, "
                f"one per class{hint}",
                true.name,
                out.row,
                out.count,
            )
        )
    return found


def _one_hot_findings(state: _Accumulator) -> list[Finding]:
    rows = state.true_rows
    bad = rows.several.count + rows.empty.count
    if not bad:
        return []
    parts = []
    if rows.several.count:
        parts.append(f"{rows.several.count} with several 1s (first at row {rows.several.row})")
    if rows.empty.count:
        parts.append(f"{rows.empty.count} with no 1 (first at row {rows.empty.row})")
    first = _earliest(rows.several, rows.empty)
    return [
        Finding(
            Severity.ERROR,
            "not_one_hot",
            f"{bad} of {rows.rows} rows of y_true are not one-hot: {', '.join(parts)}; "
            "each row needs exactly one 1",
            None,
            first.row,
            bad,
        )
    ]


def _constant_findings(state: _Accumulator, task: str) -> list[Finding]:
    found: list[Finding] = []
    checked = list(state.pred)
    if task == "regression":
        checked = [*state.true, *checked]
    for column in checked:
        m = column.moments
        if m.count >= 2 and m.min == m.max:
            what = (
                "the model predicts a constant"
                if column.role == "y_pred"
                else "every target is the same"
            )
            found.append(
                Finding(
                    Severity.WARNING,
                    "constant_column",
                    f"{column.name} is {_g(m.min)} in every row: {what}",
                    column.name,
                    None,
                    m.count,
                )
            )
    return found


def _class_counts(state: _Accumulator, task: str) -> dict[int, int] | None:
    if task == "binary":
        true = state.true[0]
        return {0: true.zeros, 1: true.ones}
    if task == "multiclass_sparse":
        distinct = state.true[0].distinct
        if distinct is None:
            return None
        return {k: int(distinct.get(float(k), 0)) for k in range(len(state.pred))}
    return {k: column.ones for k, column in enumerate(state.true)}


def _balance_findings(state: _Accumulator, facts: _Facts) -> list[Finding]:
    counts = _class_counts(state, facts.task)
    if counts is None:
        return []
    found: list[Finding] = []
    absent = [k for k, n in counts.items() if n == 0]
    present = {k: n for k, n in counts.items() if n > 0}
    if absent and present:
        classes = ", ".join(str(k) for k in absent)
        found.append(
            Finding(
                Severity.WARNING,
                "absent_class",
                f"class{'es' if len(absent) > 1 else ''} {classes} never "
                f"occur{'' if len(absent) > 1 else 's'} in y_true ({len(counts)} classes): the "
                "loss says nothing about predicting "
                f"{'them' if len(absent) > 1 else 'it'}",
                None,
                None,
                len(absent),
            )
        )
    if len(present) < 2:
        return found
    total = sum(present.values())
    rare = min(present, key=lambda k: (present[k], k))
    common = max(present, key=lambda k: (present[k], -k))
    facts.classes = present
    facts.rarest = (rare, present[rare])
    if present[common] >= IMBALANCE_RATIO * present[rare]:
        facts.imbalanced = True
        weights = _inverse_frequency(present)
        found.append(
            Finding(
                Severity.WARNING,
                "class_imbalance",
                f"classes are imbalanced: the rarest, class {rare}, is "
                f"{_pct(present[rare] / total)} of rows ({present[rare]} of {total}), the "
                f"commonest, class {common}, {_pct(present[common] / total)}; consider "
                f"--class-weight {_weights_text(weights)} or a focal loss",
                None,
                None,
                present[rare],
            )
        )
    return found


def _label_balance_findings(state: _Accumulator, facts: _Facts) -> list[Finding]:
    found: list[Finding] = []
    for column in state.true:
        positives, negatives = column.ones, column.zeros
        low, high = min(positives, negatives), max(positives, negatives)
        if high and high >= IMBALANCE_RATIO * low:
            facts.label_imbalance = True
            total = positives + negatives
            found.append(
                Finding(
                    Severity.WARNING,
                    "label_imbalance",
                    f"label {column.name} is 1 in {_pct(positives / total)} of rows "
                    f"({positives} of {total}): consider binary_focal_crossentropy",
                    column.name,
                    None,
                    low,
                )
            )
    return found


def _scale_findings(state: _Accumulator, facts: _Facts) -> list[Finding]:
    found: list[Finding] = []
    true = [column for column in state.true if column.finite]
    facts.counts = (
        all(c.moments.min >= 0 and c.whole for c in true)
        and any(c.moments.max > 1 for c in true)
        and all(c.moments.min >= 0 for c in state.pred if c.finite)
    )
    for column in true:
        m = column.moments
        largest = max(abs(m.min), abs(m.max))
        if largest > LARGE_VALUE:
            facts.large = True
            unit = 10 ** math.floor(math.log10(largest))
            found.append(
                Finding(
                    Severity.WARNING,
                    "large_values",
                    f"{column.name} reaches {_g(largest)} (mean {_g(m.mean)}, std {_g(m.std)}): "
                    f"squared errors of this size dominate training and lose precision in "
                    f"float32; scale the targets (e.g. divide by {unit:g})",
                    column.name,
                    None,
                    None,
                )
            )
        if m.min >= 0 and m.min_positive < math.inf and m.max > 0:
            decades = math.log10(m.max / m.min_positive)
            if decades > WIDE_RANGE_DECADES:
                facts.wide = True
                found.append(
                    Finding(
                        Severity.WARNING,
                        "wide_range",
                        f"{column.name} spans {decades:.1f} decades ({_g(m.min_positive)} to "
                        f"{_g(m.max)}): errors on the largest values dominate a squared loss; "
                        "mean_squared_logarithmic_error compares relative errors"
                        + (" (poisson suits counts)" if column.whole else ""),
                        column.name,
                        None,
                        None,
                    )
                )
    errors = state.errors
    kurtosis = errors.kurtosis
    if errors.count >= MIN_ROWS_FOR_TAILS and kurtosis is not None and kurtosis > HEAVY_KURTOSIS:
        facts.heavy = True
        mean, std = errors.mean or 0.0, errors.std or 0.0
        extreme = max(abs(errors.max - mean), abs(errors.min - mean)) / std if std else 0.0
        found.append(
            Finding(
                Severity.WARNING,
                "heavy_tailed_errors",
                f"errors (y_pred - y_true) are heavy-tailed: kurtosis {kurtosis:.3g} (normal: "
                f"3), the largest {extreme:.3g} standard deviations from the mean; a few rows "
                "dominate a squared loss: consider huber",
                None,
                None,
                None,
            )
        )
    return found


# --------------------------------------------------------------------------------------------
# suggestions


class _Commands:
    """Builds ``losscli compute`` command lines for the diagnosed input and columns."""

    def __init__(
        self, columns: ColumnSpec, inputs: tuple[str, ...], all_columns: Sequence[str] | None
    ) -> None:
        self.columns = columns
        self.inputs = inputs or ("INPUT",)
        self.all_columns = list(all_columns) if all_columns is not None else None

    def __call__(
        self, loss: str, params: Mapping[str, Any], class_weight: Mapping[int, float] | None
    ) -> str:
        parts = ["losscli", "compute", "--loss", loss]
        for name, value in params.items():
            parts += ["-p", f"{name}={_param_text(value)}"]
        if class_weight:
            parts += ["--class-weight", _weights_text(class_weight)]
        if self.columns.y_true != ("y_true",):
            parts += ["--y-true", self._names(self.columns.y_true)]
        if self.columns.y_pred != ("y_pred",):
            parts += ["--y-pred", self._names(self.columns.y_pred)]
        if self.columns.sample_weight:
            parts += ["--sample-weight", self.columns.sample_weight]
        parts += self.inputs
        return " ".join(shlex.quote(part) for part in parts)

    def _names(self, names: tuple[str, ...]) -> str:
        if len(names) > 1 and self.all_columns is not None:
            prefix = _common_prefix(names)
            if prefix and not any(ch in prefix for ch in "*?[],"):
                glob = prefix + "*"
                matches = sorted(fnmatch.filter(self.all_columns, glob), key=natural_key)
                if matches == list(names):
                    return glob
        return ",".join(names)


def _suggestions(state: _Accumulator, facts: _Facts, command: _Commands) -> list[Suggestion]:
    task = facts.task
    logit = {"from_logits": True} if facts.logits else {}
    what, one = ("logits", "logit") if facts.logits else ("probabilities", "probability")
    made: list[Suggestion] = []

    def add(
        loss: str,
        params: Mapping[str, Any],
        reason: str,
        class_weight: Mapping[int, float] | None = None,
    ) -> None:
        made.append(
            Suggestion(
                loss, dict(params), reason, command(loss, params, class_weight), class_weight
            )
        )

    weights = _inverse_frequency(facts.classes) if facts.imbalanced and facts.classes else None
    rare = ""
    if facts.rarest is not None and facts.classes:
        share = facts.rarest[1] / sum(facts.classes.values())
        rare = f"class {facts.rarest[0]} is only {_pct(share)} of rows"
    k = len(state.pred)
    if task == "binary":
        add(
            "binary_crossentropy",
            logit,
            f"y_true is 0/1 and y_pred one {one} per row",
        )
        if weights:
            add(
                "binary_crossentropy",
                logit,
                f"{rare}: inverse-frequency class weights make both classes count equally",
                weights,
            )
            add(
                "binary_focal_crossentropy",
                logit,
                f"{rare}: focal loss down-weights the many easy examples of the commonest class",
            )
    elif task == "multiclass_sparse":
        add(
            "sparse_categorical_crossentropy",
            logit,
            f"y_true holds one class id (0..{k - 1}) per row and y_pred {k} columns of {what}",
        )
        if weights:
            add(
                "sparse_categorical_crossentropy",
                logit,
                f"{rare}: inverse-frequency class weights make every class count equally",
                weights,
            )
    elif task == "multiclass_onehot":
        add(
            "categorical_crossentropy",
            logit,
            f"y_true is one-hot (or soft) over {k} classes and y_pred {k} columns of {what}",
        )
        if weights:
            add(
                "categorical_crossentropy",
                logit,
                f"{rare}: inverse-frequency class weights make every class count equally",
                weights,
            )
            add(
                "categorical_focal_crossentropy",
                logit,
                f"{rare}: focal loss down-weights the many easy examples of the common classes",
            )
    elif task == "multilabel":
        add(
            "binary_crossentropy",
            logit,
            f"several of the {k} labels can be 1 in a row: binary cross-entropy per label, "
            f"averaged over the labels (y_pred holds {what})",
        )
        if facts.label_imbalance:
            add(
                "binary_focal_crossentropy",
                logit,
                "some labels are rarely (or almost always) 1: focal loss down-weights the easy "
                "examples",
            )
    elif task == "regression":
        _regression_suggestions(state, facts, add)
    return made


def _regression_suggestions(state: _Accumulator, facts: _Facts, add: Callable[..., None]) -> None:
    if facts.counts and (facts.large or facts.wide):
        add(
            "poisson",
            {},
            "y_true holds counts over a wide range: poisson models counts whose spread grows "
            "with the mean",
        )
    non_negative = all(column.moments.min >= 0 for column in state.true if column.finite)
    if facts.wide and non_negative:
        add(
            "mean_squared_logarithmic_error",
            {},
            "the targets span several decades: msle compares log(1 + y), so relative errors "
            "count rather than the largest values",
        )
    if facts.heavy:
        errors = state.errors
        scale = 1.2533 * errors.abs_sum / errors.count if errors.count else 0.0
        params = {"delta": _round_sig(1.345 * scale)} if scale > 0 else {}
        add(
            "huber",
            params,
            "errors are heavy-tailed: huber is squared within delta (about 1.35 robust "
            "standard deviations of the errors) and linear beyond, so a few large misses do "
            "not dominate",
        )
    add(
        "mean_squared_error",
        {},
        "real-valued targets: the standard regression loss"
        + (" (for comparison)" if facts.heavy or facts.wide else ""),
    )


# --------------------------------------------------------------------------------------------
# formatting


def _inverse_frequency(counts: Mapping[int, int]) -> dict[int, float]:
    """Keras/scikit-learn "balanced" weights: rows / (classes * rows of the class), 4 digits."""
    total, classes = sum(counts.values()), len(counts)
    return {k: _round_sig(total / (classes * n), 4) for k, n in sorted(counts.items()) if n}


def _common_prefix(names: Sequence[str]) -> str:
    first, last = min(names), max(names)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


def _round_sig(value: float, digits: int = 2) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{digits}g}")


def _weights_text(weights: Mapping[int, float]) -> str:
    return ",".join(f"{k}={_g(w)}" for k, w in sorted(weights.items()))


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _g(value)
    return str(value)


def _g(value: float | None) -> str:
    """A number for people: up to 6 significant digits."""
    if value is None:
        return "none"
    return f"{value:.6g}"


def _pct(share: float) -> str:
    return f"{100 * share:.3g}%"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _are(count: int) -> str:
    return "is" if count == 1 else "are"
