"""The loss registry: every loss losscli knows, as data."""

from losscli.losses.loss import Loss
from losscli.losses.registry import get_loss, get_spec, list_losses, normalize_identifier, register
from losscli.losses.spec import LossSpec, Param, ParamKind, Scope, Target

__all__ = [
    "Loss",
    "LossSpec",
    "Param",
    "ParamKind",
    "Scope",
    "Target",
    "get_loss",
    "get_spec",
    "list_losses",
    "normalize_identifier",
    "register",
]
