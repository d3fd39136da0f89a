"""The streaming Poisson bootstrap: reproducible weights, coverage, agreement with a plain one."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from losscli.bootstrap import (
    BLOCK,
    QUANTILES,
    Replicates,
    cluster_weights,
    key_hashes,
    percentile_interval,
    row_weights,
)


def test_weights_depend_on_the_row_not_the_batching() -> None:
    whole = row_weights(7, 0, 3 * BLOCK + 17, 20)
    cuts = [0, 5, BLOCK - 1, BLOCK + 3, 2 * BLOCK, 3 * BLOCK + 17]
    parts = [row_weights(7, a, b - a, 20) for a, b in itertools.pairwise(cuts)]
    np.testing.assert_array_equal(whole, np.concatenate(parts))
    assert not np.array_equal(row_weights(8, 0, 100, 20), row_weights(7, 0, 100, 20))


def test_weights_are_poisson_one() -> None:
    weights = row_weights(1, 0, 20_000, 50).astype(float)
    assert weights.mean() == pytest.approx(1.0, abs=0.01)
    assert weights.var() == pytest.approx(1.0, abs=0.02)
    assert (weights == 0).mean() == pytest.approx(np.exp(-1), abs=0.01)
    assert QUANTILES.max() < 12


def test_cluster_weights_follow_the_key() -> None:
    hashes = key_hashes(np.array(["a", "b", "a", "c"]))
    weights = cluster_weights(3, hashes, 30)
    np.testing.assert_array_equal(weights[0], weights[2])
    assert not np.array_equal(weights[0], weights[1])
    np.testing.assert_array_equal(
        key_hashes(np.array([5, 6, 5]))[[0, 2]], key_hashes(np.array([5, 5]))
    )


def test_merged_replicates_equal_one_pass() -> None:
    rng = np.random.default_rng(0)
    values, weights = rng.random(5000), rng.random(5000)
    poisson = row_weights(2, 0, 5000, 40)
    whole = Replicates(40).update(poisson, values, weights)
    first = Replicates(40).update(poisson[:1234], values[:1234], weights[:1234])
    second = Replicates(40).update(poisson[1234:], values[1234:], weights[1234:])
    merged = first.merge(second)
    for reduction in ("sum", "sum_over_batch_size", "mean_with_sample_weight"):
        np.testing.assert_allclose(merged.results(reduction), whole.results(reduction), rtol=1e-12)
    again = Replicates.from_dict(merged.to_dict())
    np.testing.assert_array_equal(again.results("sum"), merged.results("sum"))


def test_agrees_with_a_plain_in_memory_bootstrap() -> None:
    """Same Poisson weights, computed the obvious way, give the same replicates."""
    rng = np.random.default_rng(1)
    values = rng.exponential(size=500)
    poisson = row_weights(9, 0, 500, 200).astype(float)
    plain = [np.sum(poisson[:, r] * values) / np.sum(poisson[:, r]) for r in range(200)]
    streamed = Replicates(200).update(row_weights(9, 0, 500, 200), values)
    np.testing.assert_allclose(streamed.results("sum_over_batch_size"), plain, rtol=1e-12)
    assert streamed.interval("sum_over_batch_size", 0.9) == pytest.approx(
        percentile_interval(plain, 0.9)
    )


def test_interval_covers_the_true_mean_at_its_nominal_rate() -> None:
    """95% intervals over 300 simulated data sets cover the true mean 92-98% of the time."""
    rng = np.random.default_rng(2024)
    covered = 0
    for simulation in range(300):
        values = rng.gamma(2.0, 1.0, 200)  # true mean 2.0, skewed like a loss
        replicates = Replicates(400).update(row_weights(simulation, 0, 200, 400), values)
        low, high = replicates.interval("sum_over_batch_size", 0.95)
        covered += low <= 2.0 <= high
    assert 0.92 <= covered / 300 <= 0.98
