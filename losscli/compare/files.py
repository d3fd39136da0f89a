"""``compare_inputs``: compare two models over files, streamed through the paired computation.

It opens the inputs, resolves their columns (:mod:`losscli.compare.layout`), pairs their rows
(:mod:`losscli.io.join`), feeds every paired batch to a :class:`PairedComputation`, and reports.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

from losscli.compare.engine import PairedComputation
from losscli.compare.feeding import feed_paired, paired_targets
from losscli.compare.layout import Layout, resolve_layout
from losscli.compare.options import CompareOptions
from losscli.compare.request import CompareRequest
from losscli.compare.results import ComparisonReport
from losscli.errors import ColumnError, InputDataError, UsageError
from losscli.io.join import (
    AlignedPairs,
    KeyedJoin,
    SameFilePairs,
)
from losscli.io.sources import BatchSource, InputSpec, open_source
from losscli.losses import Loss
from losscli.losses.spec import Scope, Target
from losscli.pipeline import MAX_PAIRWISE_BATCH, LossJob, make_jobs

__all__ = ["compare_inputs"]

_Pairs = AlignedPairs | KeyedJoin | SameFilePairs


def compare_inputs(
    losses: Sequence[Loss],
    request: CompareRequest,
    options: CompareOptions,
    *,
    note: Callable[[str], None] = lambda message: None,
    stdin: BinaryIO | None = None,
    temp_dir: str | None = None,
    rows_per_partition: int | None = None,
    client: Any = None,
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
        client: a ``dask.distributed.Client``: compute the parts on its cluster (one input
            with both models, or ``aligned`` inputs; see :mod:`losscli.distributed.compare`).

    Raises:
        UsageError: the request is inconsistent (see :meth:`CompareRequest.validate`).
        InputDataError: an input is unreadable, a column is missing, keys repeat, y_true
            differs between the inputs, or no rows pair up.
    """
    request.validate()
    jobs = make_jobs(losses)
    _check_jobs(jobs, request.mode, options.batch_size)
    if client is not None:
        from losscli.distributed.compare import check_cluster_request

        check_cluster_request(request, jobs)
    computation = PairedComputation(jobs, options, group_by=request.group_by)
    needs_two_passes = computation.needs_scan and request.mode != "key"
    with contextlib.ExitStack() as stack:

        def opened(path: str) -> tuple[BatchSource, InputSpec]:
            spec = InputSpec(
                paths=(path,),
                batch_size=options.batch_size,
                storage_options=request.storage_options,
            )
            source = open_source(spec, stdin=stdin, spool_stdin=needs_two_passes, note=note)
            return stack.enter_context(source), spec

        new, new_spec = opened(request.new)
        old_input = None if request.old is None else opened(request.old)
        old = None if old_input is None else old_input[0]
        layout = resolve_layout(request, new, old, note)
        if old is None and request.key and request.key not in new.schema.names:
            raise InputDataError(f"no key column {request.key!r} in {new.description}")
        pads = any(job.loss.spec.target is Target.SEQUENCE for job in jobs)
        if client is not None:
            from losscli.distributed.compare import compare_on_cluster

            counts = compare_on_cluster(
                client, computation, layout, (new, new_spec), old_input, key=request.key, pads=pads
            )
        else:
            pairs = stack.enter_context(
                _pairing(
                    request, layout, new, old, options.batch_size, rows_per_partition, temp_dir
                )
            )
            if computation.needs_scan:
                computation.scan(paired_targets(layout, pairs.batches()))
            for paired in pairs.batches():
                feed_paired(computation, paired, layout, pads=pads, keyed=request.mode == "key")
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


def _check_jobs(jobs: Sequence[LossJob], mode: str, batch_size: int) -> None:
    """Refuse batch-scope losses where their batches would not be the user's."""
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


def _pairing(
    request: CompareRequest,
    layout: Layout,
    new: BatchSource,
    old: BatchSource | None,
    batch_size: int,
    rows_per_partition: int | None,
    temp_dir: str | None,
) -> _Pairs:
    """The pairing the request names: within one input, by position, or by key."""
    if old is None:
        if request.key and request.key not in new.schema.names:
            raise ColumnError(f"no key column {request.key!r} in {new.description}")
        return SameFilePairs(
            new, layout.same_file_columns(), batch_size=batch_size, key=request.key
        )
    if request.aligned:
        return AlignedPairs(
            new, old, layout.new, layout.old, batch_size=batch_size, check=layout.check
        )
    assert request.key is not None
    return KeyedJoin(
        new,
        old,
        request.key,
        layout.new,
        layout.old,
        batch_size=batch_size,
        check=layout.check,
        rows_per_partition=rows_per_partition,
        temp_dir=temp_dir,
    )
