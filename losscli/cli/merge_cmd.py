"""``losscli merge STATE...``: combine the states of shards into one report and its gates."""

from __future__ import annotations

import click

from losscli.cli.context import IOContext


@click.command("merge")
@click.argument("states", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "table", "json", "csv", "markdown"]),
    default="auto",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--fail-if", "gates", multiple=True, metavar="GATE", help="As in evaluate.")
@click.option("--emit-state", type=click.Path(dir_okay=False), help="Write the merged state.")
@click.option("-q", "--quiet", is_flag=True)
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
def merge_command(
    states: tuple[str, ...],
    fmt: str,
    output: str | None,
    gates: tuple[str, ...],
    emit_state: str | None,
    quiet: bool,
    debug: bool,
) -> None:
    """Merge `losscli evaluate --emit-state` files of disjoint shards: the same report and
    gates as one pass over all their rows."""
    del debug
    # Imported here, not at the top, so `losscli merge --help` loads no NumPy or pyarrow.
    from losscli.cli.report_output import check_outputs, emit_evaluation, fail_on_gates
    from losscli.evaluate import merge_state_files, write_state
    from losscli.gates import Gate, check_gates

    parsed_gates = [Gate.parse(text) for text in gates]
    check_outputs(output, emit_state)
    merged = merge_state_files(states)
    if emit_state:
        write_state(emit_state, merged)
    report = merged.report(list(states))
    failures = check_gates(parsed_gates, report)  # before printing: a bad gate prints nothing
    emit_evaluation(IOContext(quiet=quiet), report, fmt, output)
    fail_on_gates(failures)
