"""Find the binary stream under stdin, refusing a terminal so losscli never waits for typing.

``losscli compute -`` with nothing piped in would otherwise hang until the user pressed Ctrl-D.
"""

from __future__ import annotations

import io
import sys
from typing import Any, BinaryIO

from losscli.errors import UsageError


def stdin_stream(stdin: Any = None) -> BinaryIO:
    """The binary stream to read for ``-``: ``stdin`` (default ``sys.stdin``), unwrapped.

    Raises:
        UsageError: the stream is a terminal.
    """
    stream = _binary(stdin if stdin is not None else sys.stdin)
    if _is_terminal(stream):
        raise UsageError("no input: stdin is a terminal; give a file or pipe data in")
    return stream


def _binary(stream: Any) -> BinaryIO:
    """The binary stream under a text stream such as ``sys.stdin``."""
    if isinstance(stream, io.TextIOBase) and hasattr(stream, "buffer"):
        return stream.buffer
    return stream


def _is_terminal(stream: BinaryIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False
