"""Write output files atomically: into a temporary file beside the target, renamed on success.

Every file losscli writes goes through here (or through :class:`losscli.io.sinks.RowSink`, which
streams the same way): a failure, an interrupt or a full disk removes the temporary file and
leaves a previous file at the target untouched, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from losscli.errors import OutputError

_REASONS = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large (the file size limit, `ulimit -f`, was reached)",
}


_LIVE: set[Path] = set()
"""Temporary files created and not yet renamed or removed (see :func:`remove_leftovers`)."""


def create_temp(target: Path) -> tuple[int, Path]:
    """Create a new, private temporary file beside ``target``; its descriptor and path.

    Hidden (a leading dot) and named after the target, so a stray one is easy to recognise. The
    path is registered *before* the file exists, so an interrupt landing anywhere in between
    still finds it (:func:`remove_leftovers`); :func:`forget` it once renamed or removed.
    """
    directory = target.parent if str(target.parent) else Path(".")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        path = directory / f".{target.name}.{os.urandom(5).hex()}.tmp"
        _LIVE.add(path)
        try:
            return os.open(path, flags, 0o600), path
        except FileExistsError:
            _LIVE.discard(path)  # another file's name: not ours to remove
        # Any other error leaves the path registered: removing a file never made is harmless.
    raise FileExistsError(errno.EEXIST, f"no free temporary name beside {str(target)!r}")


def forget(path: Path) -> None:
    """``path`` was renamed onto its target or removed: nothing to clean up any more."""
    _LIVE.discard(path)


def remove(path: Path) -> None:
    """Remove the temporary file ``path`` (if it is still there) and forget it."""
    with contextlib.suppress(OSError):
        os.unlink(path)
    _LIVE.discard(path)


def remove_leftovers() -> None:
    """Remove every temporary file still registered: the last cleanup before the process ends."""
    for path in list(_LIVE):
        remove(path)


def new_file_mode(target: Path) -> int:
    """The mode the output gets: the replaced file's, else 0o666 less the umask.

    ``mkstemp`` creates files readable by their owner only; an output file should look like any
    other file the user creates.
    """
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_failure(target: Path | str, exc: OSError) -> OutputError:
    """``exc``, raised while writing ``target``, as a one-line :class:`OutputError`."""
    reason = _REASONS.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
    return OutputError(
        f"cannot write {str(target)!r}: {reason}; nothing was written "
        "(a previous file there is untouched)"
    )


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """A file to write ``path``'s new content into; it replaces ``path`` when the block ends.

    Leaving the block by an exception (including ``KeyboardInterrupt``) deletes the temporary
    file and leaves ``path`` as it was. The data is flushed to disk before the rename.

    Raises:
        OutputError: the file system refused a write (full disk, quota, size limit, I/O error).
    """
    target = Path(path)
    try:
        handle, temp = create_temp(target)
    except OSError as exc:
        raise write_failure(target, exc) from exc
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(handle, mode, encoding=encoding) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, new_file_mode(target))
        os.replace(temp, target)
        forget(temp)
    except BaseException as exc:
        remove(temp)
        if isinstance(exc, OSError):
            raise write_failure(target, exc) from exc
        raise
