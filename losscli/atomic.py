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


def temp_path_for(target: Path) -> tuple[int, str]:
    """A new, private temporary file beside ``target``: its descriptor and path.

    Hidden (a leading dot) and named after the target, so a stray one is easy to recognise.
    """
    import tempfile  # ~6 ms (shutil, random, bz2, lzma): only when a file is written

    directory = target.parent if str(target.parent) else Path(".")
    return tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")


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
        handle, temp = temp_path_for(target)
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
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise write_failure(target, exc) from exc
        raise
