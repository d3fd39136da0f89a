"""LossState: Keras divisors, merging, masks, dataset statistics, JSON round trip."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from losscli.errors import UsageError
from losscli.state import REDUCTIONS, CompensatedSum, LossState, standardize_reduction


def test_reductions_use_keras_divisors() -> None:
    state = LossState().update(np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.0, 1.0, 1.0, 2.0]))
    weighted_sum = 0 * 1 + 1 * 2 + 1 * 3 + 2 * 4
    assert state.result("sum") == weighted_sum
    assert state.result("sum_over_batch_size") == weighted_sum / 4  # zero weights still count
    assert state.result("mean") == weighted_sum / 4
    assert state.result("mean_with_sample_weight") == weighted_sum / 4.0  # sum of weights = 4


def test_zero_divisor_gives_zero_not_nan() -> None:
    empty = LossState()
    for reduction in ("sum", "sum_over_batch_size", "mean_with_sample_weight"):
        assert empty.result(reduction) == 0.0
    zero_weights = LossState().update(np.array([5.0, 7.0]), np.zeros(2))
    assert zero_weights.result("mean_with_sample_weight") == 0.0
    assert zero_weights.result("sum_over_batch_size") == 0.0


def test_mask_removes_rows_from_the_mean_only() -> None:
    values = np.array([0.5, 2.0, 0.0])
    mask = np.array([True, True, False])
    state = LossState().update(values, np.array([1.0, 2.0, 4.0]), mask)
    assert state.count == 3 and state.valid == 2
    assert state.result("sum") == 4.5
    assert state.result("sum_over_batch_size") == 4.5 / 2
    assert state.result("mean_with_sample_weight") == 4.5 / 3


def test_zero_weight_removes_a_non_finite_value() -> None:
    state = LossState().update(np.array([1.0, np.inf]), np.array([1.0, 0.0]))
    assert state.result("sum") == 1.0
    assert state.nonfinite == 1


def test_min_max_std_and_nonfinite_count() -> None:
    state = LossState().update(np.array([1.0, 3.0, np.nan, 5.0]))
    assert (state.minimum, state.maximum, state.nonfinite) == (1.0, 5.0, 1)
    finite = LossState().update(np.array([1.0, 3.0, 5.0]))
    assert finite.std == pytest.approx(np.std([1.0, 3.0, 5.0]))


@pytest.mark.parametrize("splits", [1, 2, 7, 50])
def test_merging_any_split_equals_one_pass(splits: int) -> None:
    rng = np.random.default_rng(splits)
    values = rng.lognormal(0, 3, 1000)
    weights = rng.random(1000)
    whole = LossState().update(values, weights)
    parts = [
        LossState().update(v, w)
        for v, w in zip(
            np.array_split(values, splits), np.array_split(weights, splits), strict=True
        )
    ]
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.merge(part)
    for reduction in ("sum", "sum_over_batch_size", "mean_with_sample_weight"):
        assert merged.result(reduction) == pytest.approx(whole.result(reduction), rel=1e-12)
    assert (merged.count, merged.valid, merged.minimum, merged.maximum) == (
        whole.count,
        whole.valid,
        whole.minimum,
        whole.maximum,
    )


def test_merge_does_not_change_its_inputs() -> None:
    a = LossState().update(np.array([1.0, 2.0]))
    b = LossState().update(np.array([3.0]))
    before = (a.to_dict(), b.to_dict())
    a.merge(b)
    assert (a.to_dict(), b.to_dict()) == before


def test_compensated_sum_keeps_small_terms() -> None:
    total = CompensatedSum()
    for value in [1e16, 1.0, -1e16] * 10:
        total.add(value)
    assert total.value == 10.0


def test_json_round_trip_is_exact() -> None:
    rng = np.random.default_rng(0)
    state = LossState().update(rng.random(100), rng.random(100), rng.random(100) > 0.2)
    text = json.dumps(state.to_dict())
    again = LossState.from_dict(json.loads(text))
    assert again.to_dict() == state.to_dict()
    assert again.result("mean_with_sample_weight") == state.result("mean_with_sample_weight")


def test_json_round_trip_of_empty_and_statistics_states() -> None:
    empty = LossState()
    assert LossState.from_dict(json.loads(json.dumps(empty.to_dict()))).minimum == math.inf
    stats = LossState().update_statistics(np.array([1.0, 2.0, 3.0]), rows=4)
    again = LossState.from_dict(json.loads(json.dumps(stats.to_dict())))
    assert list(again.statistic_sums) == [1.0, 2.0, 3.0]


def test_unknown_state_version_is_rejected() -> None:
    data = LossState().to_dict() | {"version": 99}
    with pytest.raises(ValueError, match="version"):
        LossState.from_dict(data)


def test_dataset_state_follows_keras_scalar_rules() -> None:
    def finalize(sums: np.ndarray) -> float:
        return float(sums[0] / sums[1])

    unweighted = LossState().update_statistics(np.array([1.0, 4.0]), rows=2)
    for reduction in ("sum", "sum_over_batch_size", "mean_with_sample_weight"):
        assert unweighted.result(reduction, finalize) == 0.25  # a scalar is never reduced
    weighted = LossState().update_statistics(np.array([1.0, 4.0]), rows=2, weights=np.array([1, 3]))
    assert weighted.result("sum", finalize) == 0.25 * 4
    assert weighted.result("sum_over_batch_size", finalize) == 0.25 * 4 / 2
    assert weighted.result("mean_with_sample_weight", finalize) == 0.25
    with pytest.raises(ValueError, match="finalize"):
        weighted.result("sum")


def test_reduction_names() -> None:
    assert standardize_reduction(None) == "none"
    assert standardize_reduction("SUM") == "sum"
    assert set(REDUCTIONS) == {
        "sum_over_batch_size",
        "sum",
        "mean",
        "mean_with_sample_weight",
        "none",
        "max",
    }
    with pytest.raises(UsageError, match="unknown reduction 'auto'"):
        standardize_reduction("auto")
    with pytest.raises(UsageError, match="needs the rows"):
        LossState().result("none")


def test_max_reduction_is_the_largest_unweighted_value() -> None:
    state = LossState().update(np.array([1.0, 7.0, 3.0]), np.array([1.0, 0.0, 2.0]))
    assert state.result("max") == 7.0
    assert LossState().result("max") == 0.0


def test_infinite_values_stay_infinite() -> None:
    """A compensated sum must not turn inf into NaN (inf - inf in the compensation)."""
    state = LossState().update(np.array([1.0, np.inf, 2.0]))
    assert state.result("sum") == np.inf
    assert state.result("sum_over_batch_size") == np.inf
    merged = LossState().update(np.array([np.inf])).merge(LossState().update(np.array([1.0])))
    assert merged.result("sum") == np.inf
