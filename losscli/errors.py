"""The error types of losscli and the process exit code each one maps to.

Every error a user can cause is a subclass of :class:`LossCliError` with a one-line message that
says what is wrong, where (the file, column and row when there is one) and what to do about it.
The usage and data errors are also ``ValueError``s, so Python callers can catch them the usual
way. ``docs/errors.md`` lists every class with its exit code and example messages; a test keeps
that page and this module in step.

The tree::

    LossCliError                exit 4 (raised as such: a state losscli should never reach)
    ├── UsageError              exit 2: the request is wrong
    │   ├── UnknownLossError
    │   ├── ParameterError
    │   ├── ConfigError
    │   └── OutputError         exit 5: an output cannot be written (where asked, or to the end)
    └── InputDataError          exit 3: the data cannot be used as given
        ├── InputFileError
        ├── ColumnError
        ├── ShapeError
        ├── LabelError
        ├── WeightError
        └── NonFiniteError
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


class UsageError(LossCliError, ValueError):
    """The request itself is wrong: an unknown loss, a bad parameter or reduction."""

    exit_code = EXIT_USAGE


class OutputError(UsageError):
    """An output cannot be written: not where asked, or not to the end.

    Its directory is missing or not writable, the path is a directory, the extension names no
    format, or the disk filled up (a size limit, an I/O error) while writing. Neither bad input
    nor a bug, so it has its own exit code. Nothing is left behind: the temporary file is removed
    and a previous file at the target is untouched.
    """

    exit_code = EXIT_OUTPUT


class UnknownLossError(UsageError, KeyError):
    """No loss is registered under the given name or alias."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ParameterError(UsageError):
    """A loss parameter is unknown, of the wrong type, or out of its valid range."""


class ConfigError(UsageError):
    """A ``--config`` file is missing, not TOML, or has an unknown setting or a bad value."""


class InputDataError(LossCliError, ValueError):
    """The data cannot be used as given: bad shapes, labels, weights or values."""

    exit_code = EXIT_BAD_DATA


class InputFileError(InputDataError):
    """An input cannot be read as a table.

    It is missing, unreadable, empty, truncated or corrupt, not in the format its name or
    ``--input-format`` says, or the files given together do not fit into one table.
    """


class ColumnError(InputDataError):
    """A column is missing, named twice, not numeric, or holds lists that do not fit."""


class ShapeError(InputDataError):
    """y_true, y_pred or the weights have shapes that do not fit together."""


class LabelError(InputDataError):
    """Labels are not integers, or are out of range for the number of classes."""


class WeightError(InputDataError):
    """Sample or class weights are negative, non-finite or mis-shaped."""


class NonFiniteError(InputDataError):
    """NaN or infinite values were found where the NaN policy is ``"error"``."""
