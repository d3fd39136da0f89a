"""Slow, scalar reference implementations of every Keras loss, written from LOSS_SEMANTICS.md.

Why: losscli's kernels are vectorised NumPy; these functions re-derive each loss element by
element with :mod:`math` in float64 (no NumPy inside the formulas, no code shared with losscli),
so agreement between the two on random inputs is an independent check of the kernels.
Every function takes nested lists (one inner list per row) and returns one float per row, except
the ``axis=None`` overlap losses, which return one float for the whole input.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

EPS = 1e-7
"""``keras.config.epsilon()``."""

Rows = Sequence[Sequence[float]]
Floats = Sequence[float]


# ---------------------------------------------------------------------------- scalar helpers


def clip(x: float, low: float, high: float) -> float:
    """``min(max(x, low), high)``."""
    return min(max(x, low), high)


def mean(values: Floats) -> float:
    """Arithmetic mean of a non-empty sequence (``math.fsum`` for an exact sum)."""
    return math.fsum(values) / len(values)


def sigmoid(z: float) -> float:
    """Logistic sigmoid without overflow for large ``|z|``."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def softplus(x: float) -> float:
    """``log(1 + exp(x))`` without overflow; ``softplus(-inf) = 0``."""
    if x == -math.inf:
        return 0.0
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def logsumexp(values: Floats) -> float:
    """``log(sum(exp(v)))``; ``-inf`` for an empty sequence (the LSE of nothing)."""
    if not values:
        return -math.inf
    top = max(values)
    if top == -math.inf:
        return -math.inf
    return top + math.log(math.fsum(math.exp(v - top) for v in values))


def log_softmax(z: Floats) -> list[float]:
    """``z - logsumexp(z)`` for one row of logits."""
    lse = logsumexp(z)
    return [v - lse for v in z]


def softmax(z: Floats) -> list[float]:
    """Softmax of one row of logits."""
    return [math.exp(v) for v in log_softmax(z)]


def smooth_binary(y: float, label_smoothing: float) -> float:
    """Binary label smoothing toward 0.5."""
    return y * (1.0 - label_smoothing) + 0.5 * label_smoothing


def bce_probability(y: float, p: float) -> float:
    """Element-wise binary cross-entropy on probabilities clipped to [eps, 1 - eps]."""
    o = clip(p, EPS, 1.0 - EPS)
    return -(y * math.log(o) + (1.0 - y) * math.log(1.0 - o))


def bce_logit(y: float, z: float) -> float:
    """Element-wise binary cross-entropy on a logit, stable form (no clipping)."""
    return max(z, 0.0) - z * y + math.log1p(math.exp(-abs(z)))


def renormalised_clipped(p: Floats) -> list[float]:
    """A probability row divided by its sum, then clipped to [eps, 1 - eps]."""
    total = math.fsum(p)
    return [clip(v / total, EPS, 1.0 - EPS) for v in p]


# ----------------------------------------------------------------------- probabilistic losses


def binary_crossentropy(
    y_true: Rows, y_pred: Rows, *, from_logits: bool = False, label_smoothing: float = 0.0
) -> list[float]:
    """Mean over the row of the element-wise BCE (stable logit form when ``from_logits``)."""
    out = []
    for ys, ps in zip(y_true, y_pred, strict=True):
        terms = []
        for y, p in zip(ys, ps, strict=True):
            ys_ = smooth_binary(y, label_smoothing)
            terms.append(bce_logit(ys_, p) if from_logits else bce_probability(ys_, p))
        out.append(mean(terms))
    return out


def binary_focal_crossentropy(
    y_true: Rows,
    y_pred: Rows,
    *,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
) -> list[float]:
    """Mean over the row of ``(1 - p_t)^gamma * BCE`` (sigmoid first, then clipped BCE)."""
    out = []
    for ys, ps in zip(y_true, y_pred, strict=True):
        terms = []
        for y, raw in zip(ys, ps, strict=True):
            ys_ = smooth_binary(y, label_smoothing)
            p = sigmoid(raw) if from_logits else raw
            bce = bce_probability(ys_, p)
            p_t = ys_ * p + (1.0 - ys_) * (1.0 - p)
            focal = math.pow(1.0 - p_t, gamma) * bce
            if apply_class_balancing:
                focal *= ys_ * alpha + (1.0 - ys_) * (1.0 - alpha)
            terms.append(focal)
        out.append(mean(terms))
    return out


def _smooth_categorical(ys: Floats, label_smoothing: float) -> list[float]:
    """Categorical label smoothing ``y * (1 - ls) + ls / C``."""
    classes = len(ys)
    return [y * (1.0 - label_smoothing) + label_smoothing / classes for y in ys]


def categorical_crossentropy(
    y_true: Rows, y_pred: Rows, *, from_logits: bool = False, label_smoothing: float = 0.0
) -> list[float]:
    """``-sum(y * log o)`` with o renormalised+clipped probabilities or the log-softmax."""
    out = []
    for ys, ps in zip(y_true, y_pred, strict=True):
        ys_ = _smooth_categorical(ys, label_smoothing)
        logs = log_softmax(ps) if from_logits else [math.log(o) for o in renormalised_clipped(ps)]
        out.append(-math.fsum(y * lg for y, lg in zip(ys_, logs, strict=True)))
    return out


def categorical_focal_crossentropy(
    y_true: Rows,
    y_pred: Rows,
    *,
    alpha: float | Floats = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
) -> list[float]:
    """``sum_c alpha_c * (1 - o_c)^gamma * (-y_c log o_c)`` on renormalised, clipped o."""
    out = []
    for ys, ps in zip(y_true, y_pred, strict=True):
        ys_ = _smooth_categorical(ys, label_smoothing)
        probs = softmax(ps) if from_logits else list(ps)
        os_ = renormalised_clipped(probs)
        alphas = [float(alpha)] * len(ys) if isinstance(alpha, int | float) else list(alpha)
        terms = [
            a * math.pow(1.0 - o, gamma) * (-y * math.log(o))
            for a, y, o in zip(alphas, ys_, os_, strict=True)
        ]
        out.append(math.fsum(terms))
    return out


def sparse_categorical_crossentropy(
    y_true: Sequence[int],
    y_pred: Rows,
    *,
    from_logits: bool = False,
    ignore_class: int | None = None,
) -> list[float]:
    """``-log o[label]``; rows whose label is ``ignore_class`` give 0."""
    out = []
    for label, ps in zip(y_true, y_pred, strict=True):
        k = int(label)
        if ignore_class is not None and k == ignore_class:
            out.append(0.0)
        elif from_logits:
            out.append(-log_softmax(ps)[k])
        else:
            out.append(-math.log(clip(ps[k] / math.fsum(ps), EPS, 1.0 - EPS)))
    return out


def sparse_mask(y_true: Sequence[int], ignore_class: int | None) -> list[bool] | None:
    """The Keras mask of ``ignore_class``: True for rows that count."""
    if ignore_class is None:
        return None
    return [int(label) != ignore_class for label in y_true]


def categorical_generalized_cross_entropy(
    y_true: Sequence[int], y_pred: Rows, *, q: float = 0.5
) -> list[float]:
    """``(1 - p[label]^q) / q`` with no clipping or renormalisation."""
    return [
        (1.0 - math.pow(ps[int(label)], q)) / q for label, ps in zip(y_true, y_pred, strict=True)
    ]


def poisson(y_true: Rows, y_pred: Rows) -> list[float]:
    """Mean of ``p - y * log(p + eps)``."""
    return [
        mean([p - y * math.log(p + EPS) for y, p in zip(ys, ps, strict=True)])
        for ys, ps in zip(y_true, y_pred, strict=True)
    ]


def kl_divergence(y_true: Rows, y_pred: Rows) -> list[float]:
    """SUM over the row of ``t * log(t / q)`` with both clipped to [eps, 1]."""
    out = []
    for ys, ps in zip(y_true, y_pred, strict=True):
        terms = []
        for y, p in zip(ys, ps, strict=True):
            t, q = clip(y, EPS, 1.0), clip(p, EPS, 1.0)
            terms.append(t * math.log(t / q))
        out.append(math.fsum(terms))
    return out


# -------------------------------------------------------------------------- regression losses


def mean_squared_error(y_true: Rows, y_pred: Rows) -> list[float]:
    """Mean of ``(y - p)^2``."""
    return [
        mean([(y - p) ** 2 for y, p in zip(ys, ps, strict=True)])
        for ys, ps in zip(y_true, y_pred, strict=True)
    ]


def mean_absolute_error(y_true: Rows, y_pred: Rows) -> list[float]:
    """Mean of ``|y - p|``."""
    return [
        mean([abs(y - p) for y, p in zip(ys, ps, strict=True)])
        for ys, ps in zip(y_true, y_pred, strict=True)
    ]


def mean_absolute_percentage_error(y_true: Rows, y_pred: Rows) -> list[float]:
    """``100 * mean(|y - p| / max(|y|, eps))`` (percent)."""
    return [
        100.0 * mean([abs(y - p) / max(abs(y), EPS) for y, p in zip(ys, ps, strict=True)])
        for ys, ps in zip(y_true, y_pred, strict=True)
    ]


def mean_squared_logarithmic_error(y_true: Rows, y_pred: Rows) -> list[float]:
    """Mean of ``(log(max(p, eps) + 1) - log(max(y, eps) + 1))^2``."""
    return [
        mean(
            [
                (math.log(max(p, EPS) + 1.0) - math.log(max(y, EPS) + 1.0)) ** 2
                for y, p in zip(ys, ps, strict=True)
            ]
        )
        for ys, ps in zip(y_true, y_pred, strict=True)
    ]


def _unit(xs: Floats) -> list[float]:
    """``x / sqrt(max(sum x^2, eps^2))`` (a zero vector stays zero)."""
    norm = math.sqrt(max(math.fsum(x * x for x in xs), EPS * EPS))
    return [x / norm for x in xs]


def cosine_similarity(y_true: Rows, y_pred: Rows) -> list[float]:
    """``-sum(n(y) * n(p))`` along the row; 0 when either vector is zero."""
    return [
        -math.fsum(a * b for a, b in zip(_unit(ys), _unit(ps), strict=True))
        for ys, ps in zip(y_true, y_pred, strict=True)
    ]


def huber(y_true: Rows, y_pred: Rows, *, delta: float = 1.0) -> list[float]:
    """Mean of ``0.5 e^2`` (``|e| <= delta``) or ``delta |e| - 0.5 delta^2``."""
    out = []
    for ys, ps in zip(y_true, y_pred, strict=True):
        terms = []
        for y, p in zip(ys, ps, strict=True):
            e = abs(p - y)
            terms.append(0.5 * e * e if e <= delta else delta * e - 0.5 * delta * delta)
        out.append(mean(terms))
    return out


def _log_cosh(x: float) -> float:
    """``log(cosh(x))``; where cosh would overflow use ``|x| + log1p(exp(-2|x|)) - log 2``."""
    a = abs(x)
    if a < 20.0:
        return math.log(math.cosh(a))
    return a + math.log1p(math.exp(-2.0 * a)) - math.log(2.0)


def log_cosh(y_true: Rows, y_pred: Rows) -> list[float]:
    """Mean of ``log(cosh(p - y))``."""
    return [
        mean([_log_cosh(p - y) for y, p in zip(ys, ps, strict=True)])
        for ys, ps in zip(y_true, y_pred, strict=True)
    ]


# ------------------------------------------------------------------------------ margin losses


def _hinge_labels(y_true: Rows) -> list[list[float]]:
    """Batch-level rule: map {0, 1} to {-1, 1} only if EVERY label in the input is 0 or 1."""
    convert = all(y in (0.0, 1.0) for ys in y_true for y in ys)
    return [[2.0 * y - 1.0 if convert else float(y) for y in ys] for ys in y_true]


def hinge(y_true: Rows, y_pred: Rows) -> list[float]:
    """Mean of ``max(1 - y p, 0)`` after the batch-level label conversion."""
    return [
        mean([max(1.0 - y * p, 0.0) for y, p in zip(ys, ps, strict=True)])
        for ys, ps in zip(_hinge_labels(y_true), y_pred, strict=True)
    ]


def squared_hinge(y_true: Rows, y_pred: Rows) -> list[float]:
    """Mean of ``max(1 - y p, 0)^2`` after the batch-level label conversion."""
    return [
        mean([max(1.0 - y * p, 0.0) ** 2 for y, p in zip(ys, ps, strict=True)])
        for ys, ps in zip(_hinge_labels(y_true), y_pred, strict=True)
    ]


def categorical_hinge(y_true: Rows, y_pred: Rows) -> list[float]:
    """``max(max((1 - y) p) - sum(y p) + 1, 0)``."""
    out = []
    for ys, ps in zip(y_true, y_pred, strict=True):
        pos = math.fsum(y * p for y, p in zip(ys, ps, strict=True))
        neg = max((1.0 - y) * p for y, p in zip(ys, ps, strict=True))
        out.append(max(neg - pos + 1.0, 0.0))
    return out


# ----------------------------------------------------------------------------- overlap losses


def _dice(ys: Floats, ps: Floats) -> float:
    """``1 - 2 sum(y p) / (sum y + sum p + eps)`` over the given elements."""
    inter = math.fsum(y * p for y, p in zip(ys, ps, strict=True))
    return 1.0 - 2.0 * inter / (math.fsum(ys) + math.fsum(ps) + EPS)


def _tversky(ys: Floats, ps: Floats, alpha: float, beta: float) -> float:
    """``1 - TP / (TP + alpha FP + beta FN + eps)`` (the post-3.15.1 role of alpha and beta)."""
    tp = math.fsum(y * p for y, p in zip(ys, ps, strict=True))
    fp = math.fsum((1.0 - y) * p for y, p in zip(ys, ps, strict=True))
    fn = math.fsum(y * (1.0 - p) for y, p in zip(ys, ps, strict=True))
    return 1.0 - tp / (tp + alpha * fp + beta * fn + EPS)


def _flatten(rows: Rows) -> list[float]:
    return [v for row in rows for v in row]


def dice(y_true: Rows, y_pred: Rows) -> list[float]:
    """Dice loss per row (``axis=-1``)."""
    return [_dice(ys, ps) for ys, ps in zip(y_true, y_pred, strict=True)]


def dice_all(y_true: Rows, y_pred: Rows) -> float:
    """Dice loss over every element (``axis=None``): one value for the whole input."""
    return _dice(_flatten(y_true), _flatten(y_pred))


def tversky(y_true: Rows, y_pred: Rows, *, alpha: float = 0.5, beta: float = 0.5) -> list[float]:
    """Tversky loss per row (``axis=-1``)."""
    return [_tversky(ys, ps, alpha, beta) for ys, ps in zip(y_true, y_pred, strict=True)]


def tversky_all(y_true: Rows, y_pred: Rows, *, alpha: float = 0.5, beta: float = 0.5) -> float:
    """Tversky loss over every element (``axis=None``)."""
    return _tversky(_flatten(y_true), _flatten(y_pred), alpha, beta)


# --------------------------------------------------------------------------- embedding losses


def circle(
    y_true: Sequence[int],
    y_pred: Rows,
    *,
    gamma: float = 80.0,
    margin: float = 0.4,
    remove_diagonal: bool = True,
) -> list[float]:
    """Circle loss of each row against every row of the batch (embeddings used as given)."""
    out = []
    n = len(y_true)
    for i in range(n):
        pos: list[float] = []
        neg: list[float] = []
        for j in range(n):
            dot = math.fsum(a * b for a, b in zip(y_pred[i], y_pred[j], strict=True))
            dist = max(1.0 - dot, 0.0)
            if y_true[i] == y_true[j]:
                if remove_diagonal and i == j:
                    continue
                wp = max(margin + dist, 0.0)
                pos.append(-gamma * wp * (margin - dist))
            else:
                wn = max(1.0 + margin - dist, 0.0)
                neg.append(gamma * wn * ((1.0 - margin) - dist))
        out.append(softplus(logsumexp(pos) + logsumexp(neg)))
    return out


def circle_mask(losses: Floats) -> list[bool]:
    """Circle's Keras mask: only rows with a positive loss count."""
    return [v > 0.0 for v in losses]


# --------------------------------------------------------------------------- sequence losses


def _collapse(path: Sequence[int]) -> tuple[int, ...]:
    """CTC collapse: merge repeated symbols, then drop blanks (0)."""
    merged = [s for k, s in enumerate(path) if k == 0 or s != path[k - 1]]
    return tuple(s for s in merged if s != 0)


def ctc(y_true: Sequence[Sequence[int]], y_pred: Sequence[Rows]) -> list[float]:
    """``-log P(label | logits)`` by enumerating all ``C^T`` alignment paths (tiny T, C only).

    The label is the first ``count_nonzero(row)`` entries of the row; 0 is the blank. A label
    that no path collapses to gives ``inf``.
    """
    out = []
    for labels, logits in zip(y_true, y_pred, strict=True):
        length = sum(1 for v in labels if int(v) != 0)
        target = tuple(int(v) for v in labels[:length])
        logp = [log_softmax(row) for row in logits]
        classes = len(logits[0])
        hits = [
            math.fsum(logp[t][s] for t, s in enumerate(path))
            for path in itertools.product(range(classes), repeat=len(logits))
            if _collapse(path) == target
        ]
        out.append(-logsumexp(hits))
    return out


# ---------------------------------------------------------------------------------- reductions


def reduce(
    losses: Floats,
    reduction: str,
    sample_weight: Floats | None = None,
    mask: Sequence[bool] | None = None,
) -> float | list[float]:
    """Keras reduction of per-row losses with optional per-row weights and a row mask.

    ``none`` -> ``[w l m]``; ``sum`` -> ``sum(w l m)``; ``sum_over_batch_size`` ->
    ``sum(w l m) / count(m)``; ``mean_with_sample_weight`` -> ``sum(w l m) / sum(w m)``.
    Masked-out rows contribute exactly 0; a zero divisor gives 0 (``divide_no_nan``).
    """
    n = len(losses)
    weights = [1.0] * n if sample_weight is None else [float(w) for w in sample_weight]
    keep = [True] * n if mask is None else list(mask)
    weighted = [w * v if m else 0.0 for w, v, m in zip(weights, losses, keep, strict=True)]
    if reduction == "none":
        return weighted
    total = math.fsum(weighted)
    if reduction == "sum":
        return total
    if reduction in ("sum_over_batch_size", "mean"):
        divisor = float(sum(keep))
    elif reduction == "mean_with_sample_weight":
        divisor = math.fsum(w for w, m in zip(weights, keep, strict=True) if m)
    else:
        raise ValueError(f"unknown reduction {reduction!r}")
    return total / divisor if divisor != 0.0 else 0.0
