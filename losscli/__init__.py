"""losscli: exact, Keras-compatible losses for saved predictions.

>>> import losscli
>>> float(losscli.compute("mse", [[1.0], [2.0]], [[1.5], [2.5]]))
0.25

The public names that need NumPy are imported on first use (PEP 562), so ``import losscli``
and the command line's ``--help`` stay fast; the errors are cheap and imported eagerly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from losscli.errors import (
    ColumnError,
    ConfigError,
    InputDataError,
    InputFileError,
    LabelError,
    LossCliError,
    NonFiniteError,
    OutputError,
    ParameterError,
    ShapeError,
    UnknownLossError,
    UsageError,
    WeightError,
)

if TYPE_CHECKING:
    from losscli.api import LossResult, compute
    from losscli.losses import Loss, LossSpec, get_loss, list_losses
    from losscli.state import REDUCTIONS, LossState

__version__ = "0.1.0"

_LAZY = {
    "LossResult": "losscli.api",
    "compute": "losscli.api",
    "Loss": "losscli.losses",
    "LossSpec": "losscli.losses",
    "get_loss": "losscli.losses",
    "list_losses": "losscli.losses",
    "REDUCTIONS": "losscli.state",
    "LossState": "losscli.state",
}
"""Public name -> the module that defines it, imported when the name is first used."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "REDUCTIONS",
    "ColumnError",
    "ConfigError",
    "InputDataError",
    "InputFileError",
    "LabelError",
    "Loss",
    "LossCliError",
    "LossResult",
    "LossSpec",
    "LossState",
    "NonFiniteError",
    "OutputError",
    "ParameterError",
    "ShapeError",
    "UnknownLossError",
    "UsageError",
    "WeightError",
    "__version__",
    "compute",
    "get_loss",
    "list_losses",
]
