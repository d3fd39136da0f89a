"""Paired comparison of two models' predictions against the same targets.

For each loss: both models' values (exactly as ``losscli.compute`` gives them), their difference
``new - old``, and a paired Poisson bootstrap interval of that difference: every row gets R
Poisson(1) weights, and the *same* weights weigh the row in both models' replicates, so each
replicate's difference is (reduced new loss) - (reduced old loss) over one resample of the rows.
Weights follow the row's key when there is one (:func:`~losscli.bootstrap.cluster_weights`), so
results do not depend on file order, partitioning or batch size; else the row's position
(:func:`~losscli.bootstrap.row_weights`).

The verdict at confidence level ``level``: ``better`` when the interval of the difference lies
entirely on the good side of 0 (below 0 for losses, where lower is better; above for the rare
losses where higher is better), ``worse`` when entirely on the bad side, else
``no significant difference`` (``undetermined`` when the interval is NaN).

:func:`compare_arrays` compares in-memory arrays; :class:`PairedComputation` is the streaming
engine; :func:`compare_inputs` runs it over files paired by :mod:`losscli.io.join`.
"""

from __future__ import annotations

import contextlib
import datetime
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa

from losscli.arrays import nonfinite_rows, resolve_dtype
from losscli.bootstrap import (
    Replicates,
    cluster_weights,
    key_hashes,
    percentile_interval,
    row_weights,
)
from losscli.errors import InputDataError, UsageError
from losscli.evaluation import BatchValues, NanPolicy, check_nan_policy, evaluate_batch
from losscli.io.columns import (
    PRED_FALLBACKS,
    ColumnRequest,
    check_numeric_type,
    columns_to_array,
    resolve_columns,
)
from losscli.io.join import (
    NEW,
    OLD,
    AlignedPairs,
    KeyedJoin,
    PairCounts,
    PairedBatch,
    SameFilePairs,
    TargetCheck,
    paired_name,
)
from losscli.io.sources import InputSpec, open_source
from losscli.losses import Loss, get_loss, get_spec
from losscli.losses.spec import Scope, Target
from losscli.pipeline import DEFAULT_BATCH_SIZE, MAX_PAIRWISE_BATCH, LossJob, make_jobs
from losscli.state import DEFAULT_REDUCTION, CompensatedSum, LossState, standardize_reduction
from losscli.weights import broadcast_to_values, parse_class_weight

__all__ = [
    "COMPARE_SCHEMA",
    "MAX_SLICES",
    "VERDICTS",
    "CompareOptions",
    "CompareRequest",
    "ComparisonReport",
    "ComparisonResult",
    "ModelValue",
    "PairedComputation",
    "compare_arrays",
    "compare_inputs",
    "verdict",
]

COMPARE_SCHEMA = 1
"""Version of the ``compare`` JSON document; bumped on any incompatible change."""
VERDICTS = ("better", "worse", "no significant difference", "undetermined")
MAX_SLICES = 1000
"""Most distinct ``--group-by`` slices: each keeps 2 x losses x R bootstrap sums."""
DEFAULT_REPLICATES = 1000
DEFAULT_LEVEL = 0.95

_CHUNK = 2048
"""Rows per draw of Poisson weights: a [rows, R] draw and its temporaries stay small."""
_BLOCK = 16 * _CHUNK
"""Rows per pass of the per-replicate evaluation of dataset-scope losses."""
_OVERALL = -1


# --------------------------------------------------------------------------------------------
# options and results


@dataclass(frozen=True)
class CompareOptions:
    """How to compare: the reduction, arithmetic, NaN policy, weights, batch and bootstrap."""

    reduction: str | None = None  # None: each loss's default (Keras: sum_over_batch_size)
    dtype: str | None = None
    nan: str = "error"
    class_weight: Mapping[int, float] | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    level: float = DEFAULT_LEVEL
    replicates: int = DEFAULT_REPLICATES
    seed: int = 0

    def __post_init__(self) -> None:
        if self.reduction is not None:
            reduction = standardize_reduction(self.reduction)
            if reduction == "none":
                raise UsageError("compare needs a reduced value per model: drop reduction 'none'")
            object.__setattr__(self, "reduction", reduction)
        check_nan_policy(self.nan)
        if self.batch_size < 1:
            raise UsageError(f"the batch size must be at least 1, not {self.batch_size}")
        if not 0 < self.level < 1:
            raise UsageError(f"the confidence level must be between 0 and 1, not {self.level}")
        if self.replicates < 1:
            raise UsageError(f"replicates must be at least 1, not {self.replicates}")
        if not 0 <= self.seed < 2**64:
            raise UsageError(f"the seed must be an integer in [0, 2**64), not {self.seed}")


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


@dataclass(frozen=True)
class ComparisonResult:
    """One loss over one slice (``slice`` None: all paired rows), NEW against OLD.

    ``delta`` is ``new.value - old.value``; ``ci_low``/``ci_high`` its paired bootstrap interval
    at ``level``; ``verdict`` one of :data:`VERDICTS`.
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
        return ", ".join(f"{name}={_json_value(value)}" for name, value in self.slice)

    def to_dict(self) -> dict[str, Any]:
        """One result object of the JSON document."""
        return {
            "loss": self.loss,
            "label": self.label,
            "params": _jsonable(dict(self.params)),
            "reduction": self.reduction,
            "higher_is_better": self.higher_is_better,
            "slice": None
            if self.slice is None
            else {name: _json_value(value) for name, value in self.slice},
            "rows": int(self.rows),
            "new": _model_dict(self.new),
            "old": _model_dict(self.old),
            "delta": {
                "value": _json_float(self.delta),
                "ci_low": _json_float(self.ci_low),
                "ci_high": _json_float(self.ci_high),
            },
            "verdict": self.verdict,
        }


def verdict(ci_low: float, ci_high: float, *, higher_is_better: bool = False) -> str:
    """The plain reading of an interval of ``new - old``.

    Lower is better for a loss: an interval entirely below 0 is ``better``, entirely above 0
    ``worse``; one that touches or contains 0 is ``no significant difference``. A NaN bound
    gives ``undetermined``.
    """
    if math.isnan(ci_low) or math.isnan(ci_high):
        return "undetermined"
    if ci_high < 0:
        return "worse" if higher_is_better else "better"
    if ci_low > 0:
        return "better" if higher_is_better else "worse"
    return "no significant difference"


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
            "columns": _jsonable(dict(self.columns)),
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
        """The number a gate names (see :mod:`losscli.gates`).

        ``new(L)``, ``old(L)`` and ``delta(L)`` are the values over all rows;
        ``ci_low(...)``/``ci_high(...)`` around one of them give its interval bound;
        ``max_slice(...)``/``min_slice(...)`` outermost give the largest/smallest over the
        ``--group-by`` slices.
        """
        rest = list(functions)
        pick = rest.pop(0) if rest and rest[0] in ("max_slice", "min_slice") else None
        bound = rest.pop(0) if rest and rest[0] in ("ci_low", "ci_high") else None
        if len(rest) != 1 or rest[0] not in ("new", "old", "delta"):
            raise UsageError(
                f"a compare gate names new(LOSS), old(LOSS) or delta(LOSS), optionally inside "
                f"ci_low/ci_high and max_slice/min_slice, e.g. 'ci_low(delta({name})) > 0'; "
                f"got {_call_text(functions, name)!r}"
            )
        quantity = rest[0]
        label = _find_label(self.results, name)
        chosen = [r for r in self.results if r.label == label and (r.slice is None) == (not pick)]
        if pick and not chosen:
            raise UsageError(f"{pick}(...) needs slices: pass --group-by")

        def number(result: ComparisonResult) -> float:
            if quantity == "delta":
                low, value, high = result.ci_low, result.delta, result.ci_high
            else:
                model = result.new if quantity == "new" else result.old
                low, value, high = model.ci_low, model.value, model.ci_high
            return {None: value, "ci_low": low, "ci_high": high}[bound]

        if pick == "max_slice":
            result = max(chosen, key=lambda r: _nan_low(number(r)))
        elif pick == "min_slice":
            result = min(chosen, key=lambda r: _nan_high(number(r)))
        else:
            result = chosen[0]
        what = result.reduction
        if bound:
            what += f", {_percent(self.level)} interval"
        if pick:
            what += f", slice {result.slice_text}"
        return label, number(result), what


def _call_text(functions: Sequence[str], name: str) -> str:
    text = name
    for function in reversed(functions):
        text = f"{function}({text})"
    return text


def _nan_low(value: float) -> float:
    return -math.inf if math.isnan(value) else value


def _nan_high(value: float) -> float:
    return math.inf if math.isnan(value) else value


def _percent(level: float) -> str:
    return f"{level * 100:g}%"


def _find_label(results: Sequence[ComparisonResult], name: str) -> str:
    labels = list(dict.fromkeys(result.label for result in results))
    if name in labels:
        return name
    try:
        canonical = get_spec(name).name
    except UsageError:
        canonical = name
    matches = list(dict.fromkeys(r.label for r in results if r.loss == canonical))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UsageError(f"gate names no compared loss {name!r} (compared: {', '.join(labels)})")
    raise UsageError(f"gate name {name!r} is ambiguous; name one of: {', '.join(matches)}")


def _model_dict(model: ModelValue) -> dict[str, Any]:
    return {
        "value": _json_float(model.value),
        "ci_low": _json_float(model.ci_low),
        "ci_high": _json_float(model.ci_high),
        "rows_used": int(model.rows_used),
        "skipped": int(model.skipped),
    }


def _json_float(value: float) -> float | str:
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _json_value(value: Any) -> Any:
    """A slice value as JSON: numbers, strings, booleans and null as themselves, else text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)  # Decimal, timestamps with zones, anything else


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [_jsonable(item) for item in value]
    if hasattr(value, "tolist"):
        return _jsonable(value.tolist())
    return _json_value(value)


# --------------------------------------------------------------------------------------------
# accumulators


class _StatisticReplicates:
    """R resampled copies of a dataset-scope loss's summed statistics (Dice, RMSE)."""

    def __init__(self, replicates: int) -> None:
        self.replicates = replicates
        self.sums: np.ndarray | None = None
        self.counts = np.zeros(replicates)
        self.weight_sums = np.zeros(replicates)
        self.weighted = False

    def add(self, replicate: int, batch: BatchValues) -> None:
        """Fold one replicate's batch, as :meth:`LossState.update_statistics` would."""
        assert batch.statistics is not None
        statistics = np.asarray(batch.statistics, dtype=np.float64)
        if self.sums is None:
            self.sums = np.zeros((self.replicates, len(statistics)))
        self.sums[replicate] += statistics
        rows = batch.rows_used
        self.counts[replicate] += rows
        if batch.weights is None:
            self.weight_sums[replicate] += rows
        else:
            self.weighted = True
            weights = np.broadcast_to(batch.weights, (rows,))
            self.weight_sums[replicate] += np.sum(weights, dtype=np.float64)

    def results(self, reduction: str, finalize: Callable[[np.ndarray], float]) -> np.ndarray:
        if self.sums is None:
            return np.zeros(self.replicates)
        out = np.empty(self.replicates)
        for r in range(self.replicates):
            count = int(self.counts[r])
            state = LossState(
                count=count,
                valid=count,
                weighted=self.weighted,
                weight_sum=CompensatedSum(float(self.weight_sums[r])),
                statistics=[CompensatedSum(float(value)) for value in self.sums[r]],
            )
            out[r] = state.result(reduction, finalize)
        return out


class _Accumulator:
    """One loss, one model, one slice: the exact state and the R bootstrap replicates."""

    def __init__(self, scope: Scope, reduction: str, replicates: int) -> None:
        self.state = LossState()
        self.rows = 0
        self.used = 0
        self.replicates: Replicates | None = None
        self.maxima: np.ndarray | None = None
        self.statistics: _StatisticReplicates | None = None
        if scope is Scope.DATASET:
            self.statistics = _StatisticReplicates(replicates)
        elif reduction == "max":
            self.maxima = np.full(replicates, -np.inf)
        else:
            self.replicates = Replicates(replicates)

    def add_sums(self, sums: np.ndarray) -> None:
        """Add ``[R, 3]`` Poisson-weighted sums of (weighted value, weight, count)."""
        assert self.replicates is not None
        self.replicates.value_sums += sums[:, 0]
        self.replicates.weight_sums += sums[:, 1]
        self.replicates.counts += sums[:, 2]

    def add_maxima(self, poisson: np.ndarray, row_max: np.ndarray) -> None:
        assert self.maxima is not None
        drawn = np.where(poisson > 0, row_max[:, None], -np.inf)
        self.maxima = np.maximum(self.maxima, drawn.max(axis=0, initial=-np.inf))

    def replicate_values(
        self, reduction: str, finalize: Callable[[np.ndarray], float] | None
    ) -> np.ndarray:
        """Each replicate's reduced loss."""
        if self.statistics is not None:
            assert finalize is not None
            return self.statistics.results(reduction, finalize)
        if self.maxima is not None:
            return np.where(np.isneginf(self.maxima), 0.0, self.maxima)
        assert self.replicates is not None
        return self.replicates.results(reduction)


@dataclass
class _RowFold:
    """A row-scope loss of one model on one batch: per-row sums for the replicates."""

    model: str
    index: int
    columns: np.ndarray  # [rows, 3]: weighted value, weight, count (0 for dropped rows)
    row_max: np.ndarray | None  # [rows] for the max reduction


def _groups(ids: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """``(id, positions)`` for every distinct id, positions in increasing order."""
    if ids.size == 0:
        return []
    order = np.argsort(ids, kind="stable")
    bounds = np.flatnonzero(np.diff(ids[order])) + 1
    return [(int(ids[part[0]]), part) for part in np.split(order, bounds)]


def _row_sums(
    batch: BatchValues, rows: int, want_max: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Per input row: (weighted value sum, weight sum, count) and the max, 0 for dropped rows."""
    assert batch.values is not None
    values = np.asarray(batch.values, dtype=np.float64)
    kept = batch.rows_used
    if values.ndim == 0 or values.shape[0] != kept:
        raise UsageError("compare needs one loss value per row; this loss gives one per batch")
    shape = values.shape
    counted = np.ones(shape) if batch.mask is None else np.asarray(batch.mask, dtype=np.float64)
    effective = counted
    if batch.weights is not None:
        effective = broadcast_to_values(batch.weights, shape).astype(np.float64) * counted
    with np.errstate(invalid="ignore", over="ignore"):
        weighted = np.where(effective != 0, effective * values, 0.0)
    columns = np.zeros((rows, 3))
    where = slice(None) if batch.kept is None else np.flatnonzero(batch.kept)
    columns[where, 0] = weighted.reshape(kept, -1).sum(axis=1)
    columns[where, 1] = np.broadcast_to(effective, shape).reshape(kept, -1).sum(axis=1)
    columns[where, 2] = np.broadcast_to(counted, shape).reshape(kept, -1).sum(axis=1)
    if not want_max:
        return columns, None
    candidates = np.where((counted != 0) & np.isfinite(values), values, -np.inf)
    row_max = np.full(rows, -np.inf)
    row_max[where] = candidates.reshape(kept, -1).max(axis=1, initial=-np.inf)
    return columns, row_max


def _subset(batch: BatchValues, positions: np.ndarray) -> BatchValues:
    """The kept rows of ``batch`` at ``positions`` (positions among the kept rows)."""
    assert batch.values is not None
    return BatchValues(
        rows_in=len(positions),
        kept=None,
        values=batch.values[positions],
        mask=None if batch.mask is None else batch.mask[positions],
        weights=None if batch.weights is None else batch.weights[positions],
    )


# --------------------------------------------------------------------------------------------
# the engine


PoissonDraw = Callable[[int, int], np.ndarray]
"""``draw(lo, hi)``: the ``[hi - lo, R]`` Poisson weights of rows ``lo .. hi - 1`` of a batch."""


class PairedComputation:
    """Both models' losses and their paired bootstrap over a stream of batches.

    Feed arrays batch by batch (:meth:`feed`), with the Poisson weights of their rows; read
    :meth:`results` at the end. Memory is bounded by the batch size and the number of slices,
    never by the number of rows.
    """

    def __init__(
        self,
        jobs: Sequence[LossJob],
        options: CompareOptions,
        *,
        group_by: Sequence[str] = (),
    ) -> None:
        if not jobs:
            raise UsageError("no loss to compare: pass --loss")
        self.jobs = list(jobs)
        self.options = options
        self.group_by = tuple(group_by)
        self.dtypes = {job.label: resolve_dtype(options.dtype, job.loss) for job in self.jobs}
        self.contexts: dict[str, dict[str, Any]] = {job.label: {} for job in self.jobs}
        self._accumulators: dict[tuple[str, int, int], _Accumulator] = {}
        self._slice_keys: list[tuple[Any, ...]] = []
        self._slice_index: dict[tuple[Any, ...], int] = {}

    # ---- set-up

    def reduction(self, job: LossJob) -> str:
        """The reduction shown for ``job``: the option, else the loss's default."""
        reduction = self.options.reduction or standardize_reduction(job.loss.default_reduction)
        return DEFAULT_REDUCTION if reduction == "none" else reduction

    @property
    def needs_scan(self) -> bool:
        """Whether a first pass over y_true is needed (hinge's dataset-wide label rule)."""
        return any(job.loss.spec.dataset_scan is not None for job in self.jobs)

    def scan(self, batches: Iterable[tuple[np.ndarray, np.ndarray | None]]) -> None:
        """First pass: decide dataset-wide facts from every batch's ``(y_true, weights)``."""
        scans = {
            job.label: job.loss.spec.dataset_scan
            for job in self.jobs
            if job.loss.spec.dataset_scan is not None
        }
        verdicts = dict.fromkeys(scans, True)
        for y_true, weights in batches:
            if self.options.nan == "skip":
                keep = ~nonfinite_rows(y_true, weights)
                y_true = y_true if keep.size == 0 else y_true[keep]
            for label, scan in scans.items():
                if verdicts[label] and y_true.size:
                    verdicts[label] = scan.of_batch(y_true)
        for label, scan in scans.items():
            self.contexts[label] = {scan.keyword: verdicts[label]}

    def slice_ids(self, columns: Sequence[pa.Array | pa.ChunkedArray]) -> np.ndarray:
        """The slice number of each row from its ``--group-by`` values (stable across batches)."""
        codes, values = [], []
        for column in columns:
            if isinstance(column, pa.ChunkedArray):
                column = column.combine_chunks()
            encoded = column.dictionary_encode(null_encoding="encode")
            codes.append(encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64))
            values.append([_slice_value(value) for value in encoded.dictionary.to_pylist()])
        combos, inverse = np.unique(np.stack(codes, axis=1), axis=0, return_inverse=True)
        mapping = np.array(
            [
                self._slice(tuple(values[c][code] for c, code in enumerate(combo)))
                for combo in combos
            ],
            dtype=np.int64,
        )
        return mapping[inverse.reshape(-1)]

    def _slice(self, key: tuple[Any, ...]) -> int:
        index = self._slice_index.get(key)
        if index is None:
            if len(self._slice_keys) >= MAX_SLICES:
                raise UsageError(
                    f"--group-by {', '.join(self.group_by)} has more than {MAX_SLICES} distinct "
                    "values; group by a coarser column"
                )
            index = len(self._slice_keys)
            self._slice_keys.append(key)
            self._slice_index[key] = index
        return index

    def _accumulator(self, model: str, index: int, slice_id: int) -> _Accumulator:
        key = (model, index, slice_id)
        accumulator = self._accumulators.get(key)
        if accumulator is None:
            job = self.jobs[index]
            accumulator = _Accumulator(job.loss.scope, self.reduction(job), self.options.replicates)
            self._accumulators[key] = accumulator
        return accumulator

    # ---- one batch

    def feed(
        self,
        y_true: Any,
        y_pred_new: Any,
        y_pred_old: Any,
        *,
        poisson: PoissonDraw,
        sample_weight: Any = None,
        slice_ids: np.ndarray | None = None,
        row_offset: int = 0,
    ) -> None:
        """Fold one batch of paired rows into both models' states and replicates."""
        y_true, new, old = np.asarray(y_true), np.asarray(y_pred_new), np.asarray(y_pred_old)
        rows = len(y_true) if y_true.ndim else 0
        for name, array in (("y_pred_new", new), ("y_pred_old", old)):
            if array.ndim == 0 or len(array) != rows:
                raise InputDataError(
                    f"y_true has {rows} rows but {name} has "
                    f"{len(array) if array.ndim else 'no'} rows; compare needs one of each per row"
                )
        weights = None if sample_weight is None else np.asarray(sample_weight)
        groups = _groups(slice_ids) if slice_ids is not None else []
        row_folds: list[_RowFold] = []
        dataset_folds: list[tuple[str, int]] = []
        for model, y_pred in ((NEW, new), (OLD, old)):
            for index, job in enumerate(self.jobs):
                overall = self._accumulator(model, index, _OVERALL)
                accumulators = {sid: self._accumulator(model, index, sid) for sid, _ in groups}
                evaluate = self._evaluator(model, job, y_true, y_pred, weights, row_offset)
                batch = evaluate(None)
                batch.update(overall.state)
                overall.rows += rows
                overall.used += batch.rows_used
                if job.loss.scope is Scope.DATASET:
                    for sid, positions in groups:
                        sliced = evaluate(positions)
                        sliced.update(accumulators[sid].state)
                        accumulators[sid].rows += len(positions)
                        accumulators[sid].used += sliced.rows_used
                    dataset_folds.append((model, index))
                    continue
                self._fold_slices(batch, groups, accumulators, rows)
                columns, row_max = _row_sums(batch, rows, self.reduction(job) == "max")
                row_folds.append(_RowFold(model, index, columns, row_max))
        self._fold_replicates(
            rows, poisson, row_folds, dataset_folds, slice_ids, (y_true, new, old, weights)
        )

    def _evaluator(
        self,
        model: str,
        job: LossJob,
        y_true: np.ndarray,
        y_pred: np.ndarray,
        weights: np.ndarray | None,
        row_offset: int,
    ) -> Callable[[np.ndarray | None], BatchValues]:
        """Evaluate ``job`` on all rows (None) or the rows at the given positions."""

        def evaluate(positions: np.ndarray | None) -> BatchValues:
            if positions is None:
                rows_true, rows_pred, rows_weight = y_true, y_pred, weights
            else:
                rows_true, rows_pred = y_true[positions], y_pred[positions]
                rows_weight = None if weights is None else weights[positions]
            try:
                return evaluate_batch(
                    job.loss,
                    rows_true,
                    rows_pred,
                    dtype=self.dtypes[job.label],
                    sample_weight=rows_weight,
                    class_weight=self.options.class_weight,
                    nan=self.options.nan,
                    row_offset=row_offset,
                    context=self.contexts[job.label],
                )
            except InputDataError as exc:
                raise type(exc)(f"{model.upper()} predictions: {exc}") from None

        return evaluate

    @staticmethod
    def _fold_slices(
        batch: BatchValues,
        groups: list[tuple[int, np.ndarray]],
        accumulators: Mapping[int, _Accumulator],
        rows: int,
    ) -> None:
        if not groups:
            return
        # position of each input row among the kept rows (-1: dropped)
        among_kept = np.arange(rows) if batch.kept is None else np.cumsum(batch.kept) - 1
        for sid, positions in groups:
            accumulator = accumulators[sid]
            accumulator.rows += len(positions)
            if batch.kept is not None:
                positions = positions[batch.kept[positions]]
            sliced = _subset(batch, among_kept[positions])
            sliced.update(accumulator.state)
            accumulator.used += sliced.rows_used

    def _fold_replicates(
        self,
        rows: int,
        poisson: PoissonDraw,
        row_folds: list[_RowFold],
        dataset_folds: list[tuple[str, int]],
        slice_ids: np.ndarray | None,
        arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None],
    ) -> None:
        """Draw each row's Poisson weights once and fold them into every replicate set."""
        summed = [fold for fold in row_folds if fold.row_max is None]
        stacked = np.concatenate([fold.columns for fold in summed], axis=1) if summed else None
        for block in range(0, rows, _BLOCK):
            block_end = min(rows, block + _BLOCK)
            kept = []  # the block's draws, for dataset-scope losses only
            for lo in range(block, block_end, _CHUNK):
                hi = min(block_end, lo + _CHUNK)
                draw = poisson(lo, hi)
                if dataset_folds:
                    kept.append(draw)
                weights = draw.astype(np.float64)
                targets: list[tuple[int, Any]] = [(_OVERALL, slice(None))]
                if slice_ids is not None:
                    targets += _groups(slice_ids[lo:hi])
                for sid, positions in targets:
                    part = weights[positions]
                    if stacked is not None:
                        sums = part.T @ stacked[lo:hi][positions]
                        for number, fold in enumerate(summed):
                            accumulator = self._accumulator(fold.model, fold.index, sid)
                            accumulator.add_sums(sums[:, 3 * number : 3 * number + 3])
                    for fold in row_folds:
                        if fold.row_max is not None:
                            accumulator = self._accumulator(fold.model, fold.index, sid)
                            accumulator.add_maxima(part, fold.row_max[lo:hi][positions])
            if dataset_folds:
                draw = np.concatenate(kept) if len(kept) > 1 else kept[0]
                self._fold_dataset(block, draw, dataset_folds, slice_ids, arrays)

    def _fold_dataset(
        self,
        start: int,
        draw: np.ndarray,
        folds: list[tuple[str, int]],
        slice_ids: np.ndarray | None,
        arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None],
    ) -> None:
        """Dataset-scope losses: each replicate's statistics over its resample of the rows.

        Poisson weights are whole numbers, so replicate r is the loss of the rows repeated
        ``draw[:, r]`` times: exact for any summable statistics, at R evaluations per block.
        """
        y_true, new, old, weights = arrays
        block = np.arange(start, start + len(draw))
        targets = [(_OVERALL, np.arange(len(draw)))]
        if slice_ids is not None:
            targets += _groups(slice_ids[block])
        for model, index in folds:
            job = self.jobs[index]
            y_pred = new if model == NEW else old
            evaluate = self._evaluator(model, job, y_true, y_pred, weights, 0)
            for sid, positions in targets:
                statistics = self._accumulator(model, index, sid).statistics
                assert statistics is not None
                for r in range(self.options.replicates):
                    repeated = np.repeat(block[positions], draw[positions, r])
                    if repeated.size:
                        statistics.add(r, evaluate(repeated))

    # ---- results

    def results(self) -> tuple[ComparisonResult, ...]:
        """One result per loss over all rows, then one per slice (sorted by slice value)."""
        order = sorted(range(len(self._slice_keys)), key=lambda i: _sort_key(self._slice_keys[i]))
        results = []
        for index, job in enumerate(self.jobs):
            for sid in [_OVERALL, *order]:
                if (NEW, index, sid) not in self._accumulators:
                    continue
                results.append(self._result(index, job, sid))
        return tuple(results)

    def _result(self, index: int, job: LossJob, sid: int) -> ComparisonResult:
        reduction = self.reduction(job)
        dataset = job.loss.scope is Scope.DATASET
        dtype = self.dtypes[job.label]

        def finalize(sums: np.ndarray) -> float:
            return job.loss.finalize(sums, dtype)

        level = self.options.level
        models, draws = {}, {}
        for model in (NEW, OLD):
            accumulator = self._accumulators[(model, index, sid)]
            value = accumulator.state.result(reduction, finalize if dataset else None)
            draws[model] = accumulator.replicate_values(reduction, finalize if dataset else None)
            low, high = percentile_interval(draws[model], level)
            models[model] = ModelValue(
                value, low, high, accumulator.used, accumulator.rows - accumulator.used
            )
        with np.errstate(invalid="ignore"):
            low, high = percentile_interval(draws[NEW] - draws[OLD], level)
        higher = job.loss.spec.higher_is_better
        rows = self._accumulators[(NEW, index, sid)].rows
        return ComparisonResult(
            loss=job.loss.name,
            label=job.label,
            params=dict(job.loss.params),
            reduction=reduction,
            rows=rows,
            new=models[NEW],
            old=models[OLD],
            delta=models[NEW].value - models[OLD].value,
            ci_low=low,
            ci_high=high,
            level=level,
            replicates=self.options.replicates,
            verdict=verdict(low, high, higher_is_better=higher),
            higher_is_better=higher,
            slice=None
            if sid == _OVERALL
            else tuple(zip(self.group_by, self._slice_keys[sid], strict=True)),
        )


def _slice_value(value: Any) -> Any:
    """A group value as a dictionary key: NaN joins null (NaN is not equal to itself)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        (value is None, type(value).__name__, 0 if value is None else value) for value in key
    )


def poisson_draw(
    seed: int, replicates: int, *, hashes: np.ndarray | None = None, start: int = 0
) -> PoissonDraw:
    """Poisson weights keyed by the rows' key hashes, or by their positions from ``start``."""
    if hashes is not None:
        keyed = hashes
        return lambda lo, hi: cluster_weights(seed, keyed[lo:hi], replicates)
    return lambda lo, hi: row_weights(seed, start + lo, hi - lo, replicates)


# --------------------------------------------------------------------------------------------
# in memory


def compare_arrays(
    loss: str | Mapping[str, Any] | Loss,
    y_true: Any,
    y_pred_new: Any,
    y_pred_old: Any,
    *,
    sample_weight: Any = None,
    class_weight: Mapping[Any, float] | str | None = None,
    reduction: str | None = None,
    dtype: str | None = None,
    nan: NanPolicy = "error",
    level: float = DEFAULT_LEVEL,
    replicates: int = DEFAULT_REPLICATES,
    seed: int = 0,
    keys: Any = None,
    **params: Any,
) -> ComparisonResult:
    """Compare two models' predictions of the same targets with ``loss``.

    Args:
        loss: a name or alias, a Keras config dict, or a :class:`~losscli.losses.Loss`.
        y_true: the targets, one row per sample.
        y_pred_new, y_pred_old: the two models' predictions, row for row.
        sample_weight, class_weight, reduction, dtype, nan, **params: as in
            :func:`losscli.compute`; each model's value is what ``compute`` gives.
        level: the confidence level of the intervals.
        replicates: the number of bootstrap replicates R.
        seed: the seed of the Poisson weights.
        keys: one key per row: the bootstrap weights then follow the key (rows sharing a key
            are resampled together); else they follow the row's position.

    Returns:
        The values, ``delta = new - old``, its paired bootstrap interval and the verdict.
    """
    bound = get_loss(loss, **params)
    options = CompareOptions(
        reduction=reduction,
        dtype=dtype,
        nan=nan,
        class_weight=None if class_weight is None else parse_class_weight(class_weight),
        level=level,
        replicates=replicates,
        seed=seed,
    )
    computation = PairedComputation([LossJob(bound, str(bound), bound.name)], options)
    y_true = np.asarray(y_true)
    weights = None if sample_weight is None else np.asarray(sample_weight)
    rows = len(y_true) if y_true.ndim else 0
    hashes = None
    if keys is not None:
        key_array = np.asarray(keys)
        if key_array.shape != (rows,):
            raise InputDataError(
                f"keys must be one per row ({rows}), not of shape {key_array.shape}"
            )
        hashes = key_hashes(key_array)
    if computation.needs_scan:
        computation.scan([(y_true, weights)])
    computation.feed(
        y_true,
        y_pred_new,
        y_pred_old,
        poisson=poisson_draw(seed, replicates, hashes=hashes),
        sample_weight=weights,
    )
    result = computation.results()[0]
    if result.new.rows_used == 0 or result.old.rows_used == 0:
        raise InputDataError(f"{bound.name}: no rows to compare")
    return result


# --------------------------------------------------------------------------------------------
# over files


@dataclass(frozen=True)
class CompareRequest:
    """What to compare, as the user named it.

    Two inputs (``old`` given) are paired by ``key`` or, with ``aligned``, by position; one
    input (``old`` None) holds both models' predictions, in ``y_pred_new`` and ``y_pred_old``.
    ``y_pred`` names the prediction columns of both files; ``y_pred_new``/``y_pred_old``
    override it per file. ``y_true``, ``sample_weight`` and the ``group_by`` columns are read
    from NEW (a group column NEW lacks is read from OLD).
    """

    new: str
    old: str | None = None
    key: str | None = None
    aligned: bool = False
    y_true: str | None = None
    y_pred: str | None = None
    y_pred_new: str | None = None
    y_pred_old: str | None = None
    sample_weight: str | None = None
    group_by: tuple[str, ...] = ()

    @property
    def mode(self) -> str:
        if self.old is None:
            return "same-file"
        return "aligned" if self.aligned else "key"

    def validate(self) -> None:
        """Raise :class:`UsageError` for a request that names no pairing or two at once."""
        if len(set(self.group_by)) != len(self.group_by):
            raise UsageError("the same --group-by column is given twice")
        if self.old is None:
            if self.aligned:
                raise UsageError("--aligned pairs the rows of two files; one file was given")
            if not (self.y_pred_new and self.y_pred_old):
                raise UsageError(
                    "one input holds both models: name their columns with --y-pred-new COLS "
                    "and --y-pred-old COLS (or give two files, NEW and OLD)"
                )
            if self.y_pred:
                raise UsageError("--y-pred is ambiguous with one input; use --y-pred-new/-old")
            return
        if self.new == "-" and self.old == "-":
            raise UsageError("only one of NEW and OLD can be stdin ('-')")
        if self.key and self.aligned:
            raise UsageError("give either --key COL (match rows by key) or --aligned, not both")
        if not self.key and not self.aligned:
            raise UsageError(
                "two files need --key COL to match their rows (a column in both), or --aligned "
                "when row i of NEW and row i of OLD are the same sample"
            )


@dataclass(frozen=True)
class _Layout:
    """The resolved columns: what each input carries and where each role is when paired."""

    new: tuple[str, ...]  # NEW input columns carried
    old: tuple[str, ...]  # OLD input columns carried
    y_true: tuple[str, ...]  # paired names from here on
    y_pred_new: tuple[str, ...]
    y_pred_old: tuple[str, ...]
    sample_weight: str | None
    group_by: tuple[str, ...]
    check: TargetCheck | None
    shown: Mapping[str, Any]

    def arrays(
        self, batch: pa.RecordBatch, *, pad_ragged_true: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        y_true = columns_to_array(batch, self.y_true, pad_ragged=pad_ragged_true)
        new = columns_to_array(batch, self.y_pred_new)
        old = columns_to_array(batch, self.y_pred_old)
        weights = None
        if self.sample_weight:
            weights = columns_to_array(batch, (self.sample_weight,)).astype(np.float64)
        return y_true, new, old, weights


def _prediction_columns(
    text: str | None, schema: pa.Schema, note: Callable[[str], None]
) -> tuple[str, ...]:
    """Prediction columns named by ``text`` (names, comma lists, globs), or found by name."""
    if text is None:
        lowered = {name.lower(): name for name in schema.names}
        found = next((lowered[c] for c in PRED_FALLBACKS if c in lowered), None)
        if found is None:
            raise InputDataError(
                f"no y_pred column: none of {', '.join(PRED_FALLBACKS[:4])}, ... is in the "
                "input; name it with --y-pred"
            )
        if found != "y_pred":
            note(f"using column {found!r} as y_pred (set --y-pred to choose)")
        text = found
    return resolve_columns(ColumnRequest(y_true=text, y_pred=text), schema).y_pred


def _check_group_column(name: str, schema: pa.Schema) -> None:
    if pa.types.is_nested(schema.field(name).type):
        raise UsageError(f"--group-by {name!r} holds lists; group by a column of plain values")


def _layout(request: CompareRequest, new: Any, old: Any, note: Callable[[str], None]) -> _Layout:
    """Resolve every column against the inputs' schemas."""
    pad = "" if old is None else "NEW: "
    new_spec = resolve_columns(
        ColumnRequest(request.y_true, request.y_pred_new or request.y_pred, request.sample_weight),
        new.schema,
        lambda message: note(pad + message),
    )
    weight = (new_spec.sample_weight,) if new_spec.sample_weight else ()
    groups_new, groups_old = [], []
    for name in request.group_by:
        if name in new.schema.names:
            _check_group_column(name, new.schema)
            groups_new.append(name)
        elif old is not None and name in old.schema.names:
            _check_group_column(name, old.schema)
            groups_old.append(name)
        else:
            where = "either input" if old is not None else "the input"
            raise InputDataError(f"no --group-by column {name!r} in {where}")
    group_names = {name: paired_name(NEW, name) for name in groups_new}
    group_names.update({name: paired_name(OLD, name) for name in groups_old})
    if old is None:
        old_pred = _prediction_columns(request.y_pred_old, new.schema, note)
        carried_old: tuple[str, ...] = old_pred
        check = None
    else:
        old_pred = _prediction_columns(
            request.y_pred_old or request.y_pred, old.schema, lambda m: note("OLD: " + m)
        )
        check = None
        carried_old = old_pred
        if all(name in old.schema.names for name in new_spec.y_true):
            for name in new_spec.y_true:
                check_numeric_type(name, old.schema.field(name).type)
            carried_old = (*old_pred, *new_spec.y_true)
            check = TargetCheck(
                tuple(paired_name(NEW, n) for n in new_spec.y_true),
                tuple(paired_name(OLD, n) for n in new_spec.y_true),
            )
        else:
            note(
                f"OLD has no y_true column {', '.join(new_spec.y_true)}: the targets are taken "
                "from NEW and not checked against OLD"
            )
    carried_new = (*new_spec.y_true, *new_spec.y_pred, *weight, *groups_new)
    return _Layout(
        new=tuple(dict.fromkeys(carried_new)),
        old=tuple(dict.fromkeys((*carried_old, *groups_old))),
        y_true=tuple(paired_name(NEW, n) for n in new_spec.y_true),
        y_pred_new=tuple(paired_name(NEW, n) for n in new_spec.y_pred),
        y_pred_old=tuple(paired_name(OLD, n) for n in old_pred),
        sample_weight=None if not weight else paired_name(NEW, weight[0]),
        group_by=tuple(group_names[name] for name in request.group_by),
        check=check,
        shown={
            "y_true": list(new_spec.y_true),
            "y_pred_new": list(new_spec.y_pred),
            "y_pred_old": list(old_pred),
            "sample_weight": new_spec.sample_weight,
            "group_by": list(request.group_by),
        },
    )


def _check_jobs(jobs: Sequence[LossJob], mode: str, batch_size: int) -> None:
    for job in jobs:
        if job.loss.scope is not Scope.BATCH:
            continue
        if mode == "key":
            raise UsageError(
                f"{job.label} compares rows within a batch, and rows matched by --key come in "
                "partition order, not file order; compare it with --aligned or one input"
            )
        if batch_size > MAX_PAIRWISE_BATCH:
            raise UsageError(
                f"{job.label} compares every pair of rows in a batch: pass --batch-size of at "
                f"most {MAX_PAIRWISE_BATCH} (training batches are typically 32 to 1024)"
            )


def compare_inputs(
    losses: Sequence[Loss],
    request: CompareRequest,
    options: CompareOptions,
    *,
    note: Callable[[str], None] = lambda message: None,
    stdin: BinaryIO | None = None,
    temp_dir: str | None = None,
    rows_per_partition: int | None = None,
) -> ComparisonReport:
    """Compare two models over files, streamed in bounded memory.

    Args:
        losses: the losses to compare.
        request: the inputs, the pairing and the columns.
        options: reduction, arithmetic, NaN policy, batch size and bootstrap settings.
        note: receives one-line notes (guessed columns, unmatched rows).
        stdin: the stream ``"-"`` reads (default: the process's stdin).
        temp_dir: where a keyed join puts its temporary partition files (default: the
            system's temporary directory); they are removed before returning or raising.
        rows_per_partition: the keyed join's rows per partition (its memory bound); default:
            about :data:`~losscli.io.join.PARTITION_BYTES` of data per partition.

    Raises:
        UsageError: the request is inconsistent (see :meth:`CompareRequest.validate`).
        InputDataError: an input is unreadable, a column is missing, keys repeat, y_true
            differs between the inputs, or no rows pair up.
    """
    request.validate()
    jobs = make_jobs(losses)
    _check_jobs(jobs, request.mode, options.batch_size)
    computation = PairedComputation(jobs, options, group_by=request.group_by)
    needs_two_passes = computation.needs_scan and request.mode != "key"
    with contextlib.ExitStack() as stack:

        def opened(path: str) -> Any:
            spec = InputSpec(paths=(path,), batch_size=options.batch_size)
            source = open_source(spec, stdin=stdin, spool_stdin=needs_two_passes, note=note)
            return stack.enter_context(source)

        new = opened(request.new)
        old = None if request.old is None else opened(request.old)
        layout = _layout(request, new, old, note)
        pairs: Any
        if old is None:
            if request.key and request.key not in new.schema.names:
                raise InputDataError(f"no key column {request.key!r} in {new.description}")
            columns = [(c, paired_name(NEW, c)) for c in layout.new]
            columns += [(c, paired_name(OLD, c)) for c in layout.old]
            pairs = SameFilePairs(new, columns, batch_size=options.batch_size, key=request.key)
        elif request.aligned:
            pairs = AlignedPairs(
                new, old, layout.new, layout.old, batch_size=options.batch_size, check=layout.check
            )
        else:
            assert request.key is not None
            pairs = KeyedJoin(
                new,
                old,
                request.key,
                layout.new,
                layout.old,
                batch_size=options.batch_size,
                check=layout.check,
                rows_per_partition=rows_per_partition,
                temp_dir=temp_dir,
            )
        stack.enter_context(pairs)
        pads = any(job.loss.spec.target is Target.SEQUENCE for job in jobs)
        if computation.needs_scan:
            computation.scan(_targets(layout, pairs.batches()))
        for paired in pairs.batches():
            _feed(computation, paired, layout, options, pads, request.mode == "key")
        counts = pairs.counts
        descriptions = (new.description, None if old is None else old.description)
    if counts.matched == 0:
        if request.mode == "key":
            raise InputDataError(
                f"no key of NEW ({counts.new} rows) is in OLD ({counts.old} rows): nothing to "
                f"compare; check that --key {request.key!r} holds the same ids in both"
            )
        raise InputDataError(f"no rows in {descriptions[0]}: nothing to compare")
    notes = []
    if counts.only_new or counts.only_old:
        notes.append(
            f"{counts.only_new} row(s) of NEW have no match in OLD and {counts.only_old} row(s) "
            f"of OLD none in NEW; they are left out ({counts.matched} rows compared)"
        )
    for line in notes:
        note(line)
    return ComparisonReport(
        new_input=descriptions[0],
        old_input=descriptions[1],
        mode=request.mode,
        key=request.key,
        counts=counts,
        results=computation.results(),
        level=options.level,
        replicates=options.replicates,
        seed=options.seed,
        weights="key" if request.key else "row",
        columns={**layout.shown, "key": request.key},
        dtype=", ".join(sorted({d.name for d in computation.dtypes.values()})),
        notes=tuple(notes),
    )


def _targets(
    layout: _Layout, batches: Iterable[PairedBatch]
) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """``(y_true, weights)`` of every paired batch, for the first pass."""
    for paired in batches:
        y_true, _, _, weights = layout.arrays(paired.batch, pad_ragged_true=True)
        yield y_true, weights


def _feed(
    computation: PairedComputation,
    paired: PairedBatch,
    layout: _Layout,
    options: CompareOptions,
    pads: bool,
    keyed: bool,
) -> None:
    y_true, new, old, weights = layout.arrays(paired.batch, pad_ragged_true=pads)
    slice_ids = None
    if layout.group_by:
        slice_ids = computation.slice_ids([paired.batch.column(n) for n in layout.group_by])
    try:
        computation.feed(
            y_true,
            new,
            old,
            poisson=poisson_draw(
                options.seed, options.replicates, hashes=paired.hashes, start=paired.start
            ),
            sample_weight=weights,
            slice_ids=slice_ids,
            row_offset=paired.start,
        )
    except InputDataError as exc:
        if not keyed:
            raise
        raise type(exc)(f"{exc} (rows matched by key are numbered in join order)") from None
