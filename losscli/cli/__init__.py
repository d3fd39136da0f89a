"""The ``losscli`` command line: a thin layer that parses options, calls the API, renders.

Every option can also come from an environment variable ``LOSSCLI_<COMMAND>_<OPTION>``
(e.g. ``LOSSCLI_COMPUTE_BATCH_SIZE``), which suits CI jobs.
"""

from __future__ import annotations

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

import click

from losscli import __version__
from losscli.cli.app import LossCliGroup
from losscli.cli.compare_cmd import compare_command
from losscli.cli.compute_cmd import compute_command
from losscli.cli.curve_cmd import curve_command
from losscli.cli.describe_cmd import describe_command
from losscli.cli.doctor_cmd import doctor_command
from losscli.cli.evaluate_cmd import evaluate_command
from losscli.cli.list_cmd import list_command
from losscli.cli.merge_cmd import merge_command
from losscli.cli.penalty_cmd import penalty_command


def _versions() -> str:
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


@click.group(
    cls=LossCliGroup,
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


for _command in (
    compute_command,
    evaluate_command,
    merge_command,
    compare_command,
    doctor_command,
    list_command,
    describe_command,
    curve_command,
    penalty_command,
):
    for _param in _command.params:
        if isinstance(_param, click.Option):
            _param.show_envvar = True
    main.add_command(_command)


def run() -> None:  # pragma: no cover - console entry for python -m
    sys.exit(main())
