"""The error types of losscli and the process exit code each one maps to.

Every error a user can cause is a subclass of :class:`LossCliError` with a one-line message that
names what was wrong and what to do about it. The usage and data errors are also ``ValueError``s,
so Python callers can catch them the usual way.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2
EXIT_BAD_DATA = 3
EXIT_INTERNAL = 4
EXIT_OUTPUT = 5
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class LossCliError(Exception):
    """Base class of every error losscli raises on purpose."""

    exit_code: int = EXIT_INTERNAL


class OutputError(LossCliError):
    """An output file could not be written to the end (a full disk, a size limit, an I/O error).

    Not bad input and not a bug: the environment refused the write. Nothing was left behind: the
    temporary file is removed and a previous file at the target is untouched.
    """

    exit_code = EXIT_OUTPUT


class UsageError(LossCliError, ValueError):
    """The request itself is wrong: an unknown loss, a bad parameter or reduction."""

    exit_code = EXIT_USAGE


class UnknownLossError(UsageError, KeyError):
    """No loss is registered under the given name or alias."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ParameterError(UsageError):
    """A loss parameter is unknown, of the wrong type, or out of its valid range."""


class InputDataError(LossCliError, ValueError):
    """The data cannot be used as given: bad shapes, labels, weights or values."""

    exit_code = EXIT_BAD_DATA


class ShapeError(InputDataError):
    """y_true, y_pred or the weights have shapes that do not fit together."""


class LabelError(InputDataError):
    """Labels are not integers, or are out of range for the number of classes."""


class WeightError(InputDataError):
    """Sample or class weights are negative, non-finite or mis-shaped."""


class NonFiniteError(InputDataError):
    """NaN or infinite values were found where the NaN policy is ``"error"``."""
