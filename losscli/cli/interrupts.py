"""How the losscli process meets signals: SIGTERM ends it the way Ctrl-C does.

Python's default for SIGTERM kills the process without running ``finally`` blocks, which would
leave temporary output files behind. :func:`install` makes SIGTERM raise :class:`Terminated`, a
``KeyboardInterrupt``, so every cleanup path written for Ctrl-C runs for it too; the CLI then
exits 143 (128 + SIGTERM) where Ctrl-C exits 130.

Only the real process installs this (``losscli`` and ``python -m losscli``): the CLI run in
process by tests keeps the interpreter's handlers and never exits the interpreter itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: raised like Ctrl-C's ``KeyboardInterrupt`` so the same cleanup runs."""


_installed = False


def install() -> None:
    """Turn SIGTERM into :class:`Terminated` and SIGINT into ``KeyboardInterrupt``, once each.

    The first signal raises; later ones are ignored, so a second Ctrl-C cannot cut short the
    cleanup the first one started (which is quick: the process exits right after it).
    """
    global _installed
    signal.signal(signal.SIGTERM, _raise_terminated)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not if ignored (nohup)
        signal.signal(signal.SIGINT, _raise_interrupted)
    _installed = True


def installed() -> bool:
    """Whether this is the losscli process (:func:`install` ran), not an in-process run."""
    return _installed


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    _ignore_more()
    raise Terminated()


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    _ignore_more()
    raise KeyboardInterrupt()


def _ignore_more() -> None:
    """Later signals must not interrupt the cleanup that the first one starts."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def exit_process_now(code: int) -> None:
    """In the losscli process, flush the standard streams and exit at once with ``code``.

    Called once an interrupt's cleanup is done: a reader thread may still be blocked on a pipe
    that never ends (pyarrow reads stdin ahead on its own thread), and a normal exit would wait
    for it. Outside the losscli process (tests), does nothing.
    """
    if not _installed:
        return
    from losscli.atomic import remove_leftovers

    remove_leftovers()  # a temporary file whose cleanup an interrupt may have cut short
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # closed, or gone
            stream.flush()
    os._exit(code)
