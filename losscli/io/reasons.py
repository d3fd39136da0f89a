"""Turn pyarrow and OS errors into short one-line reasons, for messages that name the input.

pyarrow's messages can span lines, quote whole paths or carry control characters from the data;
users get one printable line of at most a few hundred characters instead.
"""

from __future__ import annotations

import re

import pyarrow as pa

# Errors pyarrow and the OS raise for unreadable data; everything else is a bug and propagates.
READ_ERRORS = (pa.ArrowException, OSError, ValueError, EOFError)

_MESSAGE_LIMIT = 300


def reason(err: BaseException) -> str:
    """One line saying what went wrong, without pyarrow's boilerplate."""
    if isinstance(err, OSError) and (err.strerror or not str(err)):
        return os_reason(err)
    text = str(err).strip() or type(err).__name__
    text = re.sub(r"^Could not open \w+ input source '[^']*': ", "", text)
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    text = "".join(_printable(char) for char in " ".join(text.split()))
    if len(text) > _MESSAGE_LIMIT:
        text = text[: _MESSAGE_LIMIT - 1] + "…"
    return text


def os_reason(err: OSError) -> str:
    """A few words for an OS error: "no such file", "permission denied", or its strerror."""
    if isinstance(err, FileNotFoundError):
        return "no such file"
    if isinstance(err, PermissionError):
        return "permission denied"
    if isinstance(err, IsADirectoryError):
        return "it is a directory"
    return err.strerror or str(err)


def _printable(char: str) -> str:
    if char.isprintable() and char != "\ufffd":
        return char
    return f"\\x{ord(char):02x}" if ord(char) < 256 else "?"
