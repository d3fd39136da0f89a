"""Metric-learning losses on embeddings: they compare every row with every other row.

These are batch-scope losses: a row's value depends on the other rows of its batch, as in
training. The Python API treats the whole input as one batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from losscli.lazy_numpy import lazy_numpy
from losscli.losses._math import logsumexp, softplus
from losscli.losses.spec import LossSpec, Param, ParamKind, Scope, Target

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy(globals())


def circle(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    gamma: float = 80.0,
    margin: float = 0.4,
    remove_diagonal: bool = True,
) -> np.ndarray:
    """Circle loss of each row against the batch (embeddings should be L2-normalised)."""
    distances = np.maximum(1 - y_pred @ y_pred.T, 0.0)
    same = y_true[:, None] == y_true[None, :]
    positive = same & ~np.eye(len(y_true), dtype=bool) if remove_diagonal else same
    negative = ~same
    pos_weights = np.maximum((margin + distances) * positive, 0.0)
    neg_weights = np.maximum((1 + margin - distances) * negative, 0.0)
    pos_logits = -1 * gamma * pos_weights * (margin - distances)
    neg_logits = gamma * neg_weights * ((1 - margin) - distances)
    minus_inf = distances.dtype.type(-np.inf)
    pos_term = logsumexp(np.where(positive, pos_logits, minus_inf), axis=1)
    neg_term = logsumexp(np.where(negative, neg_logits, minus_inf), axis=1)
    return softplus(pos_term + neg_term)


def positive_loss_mask(
    y_true: np.ndarray, y_pred: np.ndarray, values: np.ndarray, **_: Any
) -> np.ndarray:
    """Rows with zero loss (no positive or no negative) leave the mean, as in Keras."""
    return values > 0


FAMILY = "embedding"
"""How `losscli list` groups these losses."""

LOSSES = (
    LossSpec(
        name="circle",
        kernel=circle,
        target=Target.EMBEDDING_LABEL,
        summary="Circle loss: pulls same-label embeddings together, pushes others apart.",
        formula=(
            "softplus(logsumexp_pos(-gamma a_p (m - d)) + logsumexp_neg(gamma a_n (1 - m - d)))"
        ),
        aliases=("Circle",),
        params=(
            Param(
                "gamma",
                ParamKind.FLOAT,
                80.0,
                "scale of the similarity logits",
                low=0.0,
                low_open=True,
            ),
            Param(
                "margin",
                ParamKind.FLOAT,
                0.4,
                "relaxation margin",
                low=0.0,
                high=1.0,
            ),
            Param(
                "remove_diagonal",
                ParamKind.BOOL,
                True,
                "exclude each row's similarity with itself from its positives",
            ),
        ),
        scope=Scope.BATCH,
        mask=positive_loss_mask,
        reference_class="Circle",
        notes=("Rows with zero loss are left out of the sum_over_batch_size mean (Keras mask).",),
    ),
)
