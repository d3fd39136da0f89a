"""Copy an input's decompressed bytes to a temporary file.

Parquet and Arrow IPC files can only be read from a seekable, uncompressed file, and a stream
read twice must be kept somewhere: both are spooled. The copy goes in chunks, so memory stays
small whatever the size of the input.
"""

from __future__ import annotations

import contextlib
import os

from losscli.errors import InputFileError
from losscli.io.rawinput import RawInput, Readable
from losscli.io.reasons import READ_ERRORS, os_reason, reason

_COPY_CHUNK = 1 << 20


def spool(source: RawInput, suffix: str) -> str:
    """Copy the decompressed bytes of ``source`` to a new temporary file; return its path.

    Raises:
        InputFileError: ``source`` cannot be read, or the temporary file cannot be written.
    """
    import tempfile  # ~6 ms (shutil, random, bz2, lzma): most inputs are never spooled

    handle, path = tempfile.mkstemp(prefix="losscli-", suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            stream = source.open()
            try:
                while chunk := _read_chunk(stream, source.label):
                    out.write(chunk)
            finally:
                with contextlib.suppress(Exception):
                    stream.close()
    except OSError as err:
        remove_quietly(path)
        raise InputFileError(
            f"cannot copy '{source.label}' to a temporary file: {os_reason(err)}"
        ) from err
    except BaseException:
        remove_quietly(path)
        raise
    return path


def remove_quietly(path: str) -> None:
    """Remove the file at ``path`` if it is still there."""
    with contextlib.suppress(OSError):
        os.remove(path)


def _read_chunk(stream: Readable, label: str) -> bytes:
    # Only reading is "cannot read": a failed write (a full disk) is a failed copy, above.
    try:
        return stream.read(_COPY_CHUNK)
    except READ_ERRORS as err:
        raise InputFileError(f"cannot read '{label}': {reason(err)}") from err
