"""Writing results: atomic files and the progress bar, for every command."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from losscli.cli.context import IOContext
from losscli.errors import UsageError

PROGRESS_MIN_ROWS = 2_000_000
PROGRESS_MIN_BYTES = 64 * 1024 * 1024


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file (see :mod:`losscli.atomic`)."""
    from losscli.atomic import atomic_output

    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"cannot write {str(path)!r}: no such directory")
    with atomic_output(path) as file:
        file.write(text)


@contextlib.contextmanager
def progress(io: IOContext, source) -> Iterator[Callable[[int], None] | None]:
    """A transient progress bar on stderr, only on a terminal and for big inputs."""
    total = source.total_rows
    big = (total or 0) >= PROGRESS_MIN_ROWS or (source.total_bytes or 0) >= PROGRESS_MIN_BYTES
    if io.quiet or not io.stderr_is_terminal or not big:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeRemainingColumn(),
        console=io.console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(source.description, total=total)
        yield lambda rows: bar.advance(task, rows)
