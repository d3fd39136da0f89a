"""losscli's vectorised kernels against the scalar reference in ``reference.py`` (float64).

Why: the spec vectors pin a few hand-picked float32 values; these tests compare every loss with
an independent element-by-element implementation on many seeded random inputs (including
clipping edges, large logits, zero vectors and masks) at rtol 1e-9, per row and after reduction.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import losscli
from tests.losses import reference as ref

RTOL = 1e-9
ATOL = 1e-12
SEEDS = (0, 1, 2, 3)
REDUCTIONS = (
    ("sum_over_batch_size", False),
    ("sum", False),
    ("mean_with_sample_weight", False),
    ("none", True),
    ("sum_over_batch_size", True),
    ("sum", True),
    ("mean_with_sample_weight", True),
)

Inputs = tuple[np.ndarray, np.ndarray]


# ------------------------------------------------------------------------------ input makers


def _shape(rng: np.random.Generator, min_k: int = 1, max_k: int = 5) -> tuple[int, int]:
    return int(rng.integers(1, 9)), int(rng.integers(min_k, max_k + 1))


def _edge_rows(rng: np.random.Generator, n: int) -> np.ndarray:
    """Indices of roughly a quarter of the rows (at least one when n > 1)."""
    count = max(1, n // 4) if n > 1 else int(rng.integers(0, 2))
    return rng.choice(n, size=count, replace=False)


def _binary_labels(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Hard 0/1 labels, with some rows of soft labels."""
    y = rng.integers(0, 2, size=shape).astype(np.float64)
    soft = rng.random(shape[0]) < 0.3
    y[soft] = rng.random((int(soft.sum()), shape[1]))
    return y


def binary_prob(rng: np.random.Generator) -> Inputs:
    """Labels in [0, 1], probabilities in (0.001, 0.999) plus rows of exact 0/1 on both sides."""
    shape = _shape(rng)
    y = _binary_labels(rng, shape)
    p = rng.uniform(0.001, 0.999, size=shape)
    for i in _edge_rows(rng, shape[0]):
        y[i] = rng.integers(0, 2, size=shape[1])
        p[i] = rng.integers(0, 2, size=shape[1])
    return y, p


def binary_logit(rng: np.random.Generator) -> Inputs:
    """Labels in [0, 1], logits ~ N(0, 4) with some entries at +-50."""
    shape = _shape(rng)
    y = _binary_labels(rng, shape)
    z = rng.normal(0.0, 4.0, size=shape)
    big = rng.random(shape) < 0.2
    z[big] = rng.choice([-50.0, 50.0], size=int(big.sum()))
    return y, z


def _categorical_labels(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """One-hot rows, with some soft rows (a random distribution)."""
    n, c = shape
    y = np.eye(c)[rng.integers(0, c, size=n)]
    for i in range(n):
        if rng.random() < 0.3:
            row = rng.random(c)
            y[i] = row / row.sum()
    return y


def categorical_prob(rng: np.random.Generator) -> Inputs:
    """One-hot/soft labels; unnormalised positive rows plus exact one-hot prediction rows."""
    shape = _shape(rng, 2)
    y = _categorical_labels(rng, shape)
    p = rng.uniform(0.001, 0.999, size=shape)
    normalised = rng.random(shape[0]) < 0.5
    p[normalised] /= p[normalised].sum(axis=1, keepdims=True)
    for i in _edge_rows(rng, shape[0]):
        p[i] = np.eye(shape[1])[rng.integers(0, shape[1])]
    return y, p


def categorical_prob_3(rng: np.random.Generator) -> Inputs:
    """As :func:`categorical_prob` with exactly 3 classes (for a per-class alpha)."""
    while True:
        y, p = categorical_prob(rng)
        if p.shape[1] == 3:
            return y, p


def categorical_logit(rng: np.random.Generator) -> Inputs:
    """One-hot/soft labels; logits ~ N(0, 4) with some entries at +-50."""
    shape = _shape(rng, 2)
    y = _categorical_labels(rng, shape)
    z = rng.normal(0.0, 4.0, size=shape)
    big = rng.random(shape) < 0.2
    z[big] = rng.choice([-50.0, 50.0], size=int(big.sum()))
    return y, z


def sparse_prob(rng: np.random.Generator) -> Inputs:
    """Integer labels (N,) with probabilities (N, C) as in :func:`categorical_prob`."""
    _, p = categorical_prob(rng)
    return rng.integers(0, p.shape[1], size=p.shape[0]), p


def sparse_logit(rng: np.random.Generator) -> Inputs:
    """Integer labels (N,) with logits (N, C)."""
    _, z = categorical_logit(rng)
    return rng.integers(0, z.shape[1], size=z.shape[0]), z


def sparse_ignored(rng: np.random.Generator) -> Inputs:
    """Integer labels where some rows carry the ignore label -1."""
    y, p = sparse_prob(rng)
    y[rng.random(y.shape[0]) < 0.35] = -1
    return y, p


def real(rng: np.random.Generator) -> Inputs:
    """Real values of both signs, spread over several magnitudes."""
    shape = _shape(rng)
    scale = rng.choice([0.01, 1.0, 10.0, 100.0], size=shape)
    return rng.normal(0.0, 1.0, size=shape) * scale, rng.normal(0.0, 1.0, size=shape) * scale


def real_with_zero_targets(rng: np.random.Generator) -> Inputs:
    """Real values where some targets are exactly 0 (MAPE's eps denominator)."""
    y, p = real(rng)
    y[rng.random(y.shape) < 0.2] = 0.0
    return y, p


def counts(rng: np.random.Generator) -> Inputs:
    """Non-negative targets (counts and reals) and non-negative rates, some exactly 0."""
    shape = _shape(rng)
    y = np.where(rng.random(shape) < 0.5, rng.integers(0, 6, size=shape), rng.random(shape) * 4)
    p = rng.uniform(0.0, 5.0, size=shape)
    p[rng.random(shape) < 0.15] = 0.0
    return y.astype(np.float64), p


def distributions(rng: np.random.Generator) -> Inputs:
    """Probability-like rows with exact zeros and some values above 1 (clipped to 1).

    Negative probabilities are rejected by losscli (they are logits passed by mistake), so
    they are not generated here; see test_api for that error.
    """
    shape = _shape(rng)
    y, p = rng.random(shape), rng.random(shape)
    y[rng.random(shape) < 0.2] = 0.0
    p[rng.random(shape) < 0.2] = 0.0
    y[rng.random(shape) < 0.1] = 1.5
    p[rng.random(shape) < 0.1] = 1.7
    return y, p


def vectors(rng: np.random.Generator) -> Inputs:
    """Real vectors, some tiny (squared norm near or below eps^2), some all-zero rows."""
    shape = _shape(rng)
    y, p = rng.normal(size=shape), rng.normal(size=shape)
    y *= rng.choice([1.0, 1e-5, 1e-8], size=(shape[0], 1))
    p *= rng.choice([1.0, 1e-5, 1e-8], size=(shape[0], 1))
    y[rng.random(shape[0]) < 0.2] = 0.0
    p[rng.random(shape[0]) < 0.2] = 0.0
    return y, p


def log_cosh_values(rng: np.random.Generator) -> Inputs:
    """Errors from tiny to +-100 and beyond (overflow region of cosh)."""
    shape = _shape(rng)
    scale = rng.choice([1e-3, 1.0, 30.0, 400.0], size=shape)
    return rng.normal(size=shape) * scale, rng.normal(size=shape) * scale


def hinge_01(rng: np.random.Generator) -> Inputs:
    """Labels all in {0, 1} (converted to -1/1), real scores."""
    shape = _shape(rng)
    return rng.integers(0, 2, size=shape).astype(np.float64), rng.normal(0.0, 2.0, size=shape)


def hinge_pm1(rng: np.random.Generator) -> Inputs:
    """Labels in {-1, 1}, real scores."""
    shape = _shape(rng)
    return rng.choice([-1.0, 1.0], size=shape), rng.normal(0.0, 2.0, size=shape)


def hinge_mixed(rng: np.random.Generator) -> Inputs:
    """Labels in {-1, 0, 1} with at least one -1: no conversion, zeros stay zeros."""
    shape = _shape(rng)
    y = rng.choice([-1.0, 0.0, 1.0], size=shape)
    y[rng.integers(0, shape[0]), rng.integers(0, shape[1])] = -1.0
    return y, rng.normal(0.0, 2.0, size=shape)


def categorical_scores(rng: np.random.Generator) -> Inputs:
    """One-hot/soft labels with real scores of both signs."""
    shape = _shape(rng, 2)
    return _categorical_labels(rng, shape), rng.normal(0.0, 2.0, size=shape)


def overlap(rng: np.random.Generator) -> Inputs:
    """Binary or soft masks with probabilities, including all-zero rows."""
    shape = _shape(rng)
    y = _binary_labels(rng, shape)
    p = rng.random(shape)
    for i in _edge_rows(rng, shape[0]):
        y[i] = 0.0
        p[i] = rng.integers(0, 2, size=shape[1])
    return y, p


def embeddings(rng: np.random.Generator) -> Inputs:
    """Integer labels in 0..2 and L2-normalised embeddings of dimension 2..4."""
    n, d = int(rng.integers(1, 9)), int(rng.integers(2, 5))
    e = rng.normal(size=(n, d))
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    return rng.integers(0, 3, size=n), e


def _ctc_feasible(label: list[int], steps: int) -> bool:
    repeats = sum(1 for a, b in itertools.pairwise(label) if a == b)
    return len(label) + repeats <= steps


def _ctc(rng: np.random.Generator, feasible: bool) -> Inputs:
    n, steps, classes = int(rng.integers(1, 9)), int(rng.integers(1, 6)), int(rng.integers(2, 4))
    width = int(rng.integers(1, steps + 2)) if feasible else steps + 1
    y = np.zeros((n, width), dtype=np.int64)
    for i in range(n):
        while True:
            length = int(rng.integers(0, width + 1))
            label = [int(v) for v in rng.integers(1, classes, size=length)]
            if _ctc_feasible(label, steps) == (feasible or i % 2 == 1):
                break
        y[i, :length] = label
    return y, rng.normal(0.0, 2.0, size=(n, steps, classes))


def ctc_feasible(rng: np.random.Generator) -> Inputs:
    """Left-aligned labels (N, L) that fit in T <= 5 steps, logits (N, T, C <= 3)."""
    return _ctc(rng, feasible=True)


def ctc_mixed(rng: np.random.Generator) -> Inputs:
    """As :func:`ctc_feasible`, but every even row is an impossible alignment (loss inf)."""
    return _ctc(rng, feasible=False)


# ------------------------------------------------------------------------------------- cases


def _shown(params: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in params.items())


@dataclass(frozen=True)
class Case:
    """One loss with one parameter set: how to make inputs and what the reference says."""

    loss: str
    params: dict[str, Any]
    make: Callable[[np.random.Generator], Inputs]
    reference: Callable[..., list[float]]
    ref_params: dict[str, Any] = field(default_factory=dict)
    mask: Callable[[list[Any], list[float]], list[bool] | None] = lambda y, v: None
    nan: str = "error"

    @property
    def id(self) -> str:
        return f"{self.loss}[{_shown(self.params)}]-{self.make.__name__}"

    def expected(self, y: np.ndarray, p: np.ndarray) -> list[float]:
        kwargs = {k: v for k, v in self.params.items() if k != "axis"} | self.ref_params
        return self.reference(y.tolist(), p.tolist(), **kwargs)


def _case(loss: str, make: Callable[[np.random.Generator], Inputs], **params: Any) -> Case:
    return Case(loss, params, make, getattr(ref, loss))


def _ignore_mask(ignore: int) -> Callable[[list[Any], list[float]], list[bool] | None]:
    return lambda y, v: ref.sparse_mask(y, ignore)


def _circle_mask(y: list[Any], values: list[float]) -> list[bool]:
    return ref.circle_mask(values)


CASES: list[Case] = [
    _case("binary_crossentropy", binary_prob),
    _case("binary_crossentropy", binary_prob, label_smoothing=0.2),
    _case("binary_crossentropy", binary_logit, from_logits=True),
    _case("binary_crossentropy", binary_logit, from_logits=True, label_smoothing=0.1),
    _case("binary_focal_crossentropy", binary_prob),
    _case("binary_focal_crossentropy", binary_prob, apply_class_balancing=True, alpha=0.4),
    _case("binary_focal_crossentropy", binary_prob, gamma=0.0, label_smoothing=0.3),
    _case("binary_focal_crossentropy", binary_logit, from_logits=True, gamma=1.5),
    _case(
        "binary_focal_crossentropy",
        binary_logit,
        from_logits=True,
        apply_class_balancing=True,
        alpha=0.7,
        gamma=3.0,
        label_smoothing=0.1,
    ),
    _case("categorical_crossentropy", categorical_prob),
    _case("categorical_crossentropy", categorical_prob, label_smoothing=0.2),
    _case("categorical_crossentropy", categorical_logit, from_logits=True),
    _case("categorical_crossentropy", categorical_logit, from_logits=True, label_smoothing=0.1),
    _case("categorical_focal_crossentropy", categorical_prob),
    _case("categorical_focal_crossentropy", categorical_prob, alpha=1.0, gamma=0.0),
    _case("categorical_focal_crossentropy", categorical_prob, gamma=1.5, label_smoothing=0.2),
    _case("categorical_focal_crossentropy", categorical_logit, from_logits=True, gamma=3.0),
    _case("categorical_focal_crossentropy", categorical_prob_3, alpha=[0.2, 0.5, 1.5]),
    _case("sparse_categorical_crossentropy", sparse_prob),
    _case("sparse_categorical_crossentropy", sparse_logit, from_logits=True),
    Case(
        "sparse_categorical_crossentropy",
        {"ignore_class": -1},
        sparse_ignored,
        ref.sparse_categorical_crossentropy,
        mask=_ignore_mask(-1),
    ),
    Case(
        "sparse_categorical_crossentropy",
        {"from_logits": True, "ignore_class": 0},
        sparse_logit,
        ref.sparse_categorical_crossentropy,
        mask=_ignore_mask(0),
    ),
    _case("categorical_generalized_cross_entropy", sparse_prob),
    _case("categorical_generalized_cross_entropy", sparse_prob, q=0.2),
    _case("categorical_generalized_cross_entropy", sparse_prob, q=0.9),
    _case("poisson", counts),
    _case("kl_divergence", distributions),
    _case("kl_divergence", binary_prob),
    _case("mean_squared_error", real),
    _case("mean_absolute_error", real),
    _case("mean_absolute_percentage_error", real_with_zero_targets),
    _case("mean_squared_logarithmic_error", real),
    _case("mean_squared_logarithmic_error", counts),
    _case("cosine_similarity", vectors),
    _case("huber", real),
    _case("huber", real, delta=0.5),
    _case("huber", real, delta=3.0),
    _case("log_cosh", log_cosh_values),
    _case("hinge", hinge_01),
    _case("hinge", hinge_pm1),
    _case("hinge", hinge_mixed),
    _case("squared_hinge", hinge_01),
    _case("squared_hinge", hinge_pm1),
    _case("squared_hinge", hinge_mixed),
    _case("categorical_hinge", categorical_scores),
    _case("dice", overlap, axis=-1),
    _case("tversky", overlap, axis=-1),
    _case("tversky", overlap, axis=-1, alpha=0.7, beta=0.3),
    _case("tversky", overlap, axis=-1, alpha=0.2, beta=0.9),
    Case("circle", {}, embeddings, ref.circle, mask=_circle_mask),
    Case("circle", {"gamma": 2.0, "margin": 0.25}, embeddings, ref.circle, mask=_circle_mask),
    Case(
        "circle",
        {"gamma": 10.0, "margin": 0.1, "remove_diagonal": False},
        embeddings,
        ref.circle,
        mask=_circle_mask,
    ),
    Case("ctc", {}, ctc_feasible, ref.ctc),
]

DATASET_CASES: list[tuple[str, dict[str, Any], Callable[..., float]]] = [
    ("dice", {}, ref.dice_all),
    ("tversky", {}, ref.tversky_all),
    ("tversky", {"alpha": 0.7, "beta": 0.3}, ref.tversky_all),
]


def _params(cases: list[Case]) -> list[Any]:
    return [
        pytest.param(case, seed, id=f"{case.id}-seed{seed}") for case in cases for seed in SEEDS
    ]


def _weights(rng: np.random.Generator, n: int) -> np.ndarray:
    """Non-negative sample weights, some exactly 0, never all 0."""
    w = rng.uniform(0.0, 2.0, size=n)
    w[rng.random(n) < 0.2] = 0.0
    if not w.any():
        w[0] = 0.5
    return w


def _compute(case: Case, y: np.ndarray, p: np.ndarray, **kwargs: Any) -> Any:
    result = losscli.compute(
        case.loss, y, p, dtype="float64", nan=case.nan, **case.params, **kwargs
    )
    return result.value


def _assert_close(actual: Any, expected: Any) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=np.float64),
        np.asarray(expected, dtype=np.float64),
        rtol=RTOL,
        atol=ATOL,
    )


# ------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize(("case", "seed"), _params(CASES))
def test_per_row_matches_reference(case: Case, seed: int) -> None:
    rng = np.random.default_rng(seed)
    y, p = case.make(rng)
    values = case.expected(y, p)
    expected = ref.reduce(values, "none", mask=case.mask(y.tolist(), values))
    _assert_close(_compute(case, y, p, reduction="none"), expected)


@pytest.mark.parametrize(
    ("reduction", "weighted"),
    [pytest.param(r, w, id=f"{r}{'-weighted' if w else ''}") for r, w in REDUCTIONS],
)
@pytest.mark.parametrize(("case", "seed"), _params(CASES))
def test_reduction_matches_reference(case: Case, seed: int, reduction: str, weighted: bool) -> None:
    rng = np.random.default_rng(seed)
    y, p = case.make(rng)
    weights = _weights(np.random.default_rng(1000 + seed), y.shape[0]) if weighted else None
    values = case.expected(y, p)
    expected = ref.reduce(values, reduction, weights, case.mask(y.tolist(), values))
    actual = _compute(case, y, p, reduction=reduction, sample_weight=weights)
    _assert_close(actual, expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_ctc_impossible_alignment_is_inf(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y, p = ctc_mixed(rng)
    expected = ref.ctc(y.tolist(), p.tolist())
    actual = losscli.compute("ctc", y, p, reduction="none", dtype="float64", nan="propagate").value
    _assert_close(actual, expected)


@pytest.mark.parametrize(
    ("loss", "params", "reference", "seed"),
    [
        pytest.param(loss, params, fn, seed, id=f"{loss}[{_shown(params)}axis=None]-seed{seed}")
        for loss, params, fn in DATASET_CASES
        for seed in SEEDS
    ],
)
@pytest.mark.parametrize(
    ("reduction", "weighted"),
    [pytest.param(r, w, id=f"{r}{'-weighted' if w else ''}") for r, w in REDUCTIONS],
)
def test_overlap_whole_input_matches_reference(
    loss: str,
    params: dict[str, Any],
    reference: Callable[..., float],
    seed: int,
    reduction: str,
    weighted: bool,
) -> None:
    """``axis=None``: one value for everything; weights broadcast against it (as in Keras)."""
    rng = np.random.default_rng(seed)
    y, p = overlap(rng)
    value = reference(y.tolist(), p.tolist(), **params)
    if weighted:
        weights = _weights(np.random.default_rng(1000 + seed), y.shape[0])
        expected: Any = ref.reduce([value] * y.shape[0], reduction, weights)
    else:
        weights, expected = None, value
    actual = losscli.compute(
        loss, y, p, reduction=reduction, sample_weight=weights, dtype="float64", **params
    ).value
    _assert_close(actual, expected)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight"])
def test_sparse_all_rows_ignored_reduce_to_zero(reduction: str) -> None:
    y, p = np.array([1, 1, 1]), np.array([[0.2, 0.8], [0.5, 0.5], [0.9, 0.1]])
    values = ref.sparse_categorical_crossentropy(y.tolist(), p.tolist(), ignore_class=1)
    expected = ref.reduce(values, reduction, mask=ref.sparse_mask(y.tolist(), 1))
    actual = losscli.compute(
        "sparse_categorical_crossentropy",
        y,
        p,
        reduction=reduction,
        dtype="float64",
        ignore_class=1,
    ).value
    _assert_close(actual, expected)
