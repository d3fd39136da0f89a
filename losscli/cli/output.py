"""Writing results: atomic files and the progress bar, for every command."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from losscli.cli.context import IOContext
from losscli.errors import OutputError

PROGRESS_MIN_ROWS = 2_000_000
PROGRESS_MIN_BYTES = 64 * 1024 * 1024


def check_writable(path: str | Path) -> None:
    """Fail before any work if a file cannot be written at ``path``.

    Raises:
        OutputError: the directory is missing or is not one, ``path`` is a directory, or the
            directory refuses new files (read-only, no permission).
    """
    import tempfile  # ~6 ms (shutil, random, bz2, lzma): only when a file is written

    path = Path(path)
    directory = _check_target(path)
    try:  # a real file: os.access says yes to root anyway
        handle, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {str(path)!r}: {_reason(exc)}") from None
    os.close(handle)
    os.unlink(temp)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file (see :mod:`losscli.atomic`).

    Raises:
        OutputError: the file cannot be written (see :func:`check_writable`, or a full disk);
            nothing is left at ``path`` or beside it.
    """
    from losscli.atomic import atomic_output

    _check_target(path)
    with atomic_output(path) as file:
        file.write(text)


def _check_target(path: Path) -> Path:
    """The directory ``path`` would be written in; OutputError if it cannot be."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        what = "no such directory"
        if directory.exists():
            what = f"{str(directory)!r} is not a directory"
        raise OutputError(f"cannot write {str(path)!r}: {what}")
    if path.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: it is a directory")
    return directory


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc) or type(exc).__name__).lower()


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
