"""``losscli compute``: losses of prediction files, streamed in bounded memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from losscli.cli.common import (
    column_options,
    engine_options,
    input_options,
    loss_options,
    output_options,
    policy_options,
)
from losscli.cli.completion import complete_columns
from losscli.cli.context import IOContext
from losscli.cli.engine_choice import check_engine, cluster
from losscli.cli.options import parse_class_weight, parse_losses
from losscli.cli.output import check_writable, progress, write_atomically
from losscli.errors import EXIT_GATE_FAILED, OutputError, UsageError
from losscli.losses.spec import Scope
from losscli.objective import Objective
from losscli.render import render
from losscli.state import REDUCTIONS

if TYPE_CHECKING:
    from losscli.report import ComputeReport

SUMMARY_EXTENSIONS = {".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown"}


@click.command("compute")
@input_options
@loss_options("COMPUTE")
@click.option(
    "--objective",
    help="A weighted total, e.g. 'bce*0.7 + dice*0.3' (terms may be col:NAME columns).",
)
@click.option(
    "--loss-weight",
    "loss_weights",
    type=float,
    multiple=True,
    envvar="LOSSCLI_COMPUTE_LOSS_WEIGHT",
    help="Weight of each --loss in a total (Keras loss_weights), one per --loss.",
)
@click.option(
    "--reduction",
    type=click.Choice(REDUCTIONS),
    default=None,
    help="Reduction [default: the loss's reference, Keras: sum_over_batch_size]; "
    "'none' writes one row per sample.",
)
@column_options
@click.option(
    "--keep",
    multiple=True,
    shell_complete=complete_columns,
    help="Column carried into per-sample output (e.g. an id). Repeatable.",
)
@policy_options
@engine_options
@output_options("COMPUTE", "Exit 1 when a loss crosses a threshold, e.g. 'huber>0.3'. Repeatable.")
def compute_command(
    inputs: tuple[str, ...],
    losses: tuple[str, ...],
    params: tuple[str, ...],
    objective: str | None,
    loss_weights: tuple[float, ...],
    reduction: str | None,
    y_true: str | None,
    y_pred: str | None,
    sample_weight: str | None,
    class_weight: str | None,
    keep: tuple[str, ...],
    nan: str,
    dtype: str | None,
    batch_size: int,
    input_format: str | None,
    delimiter: str | None,
    storage_options: tuple[str, ...],
    threads: int | None,
    engine: str,
    scheduler: str | None,
    dask_dashboard: bool,
    fmt: str,
    output: str | None,
    gates: tuple[str, ...],
    quiet: bool,
    debug: bool,
) -> None:
    """Compute losses of the predictions in INPUT files (CSV, Parquet, Arrow, JSON Lines).

    Several files, a directory or a glob are one dataset; '-' (or no INPUT with data piped
    in) reads stdin. Every loss is computed in the same single pass, in memory bounded by
    --batch-size.
    """
    del debug  # handled by the group
    # Imported here, not at the top, so `losscli compute --help` loads no NumPy or pyarrow.
    from losscli.allocator import keep_freed_buffers
    from losscli.gates import Gate, check_gate_names, check_gates
    from losscli.io.columns import ColumnRequest, resolve_columns
    from losscli.io.sources import InputSpec, open_source
    from losscli.parallel import default_threads
    from losscli.pipeline import ComputeOptions, DatasetComputation, make_jobs, run
    from losscli.weights import parse_class_weight as validate_class_weight

    keep_freed_buffers()
    io = IOContext(quiet=quiet)
    on_dask = check_engine(engine, dask_dashboard)
    threads = threads or default_threads()
    total = _objective(losses, objective, loss_weights)
    sources = list(dict.fromkeys([*losses, *(total.loss_sources if total else [])]))
    if not sources:
        raise UsageError("no loss to compute: pass --loss (or --objective)")
    parsed = parse_losses(sources, params)
    jobs = make_jobs(parsed)
    labels = {source: str(loss) for source, loss in zip(sources, parsed, strict=True)}
    if total:
        labels.update({f"col:{name}": f"col:{name}" for name in total.columns})
    parsed_gates = [Gate.parse(text) for text in gates]
    computed = [(job.label, job.loss.name) for job in jobs]
    if total:
        computed += [(name, name) for name in labels if name.startswith("col:")]
        computed.append((f"objective = {total.text(labels)}", "objective"))
    check_gate_names(parsed_gates, computed)
    weights_by_class = (
        validate_class_weight(parse_class_weight(class_weight)) if class_weight else None
    )
    options = ComputeOptions(
        reduction=reduction,
        dtype=dtype,
        nan=nan,
        class_weight=weights_by_class,
        batch_size=batch_size,
    )
    per_sample = options.reduction == "none"
    if per_sample and fmt in ("table", "markdown"):
        raise UsageError(
            "per-sample output (--reduction none) is CSV or JSON Lines (--format json)"
        )
    if parsed_gates and per_sample:
        raise UsageError("--fail-if needs a reduced value; drop --reduction none")
    if on_dask and per_sample and not output:
        raise UsageError(
            "per-sample output with --engine dask is a directory of Parquet parts: pass -o DIR"
        )
    if output and not per_sample:  # per-sample files are checked when their sink opens
        _summary_format(output)
        check_writable(output)
    divides_by_rows = any(job.loss.default_reduction == "sum_over_batch_size" for job in jobs)
    if (sample_weight or class_weight) and reduction is None and divides_by_rows:
        io.note(
            "weights given: the default reduction sum_over_batch_size divides by the row count; "
            "--reduction mean_with_sample_weight divides by the weight sum"
        )

    spec = InputSpec(
        paths=inputs or ("-",),
        input_format=input_format,
        delimiter=delimiter,
        batch_size=batch_size,
        storage_options=storage_options,
    )
    computation_holder: list[DatasetComputation] = []
    with open_source(spec, note=io.note, spool_stdin=_needs_two_passes(jobs)) as source:
        extra = tuple(total.columns) if total else ()
        columns = resolve_columns(
            ColumnRequest(y_true, y_pred, sample_weight, keep, extra),
            source.schema,
            io.note,
            source=source.description,
        )
        computation = DatasetComputation(jobs, columns, options)
        computation_holder.append(computation)
        for job in jobs:
            if job.loss.scope is Scope.BATCH:
                io.note(
                    f"{job.label} compares rows within a batch: computed per batch of "
                    f"{batch_size} rows (--batch-size), as Keras does per training batch"
                )
        with progress(io, source) as advance, source.naming_errors():
            if on_dask:
                _compute_on_dask(
                    io,
                    computation,
                    source,
                    spec,
                    advance,
                    scheduler,
                    dask_dashboard,
                    output if per_sample else None,
                )
            elif per_sample:
                _write_per_sample(io, computation, source, output, fmt, advance, threads)
            else:
                run(computation, source, threads=threads, on_batch=advance)
        if per_sample:
            return
        report = computation.report([source.description], notes=())
    if total:
        by_label = {result.label: result for result in report.results}
        report = replace(report, results=(*report.results, total.summary(by_label, labels)))
    failures = check_gates(parsed_gates, report)
    _emit_summary(io, report, fmt, output)
    for message in failures:
        click.echo(f"losscli: {message}", err=True)
    if failures:
        raise SystemExit(EXIT_GATE_FAILED)


def _objective(
    losses: Sequence[str], objective: str | None, weights: Sequence[float]
) -> Objective | None:
    """The weighted total asked for, by --objective or by --loss-weight."""
    if objective and weights:
        raise UsageError("give either --objective or --loss-weight, not both")
    if objective:
        return Objective.parse(objective)
    if weights:
        return Objective.from_weights(losses, weights)
    return None


def _needs_two_passes(jobs: Sequence) -> bool:
    return any(job.loss.spec.dataset_scan is not None for job in jobs)


def _compute_on_dask(io, computation, source, spec, advance, scheduler, dashboard, output):
    from losscli.distributed.engine import compute_on_cluster

    with cluster(io, scheduler, dashboard) as client:
        compute_on_cluster(client, computation, source, spec, on_rows=advance, output_dir=output)
    if output:
        rows = computation.report([source.description]).rows_read
        io.note(f"wrote {rows} rows to {output}/ (one Parquet file per part)")


def _write_per_sample(io, computation, source, output, fmt, advance, threads) -> None:
    from losscli.io.sinks import open_sink
    from losscli.pipeline import run

    sink_fmt = None if output else ("jsonl" if fmt == "json" else "csv")
    with open_sink(output, fmt=sink_fmt, stdout=None if output else io.binary_stdout) as sink:
        run(
            computation,
            source,
            threads=threads,
            on_output=lambda table: [sink.write(batch) for batch in table.to_batches()],
            on_batch=advance,
        )
    if output:
        rows = computation.report([source.description]).rows_read
        io.note(f"wrote {rows} rows to {output}")


def _summary_format(output: str) -> str:
    """The summary format ``output``'s extension names."""
    suffix = Path(output).suffix.lower()
    if suffix not in SUMMARY_EXTENSIONS:
        raise OutputError(
            f"cannot tell the summary format of {output!r}; use .json, .csv or .md "
            "(per-sample files need --reduction none)"
        )
    return SUMMARY_EXTENSIONS[suffix]


def _emit_summary(io: IOContext, report: ComputeReport, fmt: str, output: str | None) -> None:
    if output:
        text = render(report, _summary_format(output))
        assert text is not None
        write_atomically(Path(output), text)
        return
    if fmt == "auto":
        fmt = "table" if io.stdout_is_terminal else "json"
    if fmt == "table":
        render(report, "table", console=io.console())
        return
    text = render(report, fmt)
    assert text is not None
    click.echo(text, nl=False)
