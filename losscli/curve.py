"""Training-log curves: read a Keras ``CSVLogger`` history and find what a user looks for.

A history is one row per epoch with an ``epoch`` column, ``loss``, optional ``val_loss`` and other
metrics (``accuracy``, ``val_accuracy``, ...), as CSV (Keras writes NaN as ``nan``), JSON Lines,
Parquet or Arrow. :func:`read_history` reads it with :func:`losscli.io.sources.open_source`;
:func:`analyze` turns it into a :class:`CurveReport` with four findings, each defined exactly
(``docs/curve.md`` states the same definitions):

- **best epoch**: the epoch of the lowest validation value (highest for a score such as
  accuracy), else of the training value; the first such epoch on a tie; non-finite values never
  win.
- **non-finite** (``nan``): the first epoch where ``loss``, ``val_loss``, the chosen metric or its
  validation column is NaN or infinite.
- **divergence**: the first epoch where the training ``loss`` becomes non-finite after a finite
  value, or reaches at least ``divergence_factor`` (10) times the lowest finite loss of the
  earlier epochs while that minimum is positive.
- **overfitting**: validation is best at epoch *b* (first on a tie) and never improves on it
  again, and at some validated epoch *i* at least ``patience`` (3) validated epochs after *b*
  the training value is better than at *b*. The finding names *b*, where validation stopped
  improving, and the first such *i*, where it is detected.

Missing cells (empty, ``NA``, JSON ``null``) need a rule because a CSV reader cannot tell
Keras's ``nan`` from ``NA``: in a training column a missing value counts as NaN. In a
validation column (``val_*``) it means "not measured" when the log looks like Keras's
``validation_freq=k`` (k >= 2): k is the greatest common divisor of ``epoch + 1`` over the epochs
that have a value, and the epochs where ``epoch + 1`` is not a multiple of k were not
validated. Every other missing value counts as NaN.

Everything here is plain data and NumPy; the only optional import is matplotlib, by
:func:`write_png`.
"""

from __future__ import annotations

import difflib
import itertools
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from losscli.defaults import CURVE_CHECKS, DEFAULT_DIVERGENCE_FACTOR, DEFAULT_PATIENCE
from losscli.errors import (
    ColumnError,
    InputDataError,
    InputFileError,
    OutputError,
    UsageError,
)

__all__ = [
    "CHECKS",
    "CURVE_SCHEMA",
    "BestEpoch",
    "CurveReport",
    "Divergence",
    "History",
    "NonFinite",
    "Overfit",
    "analyze",
    "best_epoch",
    "find_divergence",
    "find_overfit",
    "first_nonfinite",
    "metric_mode",
    "read_history",
    "text_chart",
    "validation_measured",
    "validation_step",
    "write_png",
]

CURVE_SCHEMA = 1
"""Version of the JSON document :meth:`CurveReport.to_dict` returns."""

CHECKS = CURVE_CHECKS
"""The findings ``--fail-on`` can turn into a failed run."""

LOG_SCALE_RATIO = 100.0
"""The text chart and the PNG use a log scale when max / min exceeds this (two decades)."""

Mode = Literal["min", "max"]

# Metric names that are scores (higher is better), as Keras's "auto" mode guesses them.
_SCORE_WORDS = ("acc", "auc", "precision", "recall", "f1", "fbeta", "iou", "r2", "dice_coef")
_NO_MATPLOTLIB = "--png needs matplotlib, which is not installed: pip install 'losscli[plot]'"


# --------------------------------------------------------------------------------------------
# the log


@dataclass(frozen=True, eq=False)
class History:
    """A training log: one row per epoch.

    Attributes:
        source: how to name the log to the user (its path).
        epochs: the epoch numbers as written (Keras's CSVLogger counts from 0), int64 ``[n]``.
        columns: every numeric column but ``epoch``, as float64 ``[n]``; a missing cell is NaN.
        missing: per column, True where the cell was missing (empty, ``NA``, ``nan`` in CSV,
            ``null`` in JSON), as opposed to a NaN the file spells as a number.
        skipped: columns left out because they are not numeric.
    """

    source: str
    epochs: np.ndarray
    columns: Mapping[str, np.ndarray]
    missing: Mapping[str, np.ndarray]
    skipped: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.epochs)

    @classmethod
    def from_columns(
        cls,
        columns: Mapping[str, Sequence[float | None]],
        *,
        epochs: Sequence[int] | None = None,
        source: str = "<history>",
    ) -> History:
        """A history from Python lists (``None`` = missing cell), for tests and API callers."""
        if "loss" not in columns:
            raise ColumnError(f"{source} is not a training log: it has no 'loss' column")
        arrays: dict[str, np.ndarray] = {}
        missing: dict[str, np.ndarray] = {}
        lengths = set()
        for name, values in columns.items():
            cells = list(values)
            lengths.add(len(cells))
            missing[name] = np.array([value is None for value in cells], dtype=bool)
            arrays[name] = np.array(
                [math.nan if value is None else float(value) for value in cells], dtype=np.float64
            )
        if len(lengths) > 1:
            raise InputDataError(f"{source}: the columns have different lengths {sorted(lengths)}")
        rows = lengths.pop()
        if rows == 0:
            raise InputDataError(f"{source} has no epochs (no rows)")
        if epochs is None:
            epoch_array = np.arange(rows, dtype=np.int64)
        else:
            epoch_array = np.asarray(epochs, dtype=np.int64)
            if epoch_array.shape != (rows,):
                raise InputDataError(f"{source}: {len(epoch_array)} epochs for {rows} rows")
        return cls(source, epoch_array, arrays, missing)

    def metrics(self) -> list[str]:
        """The metric names in the log: its columns without the ``val_`` prefix, in log order."""
        names: dict[str, None] = {}
        for name in self.columns:
            base = name[4:] if name.startswith("val_") and name[4:] in self.columns else name
            names.setdefault(base, None)
        return list(names)


def read_history(path: str | os.PathLike[str]) -> History:
    """Read a training log (CSV as Keras's CSVLogger writes it, JSON Lines, Parquet, Arrow).

    Raises:
        InputDataError: the file is missing or unreadable, has no rows, no ``loss`` column, or a
            non-numeric ``loss`` or ``epoch`` column.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from losscli.io.sources import InputSpec, open_source

    if os.path.isdir(path):
        raise InputFileError(f"'{os.fspath(path)}' is a directory; give the training log file")
    with open_source(InputSpec(paths=(os.fspath(path),))) as source:
        schema = source.schema
        description = source.description
        names = list(schema.names)
        if "loss" not in names:
            raise ColumnError(
                f"'{description}' is not a training log: it has no 'loss' column "
                f"(columns: {_listing(names)})"
            )
        numeric = [name for name in names if _is_numeric(schema.field(name).type)]
        for required in ("loss", "epoch"):
            if required in names and required not in numeric:
                raise ColumnError(
                    f"column '{required}' of '{description}' is not numeric "
                    f"({schema.field(required).type}); a training log has one number per epoch"
                )
        batches = list(source.batches(numeric))
    if not batches:
        raise InputDataError(f"'{description}' has no epochs (no rows)")
    table = pa.Table.from_batches(batches)
    columns: dict[str, np.ndarray] = {}
    missing: dict[str, np.ndarray] = {}
    epochs: np.ndarray | None = None
    for name in numeric:
        column = table.column(name)
        values = pc.cast(column, pa.float64(), safe=False).to_numpy(zero_copy_only=False)
        values = np.asarray(values, dtype=np.float64)
        if name == "epoch":
            epochs = _epochs(values, column.null_count, description)
            continue
        columns[name] = values
        missing[name] = np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    if epochs is None:
        epochs = np.arange(table.num_rows, dtype=np.int64)
    skipped = tuple(name for name in names if name not in numeric)
    return History(description, epochs, columns, missing, skipped)


def _is_numeric(dtype: Any) -> bool:
    import pyarrow as pa

    return bool(
        pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_null(dtype)
    )


def _epochs(values: np.ndarray, nulls: int, description: str) -> np.ndarray:
    # Beyond 2**53 a float is no exact epoch number (and 2**63 does not fit int64 at all).
    whole = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 2.0**53)
    if nulls or not np.all(whole):
        raise ColumnError(
            f"column 'epoch' of '{description}' must hold whole numbers (below 2**53) in every row"
        )
    return values.astype(np.int64)


def _listing(names: Sequence[str]) -> str:
    return ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")


# --------------------------------------------------------------------------------------------
# findings


@dataclass(frozen=True)
class BestEpoch:
    """The epoch with the best value of ``column`` (lowest, or highest for a score)."""

    epoch: int
    column: str
    value: float

    def message(self) -> str:
        return f"epoch {self.epoch} ({self.column} = {_num(self.value)})"


@dataclass(frozen=True)
class NonFinite:
    """The first epoch with a NaN or infinite value, and how many epochs have one."""

    epoch: int
    column: str
    value: float
    count: int

    def message(self) -> str:
        others = f"; {self.count} epochs in all" if self.count > 1 else ""
        return f"{self.column} is {_num(self.value)} at epoch {self.epoch}{others}"


@dataclass(frozen=True)
class Divergence:
    """The first epoch where the training loss blew up.

    ``reason`` is ``"jump"`` (the value reached ``factor`` times ``running_min``, the lowest
    earlier value) or ``"non-finite"`` (NaN or infinite after a finite value).
    """

    epoch: int
    column: str
    value: float
    running_min: float
    factor: float
    reason: Literal["jump", "non-finite"]

    @property
    def ratio(self) -> float | None:
        """value / running_min for a jump, else None."""
        return self.value / self.running_min if self.reason == "jump" else None

    def message(self) -> str:
        if self.reason == "non-finite":
            return (
                f"{self.column} became {_num(self.value)} at epoch {self.epoch} "
                f"(lowest before: {_num(self.running_min)})"
            )
        return (
            f"{self.column} jumped to {_num(self.value)} at epoch {self.epoch}, "
            f"{self.ratio:.3g}x its lowest earlier value {_num(self.running_min)} "
            f"(factor {self.factor:g})"
        )


@dataclass(frozen=True)
class Overfit:
    """Validation was best at ``epoch`` and never improved again, while training improved.

    ``detected_epoch`` is the first validated epoch at least ``patience`` validated epochs after
    ``epoch`` whose training value is better than at ``epoch``; ``value`` and ``train_value``
    are the two curves there, ``best_value`` and ``train_at_best`` at ``epoch``.
    """

    epoch: int
    detected_epoch: int
    column: str
    train_column: str
    best_value: float
    value: float
    train_at_best: float
    train_value: float
    patience: int

    def message(self) -> str:
        return (
            f"after epoch {self.epoch}: {self.column} {_num(self.best_value)} -> "
            f"{_num(self.value)} by epoch {self.detected_epoch} while {self.train_column} "
            f"{_num(self.train_at_best)} -> {_num(self.train_value)}"
        )


def metric_mode(metric: str) -> Mode:
    """``"max"`` for a score (accuracy, auc, precision, recall, f1, iou, r2), else ``"min"``."""
    name = metric.lower().removeprefix("val_")
    if "loss" in name or "error" in name:
        return "min"
    return "max" if any(word in name for word in _SCORE_WORDS) else "min"


def _better(a: float, b: float, mode: Mode) -> bool:
    return a < b if mode == "min" else a > b


def _index_epochs(epochs: Sequence[int] | np.ndarray | None, rows: int) -> np.ndarray:
    if epochs is None:
        return np.arange(rows, dtype=np.int64)
    array = np.asarray(epochs, dtype=np.int64)
    if array.shape != (rows,):
        raise ValueError(f"{len(array)} epochs for {rows} values")
    return array


def _values(values: Sequence[float] | np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).reshape(-1)


def best_epoch(
    values: Sequence[float] | np.ndarray,
    *,
    mode: Mode = "min",
    epochs: Sequence[int] | np.ndarray | None = None,
    column: str = "val_loss",
) -> BestEpoch | None:
    """The first epoch with the lowest (``mode="max"``: highest) finite value; None if none."""
    array = _values(values)
    epoch_of = _index_epochs(epochs, len(array))
    finite = np.flatnonzero(np.isfinite(array))
    if finite.size == 0:
        return None
    pick = np.argmin(array[finite]) if mode == "min" else np.argmax(array[finite])
    row = int(finite[pick])
    return BestEpoch(int(epoch_of[row]), column, float(array[row]))


def first_nonfinite(
    series: Mapping[str, Sequence[float] | np.ndarray],
    *,
    epochs: Sequence[int] | np.ndarray | None = None,
    measured: Mapping[str, np.ndarray] | None = None,
) -> NonFinite | None:
    """The first epoch where any of ``series`` is NaN or infinite (on rows it was measured).

    On a tie the column listed first in ``series`` is named. ``measured`` masks out the rows
    of a column that were not measured (see :func:`validation_measured`).
    """
    bad_rows: np.ndarray | None = None
    first: tuple[int, str, float] | None = None
    for name, values in series.items():
        array = _values(values)
        bad = ~np.isfinite(array)
        if measured is not None and name in measured:
            bad &= measured[name]
        bad_rows = bad if bad_rows is None else bad_rows | bad
        rows = np.flatnonzero(bad)
        if rows.size and (first is None or rows[0] < first[0]):
            first = (int(rows[0]), name, float(array[rows[0]]))
    if first is None or bad_rows is None:
        return None
    epoch_of = _index_epochs(epochs, len(bad_rows))
    row, name, value = first
    return NonFinite(int(epoch_of[row]), name, value, int(bad_rows.sum()))


def find_divergence(
    loss: Sequence[float] | np.ndarray,
    *,
    factor: float = DEFAULT_DIVERGENCE_FACTOR,
    epochs: Sequence[int] | np.ndarray | None = None,
    column: str = "loss",
) -> Divergence | None:
    """The first epoch where ``loss`` diverges, by the definition in the module docstring.

    A value diverges when it is non-finite after at least one finite value, or when it is at
    least ``factor`` times the lowest finite value of the earlier epochs and that minimum is
    positive (a ratio says nothing about a loss that can be zero or negative). Leading
    non-finite values are not a divergence: :func:`first_nonfinite` reports them.
    """
    if not (factor > 1 and math.isfinite(factor)):
        raise UsageError(f"the divergence factor must be a finite number > 1, got {factor!r}")
    array = _values(loss)
    epoch_of = _index_epochs(epochs, len(array))
    running_min: float | None = None
    for row, value in enumerate(array.tolist()):
        if not math.isfinite(value):
            if running_min is not None:
                return Divergence(
                    int(epoch_of[row]), column, value, running_min, factor, "non-finite"
                )
            continue
        if running_min is not None and running_min > 0 and value >= factor * running_min:
            return Divergence(int(epoch_of[row]), column, value, running_min, factor, "jump")
        running_min = value if running_min is None else min(running_min, value)
    return None


def find_overfit(
    train: Sequence[float] | np.ndarray,
    val: Sequence[float] | np.ndarray,
    *,
    patience: int = DEFAULT_PATIENCE,
    mode: Mode = "min",
    epochs: Sequence[int] | np.ndarray | None = None,
    measured: np.ndarray | None = None,
    train_column: str = "loss",
    val_column: str = "val_loss",
) -> Overfit | None:
    """The onset of overfitting, by the definition in the module docstring.

    *b* is the validated epoch (``measured``, default all) with the best finite validation
    value, the first on a tie: validation never improves on it afterwards. Overfitting is found
    when some validated epoch *i*, at least ``patience`` validated epochs after *b*, has a
    finite training value strictly better than the training value at *b*; the first such *i*
    is reported. A run whose validation is still improving at its end is never overfitting,
    however flat its curves.
    """
    if patience < 1:
        raise UsageError(f"patience must be at least 1, got {patience!r}")
    train_array, val_array = _values(train), _values(val)
    if train_array.shape != val_array.shape:
        raise ValueError("train and val must have the same length")
    epoch_of = _index_epochs(epochs, len(val_array))
    rows = np.flatnonzero(measured) if measured is not None else np.arange(len(val_array))
    finite = [row for row in rows.tolist() if math.isfinite(val_array[row])]
    if not finite:
        return None
    sign = 1.0 if mode == "min" else -1.0
    best_row = min(finite, key=lambda row: (sign * val_array[row], row))
    later = [row for row in rows.tolist() if row > best_row]
    train_best = train_array[best_row]
    if not math.isfinite(train_best):
        return None
    for row in later[patience - 1 :]:
        train_value = train_array[row]
        if math.isfinite(train_value) and _better(train_value, train_best, mode):
            return Overfit(
                epoch=int(epoch_of[best_row]),
                detected_epoch=int(epoch_of[row]),
                column=val_column,
                train_column=train_column,
                best_value=float(val_array[best_row]),
                value=float(val_array[row]),
                train_at_best=float(train_best),
                train_value=float(train_value),
                patience=patience,
            )
    return None


def validation_measured(epochs: Sequence[int] | np.ndarray, present: np.ndarray) -> np.ndarray:
    """Which epochs a validation column was measured at (True) or skipped (False).

    ``present`` is True where the cell has a value. When the epochs with a value all fit
    Keras's ``validation_freq=k`` for some k >= 2 (k = gcd of ``epoch + 1`` over them), the
    epochs off that grid were not validated; otherwise every epoch was (a missing value there
    is a NaN that CSV cannot tell from a missing cell).
    """
    epoch_array = np.asarray(epochs, dtype=np.int64)
    step = validation_step(epoch_array, present)
    if step < 2:
        return np.ones(len(epoch_array), dtype=bool)
    return (epoch_array + 1) % step == 0


def validation_step(epochs: Sequence[int] | np.ndarray, present: np.ndarray) -> int:
    """Keras's ``validation_freq`` as the log shows it: gcd of ``epoch + 1`` where present.

    1 when every epoch may have been validated (or none has a value).
    """
    epoch_array = np.asarray(epochs, dtype=np.int64)
    present = np.asarray(present, dtype=bool)
    if not present.any():
        return 1
    return max(math.gcd(*[int(epoch) + 1 for epoch in epoch_array[present].tolist()]), 1)


# --------------------------------------------------------------------------------------------
# the report


@dataclass(frozen=True)
class CurveReport:
    """What :func:`analyze` found in a history, ready to render.

    ``series`` holds every numeric column per epoch, ``None`` where a validation column was not
    measured (``validation_step`` > 1). The findings are None when absent.
    """

    source: str
    metric: str
    validation: str | None
    mode: Mode
    patience: int
    divergence_factor: float
    epochs: tuple[int, ...]
    series: Mapping[str, tuple[float | None, ...]]
    best: BestEpoch | None
    nonfinite: NonFinite | None
    divergence: Divergence | None
    overfit: Overfit | None
    notes: tuple[str, ...] = ()
    validation_step: int = 1

    def finding(self, check: str) -> NonFinite | Divergence | Overfit | None:
        """The finding a ``--fail-on`` check looks at: ``nan``, ``divergence`` or ``overfit``."""
        if check == "nan":
            return self.nonfinite
        if check == "divergence":
            return self.divergence
        if check == "overfit":
            return self.overfit
        raise UsageError(f"unknown check {check!r}; use one of {', '.join(CHECKS)}")

    def failures(self, checks: Sequence[str]) -> list[str]:
        """One line per check in ``checks`` whose finding is present, in the order given."""
        lines = []
        for check in dict.fromkeys(checks):
            found = self.finding(check)
            if found is not None:
                lines.append(f"check failed: {check}: {found.message()}")
        return lines

    def log_scale(self) -> bool:
        """Whether the metric's curves span more than two decades (and are all positive)."""
        values = [
            value
            for name in (self.metric, self.validation)
            if name is not None
            for value in self.series[name]
            if value is not None and math.isfinite(value)
        ]
        if not values:
            return False
        low, high = min(values), max(values)
        return low > 0 and high / low > LOG_SCALE_RATIO

    def to_dict(self, checks: Sequence[str] = ()) -> dict[str, Any]:
        """The JSON document (schema :data:`CURVE_SCHEMA`); non-finite floats become strings.

        ``checks`` (the ``--fail-on`` names) become ``"checks": {name: "failed" | "passed"}``.
        """
        return {
            "schema": CURVE_SCHEMA,
            "kind": "curve",
            "input": self.source,
            "metric": self.metric,
            "validation": self.validation,
            "mode": self.mode,
            "settings": {"patience": self.patience, "divergence_factor": self.divergence_factor},
            "validation_every": self.validation_step,
            "epochs": list(self.epochs),
            "series": {
                name: [None if value is None else _json_float(value) for value in values]
                for name, values in self.series.items()
            },
            "findings": {
                "best": _finding_dict(self.best),
                "nan": _finding_dict(self.nonfinite),
                "divergence": _finding_dict(self.divergence),
                "overfit": _finding_dict(self.overfit),
            },
            "checks": {
                check: "passed" if self.finding(check) is None else "failed"
                for check in dict.fromkeys(checks)
            },
            "notes": list(self.notes),
        }


def _finding_dict(found: Any) -> dict[str, Any] | None:
    if found is None:
        return None
    document = {
        key: _json_float(value) if isinstance(value, float) else value
        for key, value in found.__dict__.items()
    }
    if isinstance(found, Divergence):
        ratio = found.ratio
        document["ratio"] = None if ratio is None else _json_float(ratio)
    document["message"] = found.message()
    return document


def _json_float(value: float) -> float | str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def analyze(
    history: History,
    *,
    metric: str = "loss",
    mode: Literal["auto", "min", "max"] = "auto",
    patience: int = DEFAULT_PATIENCE,
    divergence_factor: float = DEFAULT_DIVERGENCE_FACTOR,
) -> CurveReport:
    """Find the best epoch, non-finite values, divergence and overfitting in ``history``.

    Args:
        history: the log, from :func:`read_history` or :meth:`History.from_columns`.
        metric: the curve for the best epoch, overfitting and the chart: a column name (its
            ``val_`` twin is the validation curve). NaN checks cover it and ``loss``;
            divergence is always about the training ``loss``.
        mode: ``min`` or ``max`` is better; ``auto`` = :func:`metric_mode`.
        patience: validated epochs without improvement before overfitting is called.
        divergence_factor: how many times its earlier minimum the loss must reach to diverge.

    Raises:
        UsageError: an unknown metric (with suggestions), a bad mode, patience or factor.
    """
    metric = _resolve_metric(history, metric)
    if mode not in ("auto", "min", "max"):
        raise UsageError(f"mode must be auto, min or max, got {mode!r}")
    chosen: Mode = metric_mode(metric) if mode == "auto" else mode
    if patience < 1:
        raise UsageError(f"patience must be at least 1, got {patience!r}")
    epochs = history.epochs
    measured: dict[str, np.ndarray] = {}
    for name, values in history.columns.items():
        if name.startswith("val_"):
            measured[name] = validation_measured(epochs, ~history.missing[name])
        else:
            measured[name] = np.ones(len(values), dtype=bool)
    validation = f"val_{metric}" if f"val_{metric}" in history.columns else None
    train = history.columns[metric]

    checked = {
        name: history.columns[name]
        for name in dict.fromkeys(["loss", "val_loss", metric, f"val_{metric}"])
        if name in history.columns
    }
    nonfinite = first_nonfinite(checked, epochs=epochs, measured=measured)
    divergence = find_divergence(
        history.columns["loss"], factor=divergence_factor, epochs=epochs, column="loss"
    )
    if validation is not None:
        val = history.columns[validation]
        best = best_epoch(
            np.where(measured[validation], val, np.nan),
            mode=chosen,
            epochs=epochs,
            column=validation,
        )
        overfit = find_overfit(
            train,
            val,
            patience=patience,
            mode=chosen,
            epochs=epochs,
            measured=measured[validation],
            train_column=metric,
            val_column=validation,
        )
    else:
        best = None
        overfit = None
    if best is None:
        best = best_epoch(train, mode=chosen, epochs=epochs, column=metric)

    notes = []
    if history.skipped:
        notes.append(f"non-numeric columns left out: {', '.join(history.skipped)}")
    step = 1
    if validation is not None and not measured[validation].all():
        step = validation_step(epochs, ~history.missing[validation])
        notes.append(f"{validation} is measured every {step} epochs (validation_freq={step})")
    if len(epochs) > 1 and np.any(np.diff(epochs) <= 0):
        notes.append("epochs are not increasing: is this several runs appended to one log?")

    series = {
        name: tuple(
            float(value) if ok else None
            for value, ok in zip(values.tolist(), measured[name].tolist(), strict=True)
        )
        for name, values in history.columns.items()
    }
    return CurveReport(
        source=history.source,
        metric=metric,
        validation=validation,
        mode=chosen,
        patience=patience,
        divergence_factor=float(divergence_factor),
        epochs=tuple(int(epoch) for epoch in epochs.tolist()),
        series=series,
        best=best,
        nonfinite=nonfinite,
        divergence=divergence,
        overfit=overfit,
        notes=tuple(notes),
        validation_step=step,
    )


def _resolve_metric(history: History, metric: str) -> str:
    name = metric.strip()
    if name in history.columns and not name.startswith("val_"):
        return name
    if name.startswith("val_") and name[4:] in history.columns:
        return name[4:]
    if name in history.columns:  # a val_* column without a training twin
        raise UsageError(
            f"--metric {metric}: '{history.source}' has '{name}' but no training column "
            f"'{name[4:]}' to compare it with"
        )
    available = history.metrics()
    close = difflib.get_close_matches(name, available, n=3, cutoff=0.5)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise UsageError(
        f"no metric {metric!r} in '{history.source}'; {hint}(metrics: {', '.join(available)})"
    )


def _num(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.4g}"


# --------------------------------------------------------------------------------------------
# pictures

Segment = tuple[str, str]
"""A run of text and its role: train, val, both, axis, best, bad or text."""

_TRAIN, _VAL, _BOTH, _DOT = "o", "x", "*", "."


def text_chart(report: CurveReport, width: int, height: int = 12) -> list[list[Segment]]:
    """The metric's training and validation curves as lines of text at most ``width`` wide.

    Each line is a list of (text, role) segments; a renderer colours them by role, and the
    glyphs alone tell the curves apart (``o`` training, ``x`` validation, ``*`` both, ``.``
    between two epochs), so the chart reads the same without colour. The y axis is
    logarithmic when :meth:`CurveReport.log_scale` says so. Below the x axis, ``^`` marks the
    best epoch and ``!`` the first non-finite one.
    """
    height = max(int(height), 3)
    curves = [(report.metric, _TRAIN, "train")]
    if report.validation is not None:
        curves.append((report.validation, _VAL, "val"))
    finite = [
        value
        for name, _, _ in curves
        for value in report.series[name]
        if value is not None and math.isfinite(value)
    ]
    log = report.log_scale()
    legend = _legend(report, curves, log)
    if not finite:
        return [[("(no finite values to plot)", "text")], *_wrap(legend, width)]

    def scale(value: float) -> float:
        return math.log10(value) if log else value

    low, high = scale(min(finite)), scale(max(finite))
    if high == low:
        pad = abs(low) * 0.05 or 1.0
        low, high = low - pad, high + pad
    labels = {
        row: _num(
            10 ** (high - (high - low) * row / (height - 1))
            if log
            else high - (high - low) * row / (height - 1)
        )
        for row in (0, height // 2, height - 1)
    }
    label_width = max(len(text) for text in labels.values())
    plot_width = max(width - label_width - 2, 8)
    rows = len(report.epochs)

    def column(row: int) -> int:
        return 0 if rows == 1 else round(row * (plot_width - 1) / (rows - 1))

    def line_of(value: float) -> float:
        return (high - scale(value)) / (high - low) * (height - 1)

    grid: list[list[Segment]] = [[(" ", "text")] * plot_width for _ in range(height)]
    for name, glyph, role in curves:
        points = [
            (column(row), line_of(value))
            for row, value in enumerate(report.series[name])
            if value is not None and math.isfinite(value)
        ]
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            for x in range(x0 + 1, x1):
                y = round(y0 + (y1 - y0) * (x - x0) / (x1 - x0))
                if grid[y][x][0] == " ":
                    grid[y][x] = (_DOT, role)
        for x, y in points:
            line = round(y)
            overlap = role == "val" and grid[line][x][0] in (_TRAIN, _BOTH)
            grid[line][x] = (_BOTH, "both") if overlap else (glyph, role)

    lines: list[list[Segment]] = []
    for row in range(height):
        label = labels.get(row, "")
        axis = "+" if row in labels else "|"
        lines.append([(f"{label:>{label_width}} {axis}", "axis"), *_merge(grid[row])])
    lines.append([(" " * label_width + " +" + "-" * plot_width, "axis")])
    lines.append([(" " * (label_width + 2) + _ticks(report.epochs, column, plot_width), "axis")])
    marks = [" "] * plot_width
    roles = ["text"] * plot_width
    if report.nonfinite is not None:
        x = column(report.epochs.index(report.nonfinite.epoch))
        marks[x], roles[x] = "!", "bad"
    if report.best is not None:
        x = column(report.epochs.index(report.best.epoch))
        marks[x], roles[x] = "^", "best"
    if any(mark != " " for mark in marks):
        lines.append(
            [(" " * (label_width + 2), "text"), *_merge(list(zip(marks, roles, strict=True)))]
        )
    lines.extend(_wrap(legend, width))
    return lines


def _merge(cells: list[Segment]) -> list[Segment]:
    """Adjacent cells of one role joined into one segment, trailing blanks dropped."""
    segments: list[Segment] = []
    for text, role in cells:
        if segments and segments[-1][1] == role:
            segments[-1] = (segments[-1][0] + text, role)
        else:
            segments.append((text, role))
    while segments and not segments[-1][0].strip():
        segments.pop()
    if segments:
        segments[-1] = (segments[-1][0].rstrip(), segments[-1][1])
    return segments


def _ticks(epochs: tuple[int, ...], column: Any, plot_width: int) -> str:
    """Epoch numbers under the first, middle and last points, without overlap."""
    line = [" "] * plot_width
    rows = len(epochs)
    picks = [0] if rows == 1 else [0, (rows - 1) // 2, rows - 1]
    for row in dict.fromkeys(picks):
        text = str(epochs[row])
        start = min(column(row), plot_width - len(text))
        start = max(start, 0)
        if row == rows - 1 and rows > 1:
            start = max(plot_width - len(text), 0)
        span = range(max(start - 1, 0), min(start + len(text) + 1, plot_width))
        if all(line[i] == " " for i in span):
            line[start : start + len(text)] = list(text)
    return "".join(line).rstrip()


def _legend(report: CurveReport, curves: list[tuple[str, str, str]], log: bool) -> list[Segment]:
    items: list[Segment] = [(f"{glyph} {name}", role) for name, glyph, role in curves]
    if report.validation is not None:
        items.append((f"{_BOTH} both", "both"))
    if report.best is not None:
        items.append((f"^ best epoch {report.best.epoch}", "best"))
    if report.nonfinite is not None:
        items.append((f"! non-finite from epoch {report.nonfinite.epoch}", "bad"))
    items.append(("log scale" if log else "linear scale", "text"))
    return items


def _wrap(items: list[Segment], width: int) -> list[list[Segment]]:
    """Legend items on as few lines of at most ``width`` characters as they fit."""
    lines: list[list[Segment]] = [[]]
    used = 0
    for text, role in items:
        text = text[: max(width, 1)]
        gap = 2 if lines[-1] else 0
        if lines[-1] and used + gap + len(text) > width:
            lines.append([])
            used, gap = 0, 0
        if gap:
            lines[-1].append(("  ", "text"))
        lines[-1].append((text, role))
        used += gap + len(text)
    return lines


def require_matplotlib() -> None:
    """Raise a one-line UsageError unless matplotlib can be imported."""
    try:
        import matplotlib.figure  # noqa: F401
    except ImportError:
        raise UsageError(_NO_MATPLOTLIB) from None


def write_png(report: CurveReport, path: str | os.PathLike[str]) -> None:
    """Draw the curves and the findings to a PNG file with matplotlib (written atomically).

    Raises:
        UsageError: matplotlib is not installed (``pip install 'losscli[plot]'``), or the
            directory of ``path`` does not exist.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError(_NO_MATPLOTLIB) from None
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"cannot write {str(target)!r}: no such directory")

    figure = Figure(figsize=(8, 4.5), dpi=100)
    axes = figure.add_subplot()
    for name, marker in ((report.metric, "o"), (report.validation, "x")):
        if name is None:
            continue
        pairs = [
            (epoch, value)
            for epoch, value in zip(report.epochs, report.series[name], strict=True)
            if value is not None and math.isfinite(value)
        ]
        if pairs:
            xs, ys = zip(*pairs, strict=True)
            axes.plot(xs, ys, marker=marker, markersize=3, label=name)
    if report.log_scale():
        axes.set_yscale("log")
    if report.best is not None:
        axes.axvline(report.best.epoch, color="tab:green", linestyle="--", label="best epoch")
    if report.overfit is not None:
        axes.axvspan(
            report.overfit.epoch,
            report.epochs[-1],
            color="tab:orange",
            alpha=0.12,
            label="overfitting",
        )
    if report.divergence is not None:
        axes.axvline(
            report.divergence.epoch, color="tab:purple", linestyle="-.", label="divergence"
        )
    if report.nonfinite is not None:
        axes.axvline(report.nonfinite.epoch, color="tab:red", linestyle=":", label="non-finite")
    axes.set_xlabel("epoch")
    axes.set_ylabel(report.metric)
    axes.set_title(report.source)
    axes.grid(alpha=0.3)
    if axes.get_legend_handles_labels()[0]:
        axes.legend()
    from losscli.atomic import atomic_output

    with atomic_output(target, "wb") as file:
        figure.savefig(file, format="png")
