"""The ``losscli`` command line: a thin layer that parses options, calls the API, renders."""

from __future__ import annotations

import sys

import click

from losscli import __version__
from losscli.cli.app import LossCliGroup
from losscli.cli.list_cmd import list_command


@click.group(cls=LossCliGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="losscli")
def main() -> None:
    """Exact, Keras-compatible losses for saved predictions."""


main.add_command(list_command)


def run() -> None:  # pragma: no cover - console entry for python -m
    sys.exit(main())
