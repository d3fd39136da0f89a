"""Cut a CSV file into ranges of whole lines that threads can parse apart.

Rows can be counted without parsing only where every newline ends exactly one row: no quote
character (a quoted field may hold a newline), no blank line (the parser skips it) and no lone
carriage return (the parser ends a row there too). :func:`plain_rows` checks that with a few
byte searches, far cheaper than parsing. Once a range is not plain, the rest of the file is left
to a front-to-back parser, since a quote opened there may span any later newline.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

_NEWLINE = ord("\n")
_RETURN = ord("\r")


def header_length(file: BinaryIO) -> int | None:
    """The bytes up to and including the first newline; None if there is no complete line."""
    file.seek(0)
    length = 0
    while True:
        chunk = file.read(1 << 16)
        if not chunk:
            return None
        end = chunk.find(b"\n")
        if end >= 0:
            return length + end + 1
        length += len(chunk)


MAX_LINE_BYTES = 1 << 26
"""The longest line read (64 MiB): a longer one is refused rather than held in memory whole."""


class LineTooLong(ValueError):
    """A line longer than :data:`MAX_LINE_BYTES` starts at byte ``offset``."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"a line starting at byte {offset} is longer than {MAX_LINE_BYTES} bytes")
        self.offset = offset


def line_ranges(file: BinaryIO, start: int, size: int) -> Iterator[tuple[int, bytes]]:
    """``(offset, bytes)`` of about ``size`` bytes each, from ``start``, ending after a newline.

    The last range is whatever follows the last newline (if anything does).

    Raises:
        LineTooLong: a line is longer than :data:`MAX_LINE_BYTES`.
    """
    file.seek(start)
    carry = b""
    offset = start
    while True:
        chunk = file.read(size)
        if not chunk:
            if carry:
                yield offset, carry
            return
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0:  # a line longer than the range: read on
            if len(data) > MAX_LINE_BYTES:
                raise LineTooLong(offset)
            carry = data
            continue
        yield offset, data[:cut]
        offset += cut
        carry = data[cut:]


def plain_rows(data: bytes) -> int | None:
    """The rows in ``data`` if each newline ends one row (see the module's docstring), else None."""
    if not data or b'"' in data:
        return None
    text = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(text == _NEWLINE)
    ends = newlines
    if b"\r" in data:  # CRLF line ends are fine, a carriage return anywhere else is not
        returns = np.flatnonzero(text == _RETURN)
        if returns.size != newlines.size or not np.array_equal(returns + 1, newlines):
            return None
        ends = returns
    starts = np.concatenate(([0], newlines[:-1] + 1))
    if np.any(ends[: starts.size] == starts):  # a blank line
        return None
    return int(newlines.size) if data.endswith(b"\n") else int(newlines.size) + 1
