"""losscli: exact, Keras-compatible losses for saved predictions.

>>> import losscli
>>> float(losscli.compute("mse", [[1.0], [2.0]], [[1.5], [2.5]]))
0.25
"""

from losscli.api import LossResult, compute
from losscli.errors import (
    InputDataError,
    LabelError,
    LossCliError,
    NonFiniteError,
    ParameterError,
    ShapeError,
    UnknownLossError,
    UsageError,
    WeightError,
)
from losscli.losses import Loss, LossSpec, get_loss, list_losses
from losscli.state import REDUCTIONS, LossState

__version__ = "0.1.0"

__all__ = [
    "REDUCTIONS",
    "InputDataError",
    "LabelError",
    "Loss",
    "LossCliError",
    "LossResult",
    "LossSpec",
    "LossState",
    "NonFiniteError",
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
