"""The dataset evaluator: many losses, slices and bootstrap intervals in one streaming pass.

Every loss keeps one :class:`~losscli.state.LossState` (and, with ``--ci``, one
:class:`~losscli.bootstrap.Replicates`) for the whole data and one per slice key. Slice keys are
the values themselves (crossed over several ``--group-by`` columns), so they are stable across
batches, files and shards; states merge, so shards evaluated apart combine into one report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from losscli.arrays import resolve_dtype
from losscli.bootstrap import (
    Replicates,
    cluster_weights,
    key_hashes,
    row_weights,
    weighted_sums,
)
from losscli.bootstrap import (
    columns as replicate_columns,
)
from losscli.errors import (
    InputDataError,
    InputFileError,
    LossCliError,
    UsageError,
)
from losscli.evaluation import BatchValues, SharedInputs, check_nan_policy, evaluate_batch
from losscli.gates import find_result
from losscli.io.columns import ColumnSpec
from losscli.io.reasons import os_reason, reason
from losscli.io.sources import Part
from losscli.losses import get_loss
from losscli.losses.spec import Scope
from losscli.pipeline import LossJob
from losscli.report import LossSummary
from losscli.slice_keys import slice_value
from losscli.state import LossState, standardize_reduction

STATE_KIND = "losscli-evaluate-state"
STATE_VERSION = 1
SliceKey = tuple[Any, ...]


@dataclass(frozen=True)
class EvaluateOptions:
    """How to evaluate: reduction, arithmetic, NaN policy, weights, slices and intervals."""

    reduction: str | None = None
    dtype: str | None = None
    nan: str = "error"
    class_weight: Mapping[int, float] | None = None
    batch_size: int = 65_536
    group_by: tuple[str, ...] = ()
    cluster_by: str | None = None
    level: float | None = None  # None: no intervals
    replicates: int = 1000
    seed: int = 0
    min_slice_rows: int = 30

    def __post_init__(self) -> None:
        if self.reduction is not None:
            object.__setattr__(self, "reduction", standardize_reduction(self.reduction))
            if self.reduction == "none":
                raise UsageError("evaluate reduces every slice; use compute for per-row values")
        check_nan_policy(self.nan)
        if self.level is not None and not 0 < self.level < 1:
            raise UsageError(f"--ci must be between 0 and 1 (e.g. 0.95), not {self.level}")
        if self.replicates < 10:
            raise UsageError(f"--replicates must be at least 10, not {self.replicates}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "reduction": self.reduction,
            "dtype": self.dtype,
            "nan": self.nan,
            "class_weight": None if self.class_weight is None else dict(self.class_weight),
            "group_by": list(self.group_by),
            "cluster_by": self.cluster_by,
            "level": self.level,
            "replicates": self.replicates,
            "seed": self.seed,
            "min_slice_rows": self.min_slice_rows,
        }


@dataclass
class SliceState:
    """The state (and bootstrap replicates) of one loss over one slice of rows."""

    state: LossState = field(default_factory=LossState)
    replicates: Replicates | None = None

    def merge(self, other: SliceState) -> SliceState:
        replicates = self.replicates
        if replicates is None or other.replicates is None:
            replicates = replicates or other.replicates
        else:
            replicates = replicates.merge(other.replicates)
        return SliceState(self.state.merge(other.state), replicates)

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state.to_dict(),
            "replicates": None if self.replicates is None else self.replicates.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SliceState:
        replicates = data.get("replicates")
        return cls(
            LossState.from_dict(data["state"]),
            None if replicates is None else Replicates.from_dict(replicates),
        )


@dataclass(frozen=True)
class SliceResult:
    """One loss over one slice (``key`` None: all rows)."""

    key: SliceKey | None
    label: str
    value: float
    rows: int
    weight_sum: float
    interval: tuple[float, float] | None = None
    small: bool = False


@dataclass(frozen=True)
class LossEvaluation:
    """One loss: the overall result, each slice, and the worst/best slice and their gap."""

    summary: LossSummary
    overall: SliceResult
    slices: tuple[SliceResult, ...] = ()

    @property
    def worst(self) -> SliceResult | None:
        return max(self.slices, key=lambda s: s.value) if self.slices else None

    @property
    def best(self) -> SliceResult | None:
        return min(self.slices, key=lambda s: s.value) if self.slices else None

    @property
    def gap(self) -> float | None:
        worst, best = self.worst, self.best
        return None if worst is None or best is None else worst.value - best.value


@dataclass(frozen=True)
class EvaluationReport:
    """Everything ``evaluate`` shows; answers gates (``ci_high(mse)``, ``max_slice(mae)``)."""

    inputs: tuple[str, ...]
    rows_read: int
    rows_used: int
    rows_skipped: int
    losses: tuple[LossEvaluation, ...]
    group_by: tuple[str, ...] = ()
    ci: Mapping[str, Any] | None = None
    notes: tuple[str, ...] = ()

    def lookup(self, functions: tuple[str, ...], name: str) -> tuple[str, float, str]:
        """A gate's number: the value, an interval bound, or the worst/best slice."""
        summaries = [evaluation.summary for evaluation in self.losses]
        summary = find_result(summaries, name)
        evaluation = next(e for e in self.losses if e.summary is summary)
        if not functions:
            return summary.label, summary.value, summary.reduction
        if len(functions) > 1 or functions[0] == "delta":
            raise UsageError(f"{'('.join(functions)}(...) is a gate of `losscli compare`")
        function = functions[0]
        if function in ("ci_low", "ci_high"):
            if evaluation.overall.interval is None:
                raise UsageError(f"{function}({name}) needs --ci (and a loss with per-row values)")
            low, high = evaluation.overall.interval
            return summary.label, low if function == "ci_low" else high, summary.reduction
        chosen = evaluation.worst if function == "max_slice" else evaluation.best
        if chosen is None:
            raise UsageError(f"{function}({name}) needs --group-by")
        return summary.label, chosen.value, f"{summary.reduction}, slice {chosen.label}"


class Evaluation:
    """Many losses over batches of one dataset, with slices and bootstrap replicates."""

    def __init__(
        self, jobs: Sequence[LossJob], columns: ColumnSpec, options: EvaluateOptions
    ) -> None:
        if not jobs:
            raise UsageError("no loss to evaluate: pass --loss")
        self.jobs = list(jobs)
        self.columns = columns
        self.options = options
        self.dtypes = {job.label: resolve_dtype(options.dtype, job.loss) for job in self.jobs}
        self.overall = {job.label: self._new_slice() for job in self.jobs}
        self.slices: dict[str, dict[SliceKey, SliceState]] = {job.label: {} for job in self.jobs}
        self.rows_read = 0
        self.rows_skipped = 0
        for job in self.jobs:
            if job.loss.scope is Scope.BATCH:
                raise UsageError(
                    f"{job.label} depends on the whole batch; evaluate slices rows, so use compute"
                )

    def _new_slice(self) -> SliceState:
        if self.options.level is None:
            return SliceState()
        return SliceState(replicates=Replicates(self.options.replicates))

    def compute_part(self, part: Part) -> Evaluation:
        """The evaluation of one part of the input alone (safe to run on several threads)."""
        partial = Evaluation(self.jobs, self.columns, self.options)
        for batch in part.read():
            if batch.num_rows:
                partial.feed(batch, offset=part.offset + partial.rows_read)
        return partial

    def absorb(self, part: Evaluation) -> None:
        """Add the evaluation of the rows that follow, computed apart, to this one."""
        merged = self.merge(part)
        self.rows_read, self.rows_skipped = merged.rows_read, merged.rows_skipped
        self.overall, self.slices = merged.overall, merged.slices

    def feed(self, batch: pa.RecordBatch | pa.Table, *, offset: int | None = None) -> None:
        """Fold one batch into every loss's overall and slice states.

        ``offset`` is the input row number of the batch's first row (default: the rows fed so
        far); it numbers rows in errors and keys each row's bootstrap weights.
        """
        offset = self.rows_read if offset is None else offset
        rows = batch.num_rows
        y_true, y_pred, weights = self.columns.arrays(batch, offset=offset)
        self.rows_read += rows
        shared = SharedInputs(y_true, y_pred, weights, offset)
        if self.options.nan == "skip" and shared.nonfinite.size:
            self.rows_skipped += int(np.count_nonzero(shared.nonfinite))
        slice_ids, keys = self._slice_ids(batch)
        poisson = self._poisson(batch, offset, rows)
        pending: list[tuple[Replicates, np.ndarray]] = []  # one Poisson product for them all
        for job in self.jobs:
            job_true, job_pred = shared.for_loss(job.loss, self.dtypes[job.label])
            evaluated = evaluate_batch(
                job.loss,
                job_true,
                job_pred,
                dtype=self.dtypes[job.label],
                sample_weight=weights,
                class_weight=self.options.class_weight,
                nan=self.options.nan,
                row_offset=offset,
                nonfinite=shared.nonfinite,
            )
            self._update(self.overall[job.label], evaluated, pending, rows)
            if slice_ids is None:
                continue
            kept = np.ones(rows, dtype=bool) if evaluated.kept is None else evaluated.kept
            for index, key in enumerate(keys):
                in_slice = slice_ids == index
                if not in_slice.any():
                    continue
                slice_state = self.slices[job.label].setdefault(key, self._new_slice())
                if job.loss.scope is Scope.DATASET:
                    part = evaluate_batch(
                        job.loss,
                        y_true[in_slice],
                        y_pred[in_slice],
                        dtype=self.dtypes[job.label],
                        sample_weight=None if weights is None else weights[in_slice],
                        class_weight=self.options.class_weight,
                        nan=self.options.nan,
                    )
                    part.update(slice_state.state)
                    continue
                select = in_slice[kept]
                part = _subset(evaluated, select)
                positions = np.flatnonzero(kept)[select]
                self._update(slice_state, part, pending, rows, positions)
        if poisson is not None and pending:
            table = np.concatenate([block for _, block in pending], axis=1)
            sums = weighted_sums(poisson, table)
            for index, (replicates, _) in enumerate(pending):
                replicates.add_sums(sums[:, 3 * index : 3 * index + 3])

    def _update(
        self,
        target: SliceState,
        evaluated: BatchValues,
        pending: list[tuple[Replicates, np.ndarray]],
        rows: int,
        positions: np.ndarray | None = None,
    ) -> None:
        """Fold into the state; queue the replicate columns, placed at their batch rows."""
        evaluated.update(target.state)
        if target.replicates is None or evaluated.values is None or evaluated.values.ndim != 1:
            return
        if positions is None:
            positions = (
                np.arange(rows) if evaluated.kept is None else np.flatnonzero(evaluated.kept)
            )
        block = np.zeros((rows, 3))
        block[positions] = replicate_columns(evaluated.values, evaluated.weights, evaluated.mask)
        pending.append((target.replicates, block))

    def _poisson(
        self, batch: pa.RecordBatch | pa.Table, offset: int, rows: int
    ) -> np.ndarray | None:
        options = self.options
        if options.level is None:
            return None
        if options.cluster_by:
            keys = _column_values(batch.column(options.cluster_by))
            return cluster_weights(options.seed, key_hashes(keys), options.replicates)
        return row_weights(options.seed, offset, rows, options.replicates)

    def _slice_ids(
        self, batch: pa.RecordBatch | pa.Table
    ) -> tuple[np.ndarray | None, list[SliceKey]]:
        """Each row's slice (an index into the returned keys), from the group-by values."""
        if not self.options.group_by:
            return None, []
        codes, dictionaries = [], []
        for name in self.options.group_by:
            column = batch.column(name)
            if isinstance(column, pa.ChunkedArray):
                column = column.combine_chunks()
            if pa.types.is_dictionary(column.type):
                column = column.dictionary_decode()  # its codes would leave nulls unencoded
            encoded = pc.dictionary_encode(column, null_encoding="encode")
            codes.append(np.asarray(encoded.indices.to_numpy(zero_copy_only=False)))
            dictionaries.append([slice_value(value) for value in encoded.dictionary.to_pylist()])
        if len(codes) == 1:  # the dictionary codes are the slice indices already
            return codes[0], [(value,) for value in dictionaries[0]]
        combined = np.zeros(len(codes[0]), dtype=np.int64)  # mixed-radix code of the key
        for code, dictionary in zip(codes, dictionaries, strict=True):
            combined = combined * len(dictionary) + code
        unique, inverse = np.unique(combined, return_inverse=True)
        keys = []
        for value in unique.tolist():
            parts = []
            for dictionary in reversed(dictionaries):
                value, index = divmod(value, len(dictionary))
                parts.append(dictionary[index])
            keys.append(tuple(reversed(parts)))
        return inverse.reshape(-1), keys

    # ------------------------------------------------------------------ results and states

    def report(self, inputs: Sequence[str], notes: Sequence[str] = ()) -> EvaluationReport:
        if self.rows_read == 0:
            raise InputDataError(f"no rows in {', '.join(inputs)}: nothing to evaluate")
        used = self.rows_read - self.rows_skipped
        if used == 0:
            raise InputDataError(
                f"all {self.rows_read} rows of {', '.join(inputs)} were skipped as non-finite: "
                "nothing to evaluate"
            )
        losses = tuple(self._evaluation(job) for job in self.jobs)
        ci = None
        if self.options.level is not None:
            ci = {
                "method": "poisson bootstrap",
                "level": self.options.level,
                "replicates": self.options.replicates,
                "seed": self.options.seed,
                "cluster_by": self.options.cluster_by,
            }
        return EvaluationReport(
            inputs=tuple(inputs),
            rows_read=self.rows_read,
            rows_used=used,
            rows_skipped=self.rows_skipped,
            losses=losses,
            group_by=self.options.group_by,
            ci=ci,
            notes=tuple(notes),
        )

    def _evaluation(self, job: LossJob) -> LossEvaluation:
        reduction = self.options.reduction or job.loss.default_reduction
        overall = self._result(job, None, self.overall[job.label], reduction)
        slices = tuple(
            self._result(job, key, state, reduction)
            for key, state in sorted(
                self.slices[job.label].items(), key=lambda kv: _sortable(kv[0])
            )
        )
        state = self.overall[job.label].state
        dataset = job.loss.scope is Scope.DATASET
        summary = LossSummary(
            loss=job.loss.name,
            label=job.label,
            params=dict(job.loss.params),
            reduction=reduction,
            value=overall.value,
            rows=state.count,
            weight_sum=state.weight_sum.value,
            scope=job.loss.scope.value,
            min=None if dataset or not state.valid else state.minimum,
            max=None if dataset or not state.valid else state.maximum,
            mean=None if dataset else state.mean,
            std=None if dataset else state.std,
            nonfinite=state.nonfinite,
        )
        return LossEvaluation(summary, overall, slices)

    def _result(
        self, job: LossJob, key: SliceKey | None, slice_state: SliceState, reduction: str
    ) -> SliceResult:
        dtype = self.dtypes[job.label]
        finalize = None
        if job.loss.scope is Scope.DATASET:

            def finalize(sums: np.ndarray) -> float:
                return job.loss.finalize(sums, dtype)

        state = slice_state.state
        interval = None
        if slice_state.replicates is not None and job.loss.scope is not Scope.DATASET:
            interval = slice_state.replicates.interval(reduction, self.options.level or 0.95)
        label = "overall" if key is None else slice_label(self.options.group_by, key)
        return SliceResult(
            key=key,
            label=label,
            value=state.result(reduction, finalize),
            rows=state.count,
            weight_sum=state.weight_sum.value,
            interval=interval,
            small=key is not None and state.count < self.options.min_slice_rows,
        )

    def to_state(self) -> dict[str, Any]:
        """The partial result as versioned JSON-ready data (``--emit-state``)."""
        return {
            "kind": STATE_KIND,
            "version": STATE_VERSION,
            "losses": [
                {"label": job.label, "name": job.loss.name, "params": _jsonable(job.loss.params)}
                for job in self.jobs
            ],
            "columns": {
                "y_true": list(self.columns.y_true),
                "y_pred": list(self.columns.y_pred),
                "sample_weight": self.columns.sample_weight,
            },
            "options": self.options.to_dict(),
            "rows_read": self.rows_read,
            "rows_skipped": self.rows_skipped,
            "states": {
                job.label: {
                    "overall": self.overall[job.label].to_dict(),
                    "slices": [
                        [list(key), state.to_dict()]
                        for key, state in self.slices[job.label].items()
                    ],
                }
                for job in self.jobs
            },
        }

    @classmethod
    def from_state(cls, data: Mapping[str, Any]) -> Evaluation:
        """Rebuild an evaluation from :meth:`to_state` output."""
        if data.get("kind") != STATE_KIND or data.get("version") != STATE_VERSION:
            raise InputDataError("not a losscli evaluate state file (or an unsupported version)")
        jobs = [
            LossJob(get_loss(entry["name"], **entry["params"]), entry["label"], entry["label"])
            for entry in data["losses"]
        ]
        options = data["options"]
        class_weight = options.get("class_weight")
        evaluation = cls(
            jobs,
            ColumnSpec(
                tuple(data["columns"]["y_true"]),
                tuple(data["columns"]["y_pred"]),
                data["columns"]["sample_weight"],
            ),
            EvaluateOptions(
                reduction=options["reduction"],
                dtype=options["dtype"],
                nan=options["nan"],
                class_weight=None
                if class_weight is None
                else {int(k): v for k, v in class_weight.items()},
                group_by=tuple(options["group_by"]),
                cluster_by=options["cluster_by"],
                level=options["level"],
                replicates=options["replicates"],
                seed=options["seed"],
                min_slice_rows=options["min_slice_rows"],
            ),
        )
        evaluation.rows_read = _count(data["rows_read"], "rows_read")
        evaluation.rows_skipped = _count(data["rows_skipped"], "rows_skipped")
        for job in jobs:
            states = data["states"][job.label]
            evaluation.overall[job.label] = SliceState.from_dict(states["overall"])
            evaluation.slices[job.label] = {
                tuple(key): SliceState.from_dict(state) for key, state in states["slices"]
            }
        return evaluation

    def merge(self, other: Evaluation) -> Evaluation:
        """This evaluation and ``other`` (a disjoint shard) as one pass over both."""
        difference = self.difference(other)
        if difference is not None:
            raise InputDataError(
                f"the states differ in {difference}; only states of one evaluation (the same "
                "losses and options on disjoint shards) can be merged"
            )
        merged = Evaluation(self.jobs, self.columns, self.options)
        merged.rows_read = self.rows_read + other.rows_read
        merged.rows_skipped = self.rows_skipped + other.rows_skipped
        for job in self.jobs:
            merged.overall[job.label] = self.overall[job.label].merge(other.overall[job.label])
            slices = dict(self.slices[job.label])
            for key, state in other.slices[job.label].items():
                slices[key] = slices[key].merge(state) if key in slices else state
            merged.slices[job.label] = slices
        return merged

    def difference(self, other: Evaluation) -> str | None:
        """What keeps ``other`` from being merged into this evaluation, if anything."""
        mine, theirs = [j.label for j in self.jobs], [j.label for j in other.jobs]
        if mine != theirs:
            return f"their losses ({', '.join(mine)} vs {', '.join(theirs)})"
        options, others = self.options.to_dict(), other.options.to_dict()
        for name, value in options.items():
            if others.get(name) != value:
                option = "--ci" if name == "level" else f"--{name.replace('_', '-')}"
                return f"{option} ({value!r} vs {others.get(name)!r})"
        return None


def slice_label(group_by: Sequence[str], key: SliceKey) -> str:
    """``region=north, tier=2``."""
    return ", ".join(f"{name}={value}" for name, value in zip(group_by, key, strict=True))


def _subset(evaluated: BatchValues, select: np.ndarray) -> BatchValues:
    """The kept rows of a batch that fall in one slice."""
    assert evaluated.values is not None
    return BatchValues(
        rows_in=int(np.count_nonzero(select)),
        kept=None,
        values=evaluated.values[select],
        mask=None if evaluated.mask is None else evaluated.mask[select],
        weights=None if evaluated.weights is None else evaluated.weights[select],
    )


def _column_values(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_integer(column.type) and not column.null_count:
        return np.asarray(column.to_numpy(zero_copy_only=False))
    return np.asarray([str(value) for value in column.to_pylist()])


def _sortable(key: SliceKey) -> tuple[Any, ...]:
    return tuple(
        (value is None, str(type(value)), value if value is not None else 0) for value in key
    )


def _jsonable(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def write_state(path: str, evaluation: Evaluation) -> None:
    """Write an evaluation's state as JSON (atomically)."""
    from losscli.atomic import atomic_output

    with atomic_output(path) as file:
        json.dump(evaluation.to_state(), file, allow_nan=True)


def read_state(path: str) -> Evaluation:
    """Read a state file written by :func:`write_state`.

    Raises:
        InputFileError: the file is missing or unreadable, not a state file, of another version,
            or damaged; the message names the file.
    """
    again = "write it again with losscli evaluate --emit-state"
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except OSError as exc:
        raise InputFileError(f"cannot read state {path!r}: {os_reason(exc)}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "it is not UTF-8 text"
        raise InputFileError(f"{path!r} is not a state file (invalid JSON: {detail})") from None
    if not isinstance(data, dict) or data.get("kind") != STATE_KIND:
        raise InputFileError(
            f"{path!r} is not a losscli evaluate state file; write one with "
            "losscli evaluate --emit-state FILE"
        )
    if data.get("version") != STATE_VERSION:
        raise InputFileError(
            f"{path!r} is a state file of version {data.get('version')!r}, but this losscli "
            f"reads version {STATE_VERSION}; {again}"
        )
    try:
        return Evaluation.from_state(data)
    except LossCliError as exc:
        raise InputFileError(f"state file {path!r}: {exc}") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        defect = f"no {exc.args[0]!r} entry" if isinstance(exc, KeyError) else reason(exc)
        raise InputFileError(f"state file {path!r} is damaged ({defect}); {again}") from None


def merge_state_files(paths: Sequence[str]) -> Evaluation:
    """The evaluation the state files at ``paths`` (disjoint shards) make together.

    Raises:
        InputFileError: a file cannot be read, or does not fit the first one (other losses or
            options); the message names both.
    """
    merged = read_state(paths[0])
    for path in paths[1:]:
        other = read_state(path)
        difference = merged.difference(other)
        if difference is not None:
            raise InputFileError(
                f"state files {paths[0]!r} and {path!r} differ in {difference}; only states of "
                "one evaluation (the same losses and options on disjoint shards) can be merged"
            )
        merged = merged.merge(other)
    return merged


def _write_reason(exc: OSError) -> str:
    """Why a file could not be written; a missing file there means a missing directory."""
    if isinstance(exc, FileNotFoundError):
        return "no such directory"
    reason = os_reason(exc)
    return reason[:1].lower() + reason[1:]


def _count(value: Any, name: str) -> int:
    """A row count from a state file: a non-negative integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a row count, not {value!r}")
    return value
