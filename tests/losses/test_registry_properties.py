"""More properties over the whole registry: merge associativity, chunked updates, weight
scaling and values at the float limits (hypothesis; test_properties.py has the others).

Why: a state that merges in any grouping, a weighted mean that ignores the weights' unit and
kernels that stay finite (or raise a documented error) at the edges of float32 are what make
sharded, streamed and weighted results trustworthy. Budgets come from tests/fuzz/budget.py, so
``HYPOTHESIS_PROFILE=campaign`` runs the same properties with many more examples.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import losscli
from losscli.errors import InputDataError, UsageError
from losscli.losses import Loss, LossSpec, Scope, Target
from losscli.state import LossState
from tests.fuzz.budget import budget
from tests.fuzz.tables import F32_MAX, F32_TINY
from tests.losses.test_properties import (
    ALL,
    PER_ROW,
    ROW_PERMUTABLE,
    SCALAR_REDUCTIONS,
    ids,
    result,
    seeds,
    sizes,
)
from tests.strategies import sample_inputs, take_rows


def finalizer(loss: Loss) -> Callable[[np.ndarray], float] | None:
    """How a dataset-scope state's statistics become the loss (None for per-row losses)."""
    if loss.scope is not Scope.DATASET:
        return None
    return lambda sums: loss.finalize(sums, np.dtype(np.float32))


def three_parts(n: int, data: st.DataObject) -> list[np.ndarray]:
    """Row indices cut in three consecutive (possibly empty) parts."""
    cuts = sorted(data.draw(st.lists(st.integers(0, n), min_size=2, max_size=2)))
    return np.split(np.arange(n), cuts)


# npairs's y_pred is the batch's [B, B] matrix: its rows cannot be taken apart (see
# test_properties.py).
@pytest.mark.parametrize("spec", ROW_PERMUTABLE, ids=ids)
@budget(10)
@given(seed=seeds, n=sizes, data=st.data())
def test_merge_is_associative(spec: LossSpec, seed: int, n: int, data: st.DataObject) -> None:
    """(a+b)+c == a+(b+c) for every loss; == one pass for all but batch-scope losses."""
    rng = np.random.default_rng(seed)
    y_true, y_pred = sample_inputs(spec, rng, n)
    weights = rng.random(n)
    whole = losscli.compute(spec.name, y_true, y_pred, sample_weight=weights, nan="propagate")
    a, b, c = (
        losscli.compute(
            spec.name,
            take_rows(y_true, p),
            take_rows(y_pred, p),
            sample_weight=weights[p],
            nan="propagate",
        ).state
        if len(p)
        else LossState()  # the identity: an empty part
        for p in three_parts(n, data)
    )
    left, right = a.merge(b).merge(c), a.merge(b.merge(c))
    finalize = finalizer(whole.loss)
    for reduction in SCALAR_REDUCTIONS:
        value = left.result(reduction, finalize)
        np.testing.assert_allclose(value, right.result(reduction, finalize), rtol=1e-12)
        if spec.scope is not Scope.BATCH:
            np.testing.assert_allclose(
                value, whole.state.result(reduction, finalize), rtol=1e-12, atol=1e-300
            )


@pytest.mark.parametrize("spec", PER_ROW, ids=ids)
@budget(10)
@given(seed=seeds, n=sizes, chunk=st.integers(1, 5))
def test_state_updated_in_chunks_equals_one_update(
    spec: LossSpec, seed: int, n: int, chunk: int
) -> None:
    """Batch-size invariance of the accumulator itself, on each loss's per-row values."""
    rng = np.random.default_rng(seed)
    y_true, y_pred = sample_inputs(spec, rng, n)
    weights = rng.random(n)
    values = np.asarray(losscli.compute(spec.name, y_true, y_pred, reduction="none").value)
    once = LossState().update(values, weights)
    chunked = LossState()
    for start in range(0, n, chunk):
        chunked.update(values[start : start + chunk], weights[start : start + chunk])
    assert chunked.count == once.count
    for reduction in (*SCALAR_REDUCTIONS, "max"):
        np.testing.assert_allclose(
            chunked.result(reduction), once.result(reduction), rtol=1e-12, atol=1e-300
        )


@pytest.mark.parametrize("spec", ALL, ids=ids)
@budget(10)
@given(seed=seeds, n=sizes, power=st.integers(-30, 30), factor=st.floats(1e-6, 1e6))
def test_scaling_all_weights_leaves_the_weighted_mean(
    spec: LossSpec, seed: int, n: int, power: int, factor: float
) -> None:
    """``mean_with_sample_weight`` does not depend on the weights' unit; 'sum' scales with it.

    A power of two scales exactly (1e-12); any other factor rounds each weight (1e-6).
    """
    rng = np.random.default_rng(seed)
    y_true, y_pred = sample_inputs(spec, rng, n)
    weights = rng.random(n) + 0.01
    reduction = "mean_with_sample_weight"
    base = result(spec, y_true, y_pred, reduction, weights)
    exact = result(spec, y_true, y_pred, reduction, weights * 2.0**power)
    assert exact == pytest.approx(base, rel=1e-12, abs=1e-300)
    scaled = result(spec, y_true, y_pred, reduction, weights * factor)
    assert scaled == pytest.approx(base, rel=1e-6, abs=1e-300)
    if spec.scope is Scope.ROW:
        total = result(spec, y_true, y_pred, "sum", weights)
        doubled = result(spec, y_true, y_pred, "sum", weights * 2.0**power)
        assert doubled == pytest.approx(total * 2.0**power, rel=1e-12, abs=1e-300)


LIMITS = (F32_MAX, F32_MAX / 8, 1e30, 1e-30, F32_TINY, 1e-45, 1e300)
"""Factors applied to valid inputs: near float32's largest, smallest normal and subnormal
values, and one beyond float32 (which float32 must refuse, float64 compute)."""


def scaled(values: np.ndarray, factor: float) -> np.ndarray:
    """Float arrays times ``factor``; integer labels unchanged."""
    values = np.asarray(values)
    return values * factor if values.dtype.kind == "f" else values


@pytest.mark.parametrize("spec", ALL, ids=ids)
@budget(10)
@given(
    seed=seeds,
    n=sizes,
    factor=st.sampled_from(LIMITS),
    side=st.sampled_from(["y_true", "y_pred", "both"]),
    dtype=st.sampled_from(["float32", "float64"]),
    nan=st.sampled_from(["error", "skip"]),
)
def test_float_limits_give_a_finite_value_or_a_documented_error(
    spec: LossSpec, seed: int, n: int, factor: float, side: str, dtype: str, nan: str
) -> None:
    """Under the 'error' and 'skip' policies a result is finite; anything else is refused
    with a usage or data error, never another exception, warning or a silent NaN."""
    rng = np.random.default_rng(seed)
    y_true, y_pred = sample_inputs(spec, rng, n)
    if side != "y_pred":
        y_true = scaled(y_true, factor)
    if side != "y_true":
        y_pred = scaled(y_pred, factor)
    try:
        computed = losscli.compute(spec.name, y_true, y_pred, dtype=dtype, nan=nan)
    except (InputDataError, UsageError):
        return
    assert np.isfinite(computed.value)


PROBABILITY_LOSSES = [spec for spec in ALL if spec.probabilities is not None]


def sharpened(spec: LossSpec, y_pred: np.ndarray, power: float) -> np.ndarray:
    """Probabilities raised to ``power`` (most near 0, some near 1), renormalised per row
    when the loss takes a distribution."""
    sharp = np.asarray(y_pred, dtype=np.float64) ** power
    if spec.target is Target.BINARY:
        flip = np.arange(sharp.size).reshape(sharp.shape) % 2 == 1
        return np.where(flip, 1.0 - sharp, sharp)
    return sharp / sharp.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("spec", PROBABILITY_LOSSES, ids=ids)
@budget(10)
@given(seed=seeds, n=sizes, power=st.sampled_from([8.0, 40.0, 200.0]))
def test_tiny_probabilities_give_finite_losses(
    spec: LossSpec, seed: int, n: int, power: float
) -> None:
    """Probabilities down to 1e-300 (and 1 - 1e-300) are clipped, never NaN or an error."""
    rng = np.random.default_rng(seed)
    y_true, y_pred = sample_inputs(spec, rng, n)
    y_pred = sharpened(spec, y_pred, power)
    for dtype in ("float32", "float64"):
        values = losscli.compute(spec.name, y_true, y_pred, reduction="none", dtype=dtype).value
        assert np.isfinite(values).all()
