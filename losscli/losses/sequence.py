"""Sequence losses: CTC for unaligned label sequences."""

from __future__ import annotations

from typing import TYPE_CHECKING

from losscli.lazy_numpy import lazy_numpy
from losscli.losses._math import log_softmax
from losscli.losses.spec import LossSpec, Target

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy(globals())

BLANK = 0


def ctc(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Negative log-likelihood of each label sequence under CTC (blank = class 0).

    ``y_true`` is ``[n, max_labels]`` integers, left-aligned and padded with 0; ``y_pred`` is
    ``[n, time, classes]`` logits. The forward recursion runs in float64 over all rows at once;
    an impossible alignment (labels longer than the input allows) gives ``inf``.
    """
    n_rows, steps, _ = y_pred.shape
    log_probs = log_softmax(y_pred.astype(np.float64), axis=-1)
    labels = np.asarray(y_true, dtype=np.intp)
    label_lengths = np.count_nonzero(labels, axis=-1)
    # Extended sequence: blank, l1, blank, l2, ..., blank (length 2L + 1).
    extended = np.zeros((n_rows, 2 * labels.shape[1] + 1), dtype=np.intp)
    extended[:, 1::2] = labels
    width = extended.shape[1]
    # A state may skip the blank before it when its label differs from the one two back.
    can_skip = np.zeros((n_rows, width), dtype=bool)
    can_skip[:, 3::2] = labels[:, 1:] != labels[:, :-1]
    rows = np.arange(n_rows)[:, None]

    alpha = np.full((n_rows, width), -np.inf)
    emit = log_probs[:, 0, :][rows, extended]
    alpha[:, 0] = emit[:, 0]
    if width > 1:
        alpha[:, 1] = emit[:, 1]
    for t in range(1, steps):
        from_prev = np.full_like(alpha, -np.inf)
        from_prev[:, 1:] = alpha[:, :-1]
        from_skip = np.full_like(alpha, -np.inf)
        from_skip[:, 2:] = np.where(can_skip[:, 2:], alpha[:, :-2], -np.inf)
        alpha = np.logaddexp(np.logaddexp(alpha, from_prev), from_skip)
        alpha += log_probs[:, t, :][rows, extended]

    last = 2 * label_lengths
    final = alpha[np.arange(n_rows), last]
    has_label = label_lengths > 0
    before_last = alpha[np.arange(n_rows), np.maximum(last - 1, 0)]
    final = np.where(has_label, np.logaddexp(final, before_last), final)
    return (-final).astype(y_pred.dtype)


FAMILY = "sequence"
"""How `losscli list` groups these losses."""

LOSSES = (
    LossSpec(
        name="ctc",
        kernel=ctc,
        target=Target.SEQUENCE,
        summary="Connectionist temporal classification loss (blank and padding = class 0).",
        formula="-log sum over alignments of prod_t softmax(z_t)[path_t]",
        aliases=("CTC",),
        reference_class="CTC",
        notes=(
            "An impossible alignment gives inf (the Keras JAX backend returns about 1e5).",
            "Labels must be left-aligned with trailing 0 padding.",
        ),
    ),
)
