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
    path = Path(path)
    handle, temp = _temporary_beside(path)  # a real file: os.access says yes to root anyway
    os.close(handle)
    os.unlink(temp)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it onto ``path``.

    Raises:
        OutputError: the file cannot be written (see :func:`check_writable`, or a full disk);
            nothing is left at ``path`` or beside it.
    """
    handle, temp = _temporary_beside(path)
    try:
        with os.fdopen(handle, "w") as file:
            file.write(text)
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {str(path)!r}: {_reason(exc)}") from None
        raise


def _temporary_beside(path: Path) -> tuple[int, str]:
    """A new hidden temporary file in ``path``'s directory: its descriptor and path.

    Raises:
        OutputError: the directory is missing or is not one, ``path`` is a directory, or the
            directory refuses new files.
    """
    import tempfile  # ~6 ms (shutil, random, bz2, lzma): only when a file is written

    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        what = "no such directory"
        if directory.exists():
            what = f"{str(directory)!r} is not a directory"
        raise OutputError(f"cannot write {str(path)!r}: {what}")
    if path.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: it is a directory")
    try:
        return tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {str(path)!r}: {_reason(exc)}") from None


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
