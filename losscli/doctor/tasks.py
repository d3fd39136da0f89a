"""Task inference: regression, binary, sparse or one-hot multiclass, or multilabel.

The task (one of :data:`~losscli.doctor.model.TASKS`) follows from the widths of y_true and
y_pred and from their values: 0/1 labels, one-hot rows, y_pred rows summing to 1, logits.
"""

from __future__ import annotations

from losscli.doctor.accumulator import Accumulator
from losscli.doctor.statistics import First, earliest
from losscli.doctor.thresholds import BINARY_SHARE, LOGIT_SHARE, ONE_HOT_SHARE, SOFTMAX_SHARE


def infer_task(state: Accumulator) -> str:
    """The task of the streamed columns; ``unknown`` without finite y_true or fitting widths."""
    kt, kp = len(state.true), len(state.pred)
    if not any(column.finite for column in state.true):
        return "unknown"
    if kt == 1 and kp == 1:
        true = state.true[0]
        return "binary" if (true.zeros + true.ones) >= BINARY_SHARE * true.finite else "regression"
    if kt == 1:
        return "multiclass_sparse"
    if kt != kp:
        return "unknown"
    rows = state.true_rows
    if rows.rows and rows.binary_rows == rows.rows:
        if rows.one_hot_rows == rows.rows:
            return "multiclass_onehot"
        if has_logits(state):
            one_hot = rows.one_hot_rows >= ONE_HOT_SHARE * rows.rows
            return "multiclass_onehot" if one_hot else "multilabel"
        pred_rows = state.pred_rows
        softmax = pred_rows.rows - pred_rows.off.count - pred_rows.zero.count
        if pred_rows.rows and softmax >= SOFTMAX_SHARE * pred_rows.rows:
            return "multiclass_onehot"
        return "multilabel"
    if rows.rows and rows.unit_rows == rows.rows:
        return "multiclass_onehot" if rows.distribution_rows == rows.rows else "multilabel"
    return "regression"


def pred_out_of_unit(state: Accumulator) -> tuple[First, int]:
    """y_pred values outside [0, 1] (the earliest first), and how many finite values there are."""
    events = [earliest(column.below0, column.above1) for column in state.pred]
    merged = earliest(*events)
    return merged, sum(column.finite for column in state.pred)


def has_logits(state: Accumulator) -> bool:
    """Whether y_pred holds logits: :data:`LOGIT_SHARE` or more of its values outside [0, 1]."""
    out, finite = pred_out_of_unit(state)
    return finite > 0 and out.count >= LOGIT_SHARE * finite
