"""The one place where errors become exit codes and one-line messages."""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import Any, NoReturn

import click

from losscli.cli.interrupts import Terminated, exit_process_now
from losscli.cli.lazy import LazyGroup
from losscli.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OUTPUT,
    EXIT_TERMINATED,
    LossCliError,
)


def error_line(message: str) -> str:
    """The single stderr line every failure prints."""
    return f"losscli: error: {message}"


class LossCliGroup(LazyGroup):
    """A click group that turns losscli errors into one line on stderr and an exit code.

    Its subcommands may be :class:`~losscli.cli.lazy.LazyCommands` (imported when used).
    """

    def invoke(self, ctx: click.Context) -> Any:
        debug = "--debug" in sys.argv
        if sys.stdout is None:  # fd 1 was closed: writes must fail, not vanish
            sys.stdout = _ClosedStdout()
        try:
            return super().invoke(ctx)
        except LossCliError as exc:
            if debug:
                raise
            _fail(ctx, str(exc), exc.exit_code)
        except KeyboardInterrupt as exc:
            # Every `with` and `finally` on the way here has run: temporary files are gone.
            terminated = isinstance(exc, Terminated)
            code = EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
            _fail(ctx, "terminated" if terminated else "interrupted", code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            # The reader went away (`| head`): stop quietly with the status already decided.
            # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
            _silence_stdout()
            exit_process_now(0)
            ctx.exit(0)
        except Exception as exc:  # a bug: say so in one line, keep the traceback for --debug
            if debug:
                raise
            if isinstance(exc, OSError) and exc.errno in _STDOUT_ERRNOS:
                # Files are written through losscli.atomic, which names them; what is left is
                # stdout: closed (`>&-`), or on a full device.
                reason = "it is closed" if exc.errno == errno.EBADF else os.strerror(exc.errno)
                _fail(ctx, f"cannot write the results to stdout: {reason.lower()}", EXIT_OUTPUT)
            message = f"internal error ({type(exc).__name__}: {exc}); rerun with --debug"
            _fail(ctx, message, EXIT_INTERNAL)


def _fail(ctx: click.Context, message: str, code: int) -> NoReturn:
    """Print the one error line and end with ``code``.

    As a real process, exit at once: a pyarrow read-ahead thread may still be reading a pipe,
    and the interpreter's shutdown would wait for it or abort under it ("Fatal Python error:
    PyGILState_Release"). The cleanup (temporary files, spooled inputs) has run on the way here.
    """
    click.echo(error_line(message), err=True)
    exit_process_now(code)
    ctx.exit(code)


_STDOUT_ERRNOS = frozenset({errno.EBADF, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


class _ClosedStdout(io.TextIOBase):
    """Stands for a stdout that was closed before losscli started: every write fails (EBADF).

    Python sets ``sys.stdout`` to None then, and click would drop the results silently.
    """

    encoding = "utf-8"
    errors = "strict"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:  # type: ignore[override]
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))

    @property
    def buffer(self) -> _ClosedStdout:
        return self


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file descriptor (tests)
        pass
