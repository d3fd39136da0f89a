"""``losscli evaluate``: many losses, slices and bootstrap intervals in one pass."""

from __future__ import annotations

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
from losscli.cli.config import config_callback
from losscli.cli.context import IOContext
from losscli.cli.engine_choice import check_engine, cluster
from losscli.cli.options import parse_class_weight, parse_losses
from losscli.cli.output import progress
from losscli.errors import UsageError
from losscli.state import REDUCTIONS

# Config-file keys that differ from the option's parameter name.
CONFIG_KEYS = {
    "loss": "losses",
    "param": "params",
    "fail_if": "gates",
    "format": "fmt",
    "ci": "level",
}


@click.command("evaluate")
@click.option(
    "--config",
    is_eager=True,
    expose_value=False,
    type=click.Path(dir_okay=False),
    callback=config_callback("evaluate", CONFIG_KEYS),
    help="Defaults for these options from a TOML file ([evaluate] in losscli.toml, or "
    "[tool.losscli.evaluate] in pyproject.toml).",
)
@input_options
@loss_options("EVALUATE")
@click.option(
    "--reduction",
    type=click.Choice([r for r in REDUCTIONS if r != "none"]),
    default=None,
    help="Reduction [default: the loss's reference, Keras: sum_over_batch_size].",
)
@column_options
@policy_options
@click.option(
    "--group-by",
    multiple=True,
    shell_complete=complete_columns,
    help="Slice by this column (repeatable: crossed); a row per slice plus 'overall'.",
)
@click.option(
    "--min-slice-rows",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="Flag (not drop) slices with fewer rows.",
)
@click.option(
    "--ci",
    "level",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    help="Confidence intervals at this level (e.g. 0.95) by the Poisson bootstrap.",
)
@click.option("--replicates", type=click.IntRange(min=10), default=1000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap.")
@click.option(
    "--cluster-by",
    shell_complete=complete_columns,
    help="One bootstrap weight per value of this column (for correlated rows).",
)
@click.option(
    "--emit-state",
    type=click.Path(dir_okay=False),
    help="Also write the partial state (JSON) for `losscli merge`.",
)
@engine_options
@output_options(
    "EVALUATE",
    "Exit 1 when it holds: 'mse>0.3', 'ci_high(mse)>0.3', 'max_slice(mae)>2'. Repeatable.",
)
def evaluate_command(
    inputs: tuple[str, ...],
    batch_size: int,
    input_format: str | None,
    delimiter: str | None,
    storage_options: tuple[str, ...],
    threads: int | None,
    losses: tuple[str, ...],
    params: tuple[str, ...],
    reduction: str | None,
    y_true: str | None,
    y_pred: str | None,
    sample_weight: str | None,
    class_weight: str | None,
    nan: str,
    dtype: str | None,
    group_by: tuple[str, ...],
    min_slice_rows: int,
    level: float | None,
    replicates: int,
    seed: int,
    cluster_by: str | None,
    emit_state: str | None,
    engine: str,
    scheduler: str | None,
    dask_dashboard: bool,
    fmt: str,
    output: str | None,
    gates: tuple[str, ...],
    quiet: bool,
    debug: bool,
) -> None:
    """Evaluate losses of the predictions in INPUT: slices, intervals and CI gates.

    Every loss, slice and bootstrap replicate is computed in the same single pass, in memory
    bounded by --batch-size; --emit-state writes a state that `losscli merge` combines with
    those of other shards.
    """
    del debug
    # Imported here, not at the top, so `losscli evaluate --help` loads no NumPy or pyarrow.
    from losscli.allocator import keep_freed_buffers
    from losscli.cli.report_output import check_outputs, emit_evaluation, fail_on_gates
    from losscli.evaluate import EvaluateOptions, Evaluation, write_state
    from losscli.gates import Gate, check_gates
    from losscli.io.columns import ColumnRequest, require_columns, resolve_columns
    from losscli.io.sources import InputSpec, open_source
    from losscli.parallel import default_threads, map_ordered
    from losscli.pipeline import make_jobs
    from losscli.weights import parse_class_weight as validate_class_weight

    keep_freed_buffers()
    io = IOContext(quiet=quiet)
    on_dask = check_engine(engine, dask_dashboard)
    if not losses:
        raise UsageError("no loss to evaluate: pass --loss (or set loss in --config)")
    jobs = make_jobs(parse_losses(losses, params))
    parsed_gates = [Gate.parse(text) for text in gates]
    check_outputs(output, emit_state)
    options = EvaluateOptions(
        reduction=reduction,
        dtype=dtype,
        nan=nan,
        class_weight=validate_class_weight(parse_class_weight(class_weight))
        if class_weight
        else None,
        batch_size=batch_size,
        group_by=tuple(group_by),
        cluster_by=cluster_by,
        level=level,
        replicates=replicates,
        seed=seed,
        min_slice_rows=min_slice_rows,
    )
    spec = InputSpec(
        paths=inputs or ("-",),
        input_format=input_format,
        delimiter=delimiter,
        batch_size=batch_size,
        storage_options=storage_options,
    )
    with open_source(spec, note=io.note) as source:
        where = source.description
        require_columns(group_by, source.schema, "--group-by", source=where, grouped=True)
        require_columns(
            [cluster_by] if cluster_by else [], source.schema, "--cluster-by", source=where
        )
        extra_columns = (*group_by, *((cluster_by,) if cluster_by else ()))
        columns = resolve_columns(
            ColumnRequest(y_true, y_pred, sample_weight, keep=tuple(dict.fromkeys(extra_columns))),
            source.schema,
            io.note,
            source=where,
        )
        evaluation = Evaluation(jobs, columns, options)
        with progress(io, source) as advance, source.naming_errors():
            if on_dask:
                from losscli.distributed.engine import evaluate_on_cluster

                with cluster(io, scheduler, dask_dashboard) as client:
                    evaluate_on_cluster(client, evaluation, source, spec, on_rows=advance)
            else:
                parts = source.parts(columns.needed)
                threads = threads or default_threads()
                for partial in map_ordered(evaluation.compute_part, parts, threads=threads):
                    evaluation.absorb(partial)
                    if advance is not None:
                        advance(partial.rows_read)
        description = source.description
    if emit_state:
        write_state(emit_state, evaluation)
    report = evaluation.report([description])
    failures = check_gates(parsed_gates, report)  # before printing: a bad gate prints nothing
    emit_evaluation(io, report, fmt, output)
    fail_on_gates(failures)
