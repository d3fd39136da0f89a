"""The registry's data model: a loss is a frozen record, not a class hierarchy.

A :class:`LossSpec` says everything the rest of losscli needs to know about a loss: its names,
its declared parameters (with defaults and valid ranges), what y_true must look like, how it
reduces over the data, and the pure NumPy function that computes it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from losscli.errors import ParameterError
from losscli.lazy_numpy import lazy_numpy

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy(globals())


class Target(str, Enum):
    """What y_true must hold for a loss."""

    REAL = "real"
    BINARY = "binary"
    ONE_HOT = "one_hot"
    DISTRIBUTION = "distribution"
    SPARSE_LABEL = "sparse_label"
    SEQUENCE = "sequence"
    EMBEDDING_LABEL = "embedding_label"
    BOXES = "boxes"
    PAIR = "pair"
    TRIPLET = "triplet"

    @property
    def description(self) -> str:
        return _TARGET_DESCRIPTIONS[self]


_TARGET_DESCRIPTIONS = {
    Target.REAL: "real values, one column per output",
    Target.BINARY: "binary or soft labels in [0, 1], one column per output",
    Target.ONE_HOT: "one-hot (or soft) class rows, one column per class",
    Target.DISTRIBUTION: "probability distributions, one column per class",
    Target.SPARSE_LABEL: "one integer class id per row; y_pred has one column per class",
    Target.SEQUENCE: "integer label sequences (0 = blank); y_pred is [n, time, class] logits",
    Target.EMBEDDING_LABEL: "one integer label per row; y_pred is an L2-normalised embedding",
    Target.BOXES: "boxes [y_min, x_min, y_max, x_max] in y_true and y_pred (4 columns each)",
    Target.PAIR: "a label per row (1 or -1); y_pred holds the two inputs side by side",
    Target.TRIPLET: "y_true is the anchor; y_pred holds the positive and negative side by side",
}


class Scope(str, Enum):
    """Which rows a single loss value depends on."""

    ROW = "row"  # one value per row, from that row alone
    BATCH = "batch"  # per row or one per batch, from the whole batch (metric learning)
    DATASET = "dataset"  # one value for all rows: a ratio of sums over the data


class ParamKind(str, Enum):
    """The type of a loss parameter."""

    FLOAT = "float"
    BOOL = "bool"
    INT = "int"
    OPTIONAL_INT = "int or none"
    AXIS = "axis"
    OPTIONAL_AXES = "axis, axes or none"
    FLOATS = "float or list of floats"
    CHOICE = "one of"
    VALUE = "value"  # any number, bool, string or list (parameters of user-defined losses)


@dataclass(frozen=True)
class Param:
    """A declared loss parameter: its type, its reference default and its valid range."""

    name: str
    kind: ParamKind
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()

    @property
    def range_text(self) -> str:
        """The valid range in interval notation, e.g. ``(0, 1)`` or ``[0, inf)``."""
        if self.kind is ParamKind.CHOICE:
            return "{" + ", ".join(self.choices) + "}"
        if self.low is None and self.high is None:
            return ""
        low = "-inf" if self.low is None else _fmt(self.low)
        high = "inf" if self.high is None else _fmt(self.high)
        left = "(" if self.low_open or self.low is None else "["
        right = ")" if self.high_open or self.high is None else "]"
        return f"{left}{low}, {high}{right}"

    def validate(self, value: Any, loss: str) -> Any:
        """Return ``value`` coerced to this parameter's type, or raise :class:`ParameterError`."""
        coerced = self._coerce(value, loss)
        if self.kind in (ParamKind.CHOICE, ParamKind.VALUE):
            return coerced
        numbers = coerced if isinstance(coerced, tuple) else (coerced,)
        if coerced is not None and self.kind is not ParamKind.BOOL:
            for number in numbers:
                if not self._in_range(number):
                    raise ParameterError(
                        f"{loss}: parameter {self.name}={_fmt(value)} is out of range; "
                        f"it must be in {self.range_text}"
                    )
        return coerced

    def parse(self, text: str, loss: str) -> Any:
        """Parse a command-line value (``2.0``, ``true``, ``none``, ``[0.25, 0.75]``)."""
        lowered = text.strip().lower()
        if lowered in ("none", "null"):
            return self.validate(None, loss)
        if self.kind is ParamKind.CHOICE:
            return self._choice(text, loss)
        if self.kind is ParamKind.VALUE:
            return _any_value(text)
        if self.kind is ParamKind.BOOL:
            if lowered in ("true", "1", "yes", "on"):
                return True
            if lowered in ("false", "0", "no", "off"):
                return False
            raise ParameterError(
                f"{loss}: parameter {self.name} must be true or false, not {text!r}"
            )
        try:
            value = json.loads(text.strip().replace("(", "[").replace(")", "]"))
        except json.JSONDecodeError:
            raise ParameterError(
                f"{loss}: parameter {self.name} must be a {self.kind.value}, not {text!r}"
            ) from None
        return self.validate(value, loss)

    def _coerce(self, value: Any, loss: str) -> Any:
        kind = self.kind
        wrong = ParameterError(
            f"{loss}: parameter {self.name} must be a {kind.value}, not {value!r}"
        )
        if kind is ParamKind.BOOL:
            if isinstance(value, (bool, np.bool_)):
                return bool(value)
            raise wrong
        if kind is ParamKind.CHOICE:
            return self._choice(value, loss)
        if kind is ParamKind.VALUE:
            return tuple(value) if isinstance(value, list) else value
        if value is None:
            if kind in (ParamKind.OPTIONAL_INT, ParamKind.OPTIONAL_AXES, ParamKind.VALUE):
                return None
            raise wrong
        if isinstance(value, (bool, np.bool_)):
            raise wrong
        if kind is ParamKind.FLOAT:
            return _as_float(value, wrong)
        if kind is ParamKind.FLOATS:
            if isinstance(value, (list, tuple, np.ndarray)):
                values = tuple(_as_float(v, wrong) for v in np.asarray(value).ravel().tolist())
                if not values:
                    raise wrong
                return values
            return _as_float(value, wrong)
        if kind in (ParamKind.INT, ParamKind.OPTIONAL_INT, ParamKind.AXIS):
            return _as_int(value, wrong)
        if kind is ParamKind.OPTIONAL_AXES:
            if isinstance(value, (list, tuple)):
                axes = tuple(_as_int(v, wrong) for v in value)
                if not axes or len(set(axes)) != len(axes):
                    raise wrong
                return axes
            return _as_int(value, wrong)
        raise AssertionError(f"unhandled parameter kind {kind}")  # pragma: no cover

    def _choice(self, value: Any, loss: str) -> str:
        """One of ``choices``, matched ignoring case."""
        if isinstance(value, str):
            for choice in self.choices:
                if choice.lower() == value.strip().lower():
                    return choice
        raise ParameterError(
            f"{loss}: parameter {self.name} must be one of {', '.join(self.choices)}, not {value!r}"
        )

    def _in_range(self, number: float) -> bool:
        if not math.isfinite(number):
            return False
        if self.low is not None and (number < self.low or (self.low_open and number == self.low)):
            return False
        return not (
            self.high is not None
            and (number > self.high or (self.high_open and number == self.high))
        )


def _any_value(text: str) -> Any:
    """A command-line value of unknown type: JSON if it parses, else the text itself."""
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        value = json.loads(stripped)
    except json.JSONDecodeError:
        return stripped
    return tuple(value) if isinstance(value, list) else value


def _as_float(value: Any, error: Exception) -> float:
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    raise error


def _as_int(value: Any, error: Exception) -> int:
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    raise error


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value)


Kernel = Callable[..., "np.ndarray"]
"""A per-row kernel: ``kernel(y_true, y_pred, **params) -> values``, pure and vectorized."""


@dataclass(frozen=True)
class RatioOfSums:
    """How a dataset-scope loss streams: sum per-batch statistics, then finalize once.

    ``statistics(y_true, y_pred, **params)`` returns a float64 vector of sums over the batch;
    sums from any number of batches add up, and ``finalize(sums, dtype, **params)`` turns the
    total into the single loss value.

    Keras's Dice is computed without the weights and then scaled by them like any scalar loss.
    A ``weighted`` ratio (scikit-learn's weighted RMSE) instead takes the row weights inside
    its sums (``statistics(y_true, y_pred, weights, **params)``, ``weights`` never None) and its
    finalized value is the loss under every reduction.
    """

    statistics: Callable[..., np.ndarray]
    finalize: Callable[..., float]
    applies: Callable[[Mapping[str, Any]], bool]
    weighted: bool = False


@dataclass(frozen=True)
class DatasetScan:
    """A fact about all of y_true that a kernel needs before it sees any batch.

    Keras decides some things from the whole tensor it is given (hinge: are *all* labels 0 or
    1?). To give the same answer over a file read in batches, the pipeline first evaluates
    ``of_batch`` on every batch's y_true, combines the answers with ``all()``, and passes the
    result to the kernel as the keyword ``keyword``.
    """

    keyword: str
    of_batch: Callable[[np.ndarray], bool]

    def verdict(self, y_true: np.ndarray, dtype: np.dtype) -> bool:
        """``of_batch`` of ``y_true`` as the kernel will see it: cast to the compute dtype
        (Keras casts y_true to y_pred's dtype first; 1e-310 is 0 in float32)."""
        with np.errstate(over="ignore"):
            return self.of_batch(np.asarray(y_true).astype(dtype, copy=False))


@dataclass(frozen=True)
class LossSpec:
    """One registry entry: a loss, its identifiers, parameters and kernel.

    ``probabilities`` is the valid range of y_pred when it holds probabilities (not logits):
    ``(0, 1)`` for binary losses, ``(0, None)`` for class scores that are renormalised.
    ``default_reduction`` is the reduction the reference library applies by default (None:
    Keras's ``sum_over_batch_size``); ``family`` groups losses in listings (e.g. "regression",
    "probabilistic", "margin", "overlap", "embedding", "sequence"). ``prepare``, when set,
    replaces the target kind's input checks: ``prepare(loss, y_true, y_pred, dtype, row_ids)``
    returns a :class:`losscli.arrays.Batch` (for inputs such as two predictions side by side).
    ``config_variant`` is the fixed part of a reference class's config that selects this loss
    when one class has several (TFA's ``GIoULoss(mode="iou")`` is ``iou``).
    """

    name: str
    kernel: Kernel
    target: Target
    summary: str
    formula: str
    aliases: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    scope: Scope = Scope.ROW
    origin: str = "keras"
    reference_class: str | None = None
    reference_dtype: str = "float32"
    higher_is_better: bool = False
    mask: Callable[..., np.ndarray | None] | None = None
    ratio: RatioOfSums | None = None
    dataset_scan: DatasetScan | None = None
    probabilities: tuple[float, float | None] | None = None
    default_reduction: str | None = None
    family: str = ""
    prepare: Callable[..., Any] | None = None
    config_variant: tuple[tuple[str, Any], ...] = ()
    notes: tuple[str, ...] = field(default=())

    def param(self, name: str) -> Param:
        """The declared parameter called ``name``."""
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "none"
        raise ParameterError(f"{self.name}: unknown parameter {name!r} (parameters: {known})")

    @property
    def defaults(self) -> dict[str, Any]:
        """The reference library's default for every declared parameter."""
        return {p.name: p.default for p in self.params}

    def validate_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with ``params``, each validated against its declaration."""
        resolved = self.defaults
        for name, value in params.items():
            resolved[name] = self.param(name).validate(value, self.name)
        return resolved


def identifiers(spec: LossSpec) -> Sequence[str]:
    """Every identifier that names ``spec``: its canonical name first, then its aliases."""
    return (spec.name, *spec.aliases)
