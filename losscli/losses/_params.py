"""Parameter declarations shared by several losses (same name, default and range as Keras)."""

from __future__ import annotations

from losscli.losses.spec import Param, ParamKind

FROM_LOGITS = Param(
    "from_logits",
    ParamKind.BOOL,
    False,
    "y_pred holds logits rather than probabilities",
)
LABEL_SMOOTHING = Param(
    "label_smoothing",
    ParamKind.FLOAT,
    0.0,
    "smooth the targets towards uniform by this fraction",
    low=0.0,
    high=1.0,
)
LAST_AXIS = Param(
    "axis",
    ParamKind.AXIS,
    -1,
    "the axis reduced to one value per sample (the class/feature axis)",
)
GAMMA = Param(
    "gamma",
    ParamKind.FLOAT,
    2.0,
    "focusing parameter: down-weights well-classified examples",
    low=0.0,
)
