"""The one place where errors become exit codes and one-line messages."""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click
from click.exceptions import NoArgsIsHelpError

from losscli.cli.interrupts import Terminated, exit_process_now
from losscli.cli.lazy import LazyGroup
from losscli.cli.oneline import one_line
from losscli.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OUTPUT,
    EXIT_TERMINATED,
    EXIT_USAGE,
    LossCliError,
)

_TRUE = {"1", "true", "yes", "on"}
_ARGS = "losscli.args"


def error_line(message: str) -> str:
    """The single stderr line every failure prints (one line whatever ``message`` holds)."""
    return f"losscli: error: {one_line(message)}"


def click_error_message(exc: click.ClickException) -> str:
    """Click's message for a bad command line, as one line with a pointer to the help.

    Click would print a usage line, a "Try --help" line, a blank line and ``Error: ...``; every
    other losscli error is one line, so these are too.
    """
    text = " ".join(exc.format_message().split()).rstrip(".")
    if text[1:2].islower():  # "Invalid value ..." -> "invalid value ...", as losscli writes
        text = text[0].lower() + text[1:]
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        text += f" (see '{ctx.command_path} --help')"
    return text


class LossCliGroup(LazyGroup):
    """A click group that turns losscli errors into one line on stderr and an exit code.

    Its subcommands may be :class:`~losscli.cli.lazy.LazyCommands` (imported when used).
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # The group's own options and arguments are parsed here, outside invoke().
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except NoArgsIsHelpError:
            raise
        except click.ClickException as exc:
            if extra.get("resilient_parsing"):
                raise
            click.echo(error_line(click_error_message(exc)), err=True)
            raise click.exceptions.Exit(exc.exit_code) from None

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_ARGS] = list(args)  # the command and its arguments, for --debug
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        debug = _debug_asked(ctx.meta.get(_ARGS, []))
        if sys.stdout is None:  # fd 1 was closed: writes must fail, not vanish
            sys.stdout = _ClosedStdout()
        try:
            return super().invoke(ctx)
        except LossCliError as exc:
            if debug:
                _print_traceback()
            _fail(ctx, str(exc), exc.exit_code)
        except KeyboardInterrupt as exc:
            # Every `with` and `finally` on the way here has run: temporary files are gone.
            terminated = isinstance(exc, Terminated)
            code = EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
            _fail(ctx, "terminated" if terminated else "interrupted", code)
        except (click.exceptions.Exit, click.Abort, NoArgsIsHelpError):
            raise
        except click.ClickException as exc:  # a bad option, argument or command name
            _fail(ctx, click_error_message(exc), exc.exit_code or EXIT_USAGE)
        except BrokenPipeError:
            # The reader went away (`| head`): stop quietly with the status already decided.
            # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
            _silence_stdout()
            exit_process_now(0)
            ctx.exit(0)
        except OSError as exc:
            if exc.errno not in _STDOUT_ERRNOS:
                _internal_error(ctx, exc, debug)
            # Files are written through losscli.atomic, which names them; what is left is stdout:
            # closed (`>&-`), or on a full device. What it still buffers cannot be written
            # either: drop it, or the interpreter's last flush fails again on the way out.
            _silence_stdout()
            if debug:
                _print_traceback()
            reason = "it is closed" if exc.errno == errno.EBADF else os.strerror(exc.errno)
            _fail(ctx, f"cannot write the results to stdout: {reason.lower()}", EXIT_OUTPUT)
        except Exception as exc:  # a bug: say so in one line, keep the traceback for --debug
            _internal_error(ctx, exc, debug)


def _fail(ctx: click.Context, message: str, code: int) -> NoReturn:
    """Print the one error line and end with ``code``.

    As a real process, exit at once: a pyarrow read-ahead thread may still be reading a pipe,
    and the interpreter's shutdown would wait for it or abort under it ("Fatal Python error:
    PyGILState_Release"). The cleanup (temporary files, spooled inputs) has run on the way here.
    """
    click.echo(error_line(message), err=True)
    exit_process_now(code)
    ctx.exit(code)


def _internal_error(ctx: click.Context, exc: Exception, debug: bool) -> NoReturn:
    """Report a bug in one line (after the traceback with --debug), and exit 4."""
    if debug:
        _print_traceback()
    _fail(ctx, f"internal error ({type(exc).__name__}: {exc}); rerun with --debug", EXIT_INTERNAL)


def _print_traceback() -> None:
    """The traceback of the error being handled, on stderr, before its one-line message.

    The exit code stays the error's: a traceback that escaped would make it 1, which means a
    failed gate.
    """
    import traceback

    click.echo(traceback.format_exc().rstrip("\n"), err=True)


def _debug_asked(args: Sequence[str]) -> bool:
    """Whether ``losscli COMMAND ARGS`` asks for tracebacks: ``--debug``, or its variable.

    ``LOSSCLI_<COMMAND>_DEBUG`` is the environment variable ``--help`` shows for ``--debug``.
    """
    if "--debug" in args[1:]:
        return True
    if not args:
        return False
    variable = f"LOSSCLI_{args[0].upper()}_DEBUG"
    return os.environ.get(variable, "").strip().lower() in _TRUE


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
