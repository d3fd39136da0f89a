"""Writing results: atomic files and the progress bar, for every command."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from losscli.cli.context import IOContext
from losscli.errors import UsageError

PROGRESS_MIN_ROWS = 2_000_000
PROGRESS_MIN_BYTES = 64 * 1024 * 1024


def write_atomically(path: Path, text: str) -> None:
    import tempfile  # ~6 ms (shutil, random, bz2, lzma): only when a file is written

    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"cannot write {str(path)!r}: no such directory")
    handle, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(text)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


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
