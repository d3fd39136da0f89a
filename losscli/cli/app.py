"""The one place where errors become exit codes and one-line messages."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click
from click.exceptions import NoArgsIsHelpError

from losscli.cli.lazy import LazyGroup
from losscli.cli.oneline import one_line
from losscli.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    LossCliError,
    OutputError,
)

_TRUE = {"1", "true", "yes", "on"}
_FULL = {errno.ENOSPC, errno.EDQUOT}
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
        try:
            return super().invoke(ctx)
        except LossCliError as exc:
            if debug:
                _print_traceback()
            click.echo(error_line(str(exc)), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo(error_line("interrupted"), err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.Abort, NoArgsIsHelpError):
            raise
        except click.ClickException as exc:  # a bad option, argument or command name
            click.echo(error_line(click_error_message(exc)), err=True)
            ctx.exit(exc.exit_code if exc.exit_code else EXIT_USAGE)
        except BrokenPipeError:
            # The reader went away (`| head`): stop quietly with the status already decided.
            # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
            _silence_stdout()
            ctx.exit(0)
        except OSError as exc:
            if exc.errno not in _FULL:
                _internal_error(ctx, exc, debug)
            # Printing the summary to a full disk (`> /dev/full`): the output cannot be written.
            # What stdout still buffers cannot be written either: drop it, or the interpreter's
            # last flush fails again on the way out (and the exit status becomes 120).
            _silence_stdout()
            if debug:
                _print_traceback()
            reason = os.strerror(exc.errno)
            click.echo(
                error_line(f"cannot write the output: {reason[:1].lower()}{reason[1:]}"), err=True
            )
            ctx.exit(OutputError.exit_code)
        except Exception as exc:  # a bug: say so in one line, keep the traceback for --debug
            _internal_error(ctx, exc, debug)


def _internal_error(ctx: click.Context, exc: Exception, debug: bool) -> NoReturn:
    """Report a bug in one line (after the traceback with --debug), and exit 4."""
    if debug:
        _print_traceback()
    click.echo(
        error_line(f"internal error ({type(exc).__name__}: {exc}); rerun with --debug"),
        err=True,
    )
    ctx.exit(EXIT_INTERNAL)


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


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file descriptor (tests)
        pass
