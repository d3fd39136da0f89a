"""IOContext: where output goes and how chatty to be, in one object tests can fake."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, BinaryIO, TextIO

import click

from losscli.cli.oneline import one_line


@dataclass
class IOContext:
    """Streams, terminal detection, colour and quiet policy for one command run."""

    quiet: bool = False
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)

    @property
    def stdout_is_terminal(self) -> bool:
        return _isatty(self.stdout)

    @property
    def stderr_is_terminal(self) -> bool:
        return _isatty(self.stderr)

    @property
    def color(self) -> bool:
        return "NO_COLOR" not in os.environ

    @property
    def binary_stdout(self) -> BinaryIO:
        return getattr(self.stdout, "buffer", None) or sys.stdout.buffer

    def note(self, message: str) -> None:
        """A one-line remark on stderr (hidden by -q)."""
        if not self.quiet:
            click.echo(f"losscli: note: {one_line(message)}", err=True)

    def console(self, *, stderr: bool = False) -> Any:
        """A rich console on stdout or stderr that honours NO_COLOR."""
        from rich.console import Console

        return Console(
            file=self.stderr if stderr else self.stdout,
            no_color=not self.color,
            highlight=False,
        )


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
