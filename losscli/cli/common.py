"""Options shared by the commands that read predictions (compute, evaluate, doctor, compare).

Each function returns a decorator adding a group of options, so every command spells them the
same way; ``command`` names the environment variables (``LOSSCLI_<COMMAND>_<OPTION>``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from losscli.cli.completion import complete_columns, complete_losses
from losscli.defaults import DEFAULT_BATCH_SIZE

F = TypeVar("F", bound=Callable[..., Any])


def _apply(function: F, decorators: list[Callable[[F], F]]) -> F:
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def input_options(function: F) -> F:
    """INPUT... and how to read them."""
    return _apply(
        function,
        [
            click.argument("inputs", nargs=-1, type=click.Path(), metavar="[INPUT]..."),
            click.option(
                "--batch-size",
                type=click.IntRange(min=1),
                default=DEFAULT_BATCH_SIZE,
                show_default=True,
                help="Rows per batch (memory bound; the batch of batch-scope losses).",
            ),
            click.option(
                "--input-format",
                type=click.Choice(["csv", "tsv", "parquet", "arrow", "jsonl"]),
                help="Input format, overriding the extension and the first bytes.",
            ),
            click.option("--delimiter", help="CSV delimiter [default: sniffed]."),
            storage_option(),
            click.option(
                "--threads",
                type=click.IntRange(min=1),
                help="Threads decoding and computing parts of the input in parallel "
                "[default: the CPUs available]. The result does not depend on it.",
            ),
        ],
    )


def storage_option() -> Callable[[F], F]:
    """--storage-option KEY=VALUE (repeatable): how to reach remote inputs."""
    return click.option(
        "--storage-option",
        "storage_options",
        multiple=True,
        metavar="KEY=VALUE",
        help="How to reach remote inputs (s3://, gs://, az://, https://): e.g. endpoint_url=URL, "
        "region=R, anonymous=true. Repeatable; credentials come from the environment.",
    )


def engine_options(function: F) -> F:
    """--engine, --scheduler and --dask-dashboard (Dask is imported only when asked for)."""
    return _apply(
        function,
        [
            click.option(
                "--engine",
                type=click.Choice(["local", "dask"]),
                default="local",
                show_default=True,
                help="Where to compute: threads here, or tasks on a Dask cluster "
                "(pip install 'losscli[dask]'). The result does not depend on it.",
            ),
            click.option(
                "--scheduler",
                envvar="LOSSCLI_DASK_SCHEDULER",
                metavar="ADDRESS",
                help="Dask scheduler to use, e.g. tcp://host:8786 [default: a local cluster "
                "started for the command].",
            ),
            click.option(
                "--dask-dashboard",
                is_flag=True,
                help="Print the Dask dashboard's URL (on stderr).",
            ),
        ],
    )


def loss_options(command: str) -> Callable[[F], F]:
    """-l/--loss and -p/--param."""

    def decorate(function: F) -> F:
        return _apply(
            function,
            [
                click.option(
                    "-l",
                    "--loss",
                    "losses",
                    multiple=True,
                    envvar=f"LOSSCLI_{command}_LOSS",
                    shell_complete=complete_losses,
                    help="Loss name or alias, 'name:param=value,...', a Keras config as JSON, "
                    "or FILE.py:NAME. Repeatable.",
                ),
                click.option(
                    "-p",
                    "--param",
                    "params",
                    multiple=True,
                    metavar="NAME=VALUE",
                    envvar=f"LOSSCLI_{command}_PARAM",
                    help="Parameter of the loss.",
                ),
            ],
        )

    return decorate


def column_options(function: F) -> F:
    """Which columns hold y_true, y_pred and weights."""
    return _apply(
        function,
        [
            click.option(
                "--y-true",
                shell_complete=complete_columns,
                help="y_true column(s): a, a,b or a glob.",
            ),
            click.option(
                "--y-pred",
                shell_complete=complete_columns,
                help="y_pred column(s): a, a,b or 'p_*'.",
            ),
            click.option(
                "--sample-weight", shell_complete=complete_columns, help="Column of sample weights."
            ),
            click.option(
                "--class-weight", help="Class weights: '0=1.0,1=3.5', a JSON object or @file.json."
            ),
        ],
    )


def policy_options(function: F) -> F:
    """--nan and --dtype."""
    return _apply(
        function,
        [
            click.option(
                "--nan",
                type=click.Choice(["error", "skip", "propagate"]),
                default="error",
                show_default=True,
                help="Rows with NaN/inf in y_true, y_pred or weights.",
            ),
            click.option(
                "--dtype",
                type=click.Choice(["float32", "float64"]),
                default=None,
                help="Arithmetic; default: the loss's reference (float32 for Keras losses).",
            ),
        ],
    )


def output_options(command: str, gate_help: str) -> Callable[[F], F]:
    """--format, -o, --fail-if, -q and --debug."""

    def decorate(function: F) -> F:
        return _apply(
            function,
            [
                click.option(
                    "--format",
                    "fmt",
                    envvar=f"LOSSCLI_{command}_FORMAT",
                    type=click.Choice(["auto", "table", "json", "csv", "markdown"]),
                    default="auto",
                    show_default=True,
                    help="Summary format; auto = table on a terminal, JSON otherwise.",
                ),
                click.option(
                    "-o",
                    "--output",
                    type=click.Path(dir_okay=False),
                    help="Write to this file instead of stdout (format from the extension), "
                    "atomically.",
                ),
                click.option(
                    "--fail-if",
                    "gates",
                    multiple=True,
                    envvar=f"LOSSCLI_{command}_FAIL_IF",
                    metavar="GATE",
                    help=gate_help,
                ),
                click.option("-q", "--quiet", is_flag=True, help="No notes or progress on stderr."),
                click.option("--debug", is_flag=True, help="Show tracebacks of errors."),
            ],
        )

    return decorate
