"""Any text as one printable line, for the single stderr line of an error or a note.

Messages carry text from outside losscli: file names (which may hold a newline), exception
messages of custom losses, values read from the data. A newline there would make an error two
lines, and an escape sequence could recolour or clear the user's terminal.
"""

from __future__ import annotations

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": " "}


def one_line(text: str) -> str:
    """``text`` with line breaks written as ``\\n`` and other control characters escaped."""
    return "".join(_printable(char) for char in text.strip())


def _printable(char: str) -> str:
    if char.isprintable():
        return char
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
