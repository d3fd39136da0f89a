"""The ``losscli`` command line: a thin layer that parses options, calls the API, renders.

Every option can also come from an environment variable ``LOSSCLI_<COMMAND>_<OPTION>``
(e.g. ``LOSSCLI_COMPUTE_BATCH_SIZE``), which suits CI jobs.

Subcommands are imported only when used (see :mod:`losscli.cli.lazy`), so ``losscli --help``
and ``losscli list`` start without NumPy, pyarrow or pandas.
"""

from __future__ import annotations

import platform

import click

from losscli import __version__
from losscli.cli.app import LossCliGroup
from losscli.cli.lazy import LazyCommand, LazyCommands

COMMANDS = {
    "compute": LazyCommand(
        "losscli.cli.compute_cmd:compute_command",
        "Compute losses of the predictions in INPUT files (CSV, Parquet, Arrow, JSON Lines).",
    ),
    "evaluate": LazyCommand(
        "losscli.cli.evaluate_cmd:evaluate_command",
        "Evaluate losses of the predictions in INPUT: slices, intervals and CI gates.",
    ),
    "merge": LazyCommand(
        "losscli.cli.merge_cmd:merge_command",
        "Merge `losscli evaluate --emit-state` files of disjoint shards: the same report and "
        "gates as one pass over all their rows.",
    ),
    "compare": LazyCommand(
        "losscli.cli.compare_cmd:compare_command",
        "Compare a NEW model's predictions with an OLD model's on the same targets.",
    ),
    "doctor": LazyCommand(
        "losscli.cli.doctor_cmd:doctor_command",
        "Check the predictions in INPUT files for what makes losses wrong or NaN, "
        "and suggest a loss.",
    ),
    "list": LazyCommand(
        "losscli.cli.list_cmd:list_command",
        "List every loss with its aliases, target kind and parameters.",
    ),
    "describe": LazyCommand(
        "losscli.cli.describe_cmd:describe_command",
        "Describe the loss NAME (a name, an alias, or FILE.py:FUNCTION).",
    ),
    "curve": LazyCommand(
        "losscli.cli.curve_cmd:curve_command",
        "Draw the loss curves of a training LOG and report what they show.",
    ),
    "penalty": LazyCommand(
        "losscli.cli.penalty_cmd:penalty_command",
        "Sum the Keras regularization penalty over the arrays of WEIGHTS.npz.",
    ),
}
"""Every subcommand: where it lives and the first sentence of its help (for ``--help``)."""


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = [f"python {platform.python_version()}"]
    for package in ("numpy", "pyarrow", "click", "rich"):
        try:
            parts.append(f"{package} {version(package)}")
        except PackageNotFoundError:  # pragma: no cover - all are dependencies
            parts.append(f"{package} missing")
    return ", ".join(parts)


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"losscli {__version__} ({_versions()}; {platform.platform()})")
    ctx.exit()


def _show_envvars(command: click.Command) -> None:
    """List each option's environment variable in the command's --help."""
    for param in command.params:
        if isinstance(param, click.Option):
            param.show_envvar = True


@click.group(
    cls=LossCliGroup,
    commands=LazyCommands(COMMANDS, on_load=_show_envvars),
    context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "LOSSCLI"},
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version of losscli and of its main libraries (for bug reports), then exit.",
)
def main() -> None:
    """Exact, Keras-compatible losses for saved predictions.

    \b
    losscli compute --loss huber preds.parquet
    losscli list
    """


def run() -> None:
    """The losscli process (``losscli``, ``python -m losscli``): signals handled, then main."""
    from losscli.cli import interrupts

    interrupts.install()
    main(prog_name="losscli")
