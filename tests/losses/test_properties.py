"""Properties that must hold for every loss in the registry (hypothesis).

Written once and parametrised over the registry: a loss added later is tested the same way.
Batch-scope losses (Circle) depend on the batch by design, so the properties that change the
batch (splitting, repeating rows) are checked for per-row and dataset-scope losses only.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import losscli
from losscli.losses import LossSpec, Scope, list_losses
from tests.strategies import sample_inputs, take_rows

ALL = list_losses()
SPLITTABLE = [spec for spec in ALL if spec.scope is not Scope.BATCH]
PER_ROW = [spec for spec in ALL if spec.scope is Scope.ROW]
SCALAR_REDUCTIONS = ("sum_over_batch_size", "sum", "mean_with_sample_weight")
EXAMPLES = settings(max_examples=25, deadline=None)
seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(3, 12)  # lifted_struct needs a positive pair and a negative: 3 rows


def ids(spec: LossSpec) -> str:
    return spec.name


def result(spec: LossSpec, y_true, y_pred, reduction: str, weights=None) -> float:
    computed = losscli.compute(
        spec.name, y_true, y_pred, reduction=reduction, sample_weight=weights
    )
    return computed.value


@pytest.mark.parametrize("spec", SPLITTABLE, ids=ids)
@EXAMPLES
@given(seed=seeds, n=sizes, cut=st.data())
def test_merging_any_split_equals_one_pass(spec: LossSpec, seed: int, n: int, cut) -> None:
    rng = np.random.default_rng(seed)
    y_true, y_pred = sample_inputs(spec, rng, n)
    weights = rng.random(n)
    cuts = sorted(cut.draw(st.lists(st.integers(1, n - 1), max_size=3, unique=True)))
    whole = losscli.compute(spec.name, y_true, y_pred, sample_weight=weights)
    merged = None
    for part in np.split(np.arange(n), cuts):
        state = losscli.compute(
            spec.name, take_rows(y_true, part), take_rows(y_pred, part), sample_weight=weights[part]
        ).state
        merged = state if merged is None else merged.merge(state)
    loss = whole.loss
    finalize = None
    if loss.scope is Scope.DATASET:

        def finalize(sums: np.ndarray) -> float:
            return loss.finalize(sums, np.dtype(np.float32))

    for reduction in SCALAR_REDUCTIONS:
        np.testing.assert_allclose(
            merged.result(reduction, finalize),
            whole.state.result(reduction, finalize),
            rtol=1e-12,
            atol=1e-300,
        )


@pytest.mark.parametrize("spec", ALL, ids=ids)
@EXAMPLES
@given(seed=seeds, n=sizes)
def test_weights_of_one_equal_no_weights(spec: LossSpec, seed: int, n: int) -> None:
    y_true, y_pred = sample_inputs(spec, np.random.default_rng(seed), n)
    # A dataset-scope loss is one scalar: Keras multiplies it by the weights under 'sum', so
    # only the mean-type reductions are weight-invariant there.
    reductions = SCALAR_REDUCTIONS if spec.scope is not Scope.DATASET else ("sum_over_batch_size",)
    for reduction in (*reductions, "mean_with_sample_weight"):
        assert result(spec, y_true, y_pred, reduction, np.ones(n)) == pytest.approx(
            result(spec, y_true, y_pred, reduction), rel=1e-12
        )


@pytest.mark.parametrize("spec", PER_ROW, ids=ids)
@EXAMPLES
@given(seed=seeds, n=sizes)
def test_integer_weights_equal_repeated_rows(spec: LossSpec, seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    y_true, y_pred = sample_inputs(spec, rng, n)
    counts = rng.integers(0, 4, n)
    counts[0] = max(counts[0], 1)  # keep at least one row
    repeated = np.repeat(np.arange(n), counts)
    rep_true, rep_pred = take_rows(y_true, repeated), take_rows(y_pred, repeated)
    for reduction in ("sum", "mean_with_sample_weight"):
        assert result(spec, y_true, y_pred, reduction, counts.astype(float)) == pytest.approx(
            result(spec, rep_true, rep_pred, reduction), rel=1e-12, abs=1e-300
        )


# npairs's y_pred is a [B, B] similarity matrix: reordering rows without its columns is not a
# symmetry (test_tfa reorders both).
ROW_PERMUTABLE = [spec for spec in ALL if spec.name != "npairs"]


@pytest.mark.parametrize("spec", ROW_PERMUTABLE, ids=ids)
@EXAMPLES
@given(seed=seeds, n=sizes)
def test_permutation_invariance(spec: LossSpec, seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    y_true, y_pred = sample_inputs(spec, rng, n)
    weights = rng.random(n)
    order = rng.permutation(n)
    for reduction in SCALAR_REDUCTIONS:
        assert result(spec, y_true, y_pred, reduction, weights) == pytest.approx(
            result(
                spec, take_rows(y_true, order), take_rows(y_pred, order), reduction, weights[order]
            ),
            rel=1e-6,
        )


@pytest.mark.parametrize("spec", ALL, ids=ids)
@EXAMPLES
@given(seed=seeds, n=sizes)
def test_zero_weights_give_zero(spec: LossSpec, seed: int, n: int) -> None:
    y_true, y_pred = sample_inputs(spec, np.random.default_rng(seed), n)
    assert result(spec, y_true, y_pred, "sum_over_batch_size", np.zeros(n)) == 0.0
    assert result(spec, y_true, y_pred, "mean_with_sample_weight", np.zeros(n)) == 0.0


EXTREME_PROBABILITIES = [
    ("binary_crossentropy", {}),
    ("binary_focal_crossentropy", {}),
    ("binary_focal_crossentropy", {"apply_class_balancing": True, "label_smoothing": 0.1}),
    ("dice", {"axis": -1}),
    ("tversky", {"axis": -1}),
]
EXTREME_CATEGORICAL = [
    ("categorical_crossentropy", {}),
    ("categorical_crossentropy", {"label_smoothing": 0.2}),
    ("categorical_focal_crossentropy", {}),
    ("kl_divergence", {}),
]


@pytest.mark.parametrize(("name", "params"), EXTREME_PROBABILITIES)
def test_probabilities_of_exactly_zero_and_one_are_finite(name: str, params: dict) -> None:
    y_true = np.array([[0.0, 1.0, 0.0, 1.0]] * 2)
    y_pred = np.array([[0.0, 0.0, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0]])
    for dtype in ("float32", "float64"):
        values = losscli.compute(name, y_true, y_pred, reduction="none", dtype=dtype, **params)
        assert np.isfinite(values.value).all()


@pytest.mark.parametrize(("name", "params"), EXTREME_CATEGORICAL)
def test_categorical_probabilities_of_zero_and_one_are_finite(name: str, params: dict) -> None:
    y_true = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    y_pred = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    values = losscli.compute(name, y_true, y_pred, reduction="none", **params).value
    assert np.isfinite(values).all()


@pytest.mark.parametrize(
    "name",
    [
        "binary_crossentropy",
        "binary_focal_crossentropy",
        "categorical_crossentropy",
        "categorical_focal_crossentropy",
        "sparse_categorical_crossentropy",
    ],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_logits_of_plus_minus_1000_are_finite(name: str, dtype: str) -> None:
    logits = np.array([[1000.0, -1000.0], [-1000.0, 1000.0], [1000.0, 1000.0]])
    y_true: np.ndarray = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    if name.startswith("sparse"):
        y_true = np.argmax(y_true, axis=1)
    values = losscli.compute(name, y_true, logits, reduction="none", from_logits=True, dtype=dtype)
    assert np.isfinite(values.value).all()


def test_stable_logits_grow_linearly() -> None:
    """BCE(y=1, z=-1000) is 1000, not a clipped 16.1: the stable form, not the numpy backend."""
    value = losscli.compute("bce", [[1.0]], [[-1000.0]], from_logits=True).value
    assert value == pytest.approx(1000.0, rel=1e-7)
    sparse = losscli.compute(
        "sparse_categorical_crossentropy", [0], [[-1000.0, 1000.0]], from_logits=True
    )
    assert sparse.value == pytest.approx(2000.0, rel=1e-7)
