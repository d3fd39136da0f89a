"""PairedComputation parts computed apart and merged equal one pass over the same rows."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from losscli.cli.options import parse_losses
from losscli.compare import CompareOptions, PairedComputation
from losscli.compare.accumulators import Accumulator
from losscli.compare.poisson import poisson_draw
from losscli.compare.slices import MAX_SLICES
from losscli.errors import UsageError
from losscli.losses import Scope
from losscli.pipeline import make_jobs

ROWS = 900
CUTS = (0, 130, 131, 520, ROWS)  # a one-row part, and parts that see new slices first


def data(seed: int = 3) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, ROWS).astype(np.float64)
    region = rng.choice(np.array(["us", "eu"]), ROWS).astype(object)
    region[600:] = rng.choice(np.array(["apac", "eu", None], dtype=object), ROWS - 600)
    return {
        "y_true": y,
        "new": np.clip(0.7 * y + 0.3 * rng.random(ROWS), 0.02, 0.98),
        "old": np.clip(0.4 * y + 0.6 * rng.random(ROWS), 0.02, 0.98),
        "w": rng.uniform(0.5, 2.0, ROWS),
        "region": region,
        "tier": rng.integers(0, 3, ROWS),
    }


def computation(losses: list[str], **options: Any) -> PairedComputation:
    settings = {"replicates": 30, "seed": 5, "level": 0.9, **options}
    jobs = make_jobs(parse_losses(tuple(losses), ()))
    return PairedComputation(jobs, CompareOptions(**settings), group_by=("region", "tier"))


def fed(base: PairedComputation, columns: dict[str, Any], lo: int, hi: int) -> PairedComputation:
    """A fresh copy of ``base`` fed rows ``lo .. hi - 1`` at their input positions."""
    part = base.fresh()
    options = base.options
    ids = part.slice_ids([pa.array(columns["region"][lo:hi]), pa.array(columns["tier"][lo:hi])])
    part.feed(
        columns["y_true"][lo:hi],
        columns["new"][lo:hi],
        columns["old"][lo:hi],
        poisson=poisson_draw(options.seed, options.replicates, start=lo),
        sample_weight=columns["w"][lo:hi],
        slice_ids=ids,
        row_offset=lo,
    )
    return part


def as_dicts(result: PairedComputation) -> list[dict[str, Any]]:
    return [r.to_dict() for r in result.results()]


def assert_close(one: Any, other: Any, path: str = "") -> None:
    if isinstance(one, dict):
        assert one.keys() == other.keys(), path
        for key in one:
            assert_close(one[key], other[key], f"{path}/{key}")
    elif isinstance(one, list):
        assert len(one) == len(other), path
        for index, (a, b) in enumerate(zip(one, other, strict=True)):
            assert_close(a, b, f"{path}[{index}]")
    elif isinstance(one, float) and not math.isnan(one):
        assert other == pytest.approx(one, rel=1e-12, abs=1e-300), path
    else:
        assert one == other or (one != one and other != other), path


@pytest.mark.parametrize(
    ("losses", "options"),
    [
        (["mse", "bce", "dice", "hinge"], {}),
        (["mae", "huber"], {"reduction": "max"}),
        (["mse", "dice"], {"reduction": "mean_with_sample_weight", "dtype": "float64"}),
    ],
)
def test_merged_parts_equal_one_pass_in_either_grouping(losses: list[str], options: dict) -> None:
    columns = data()
    base = computation(losses, **options)
    if base.needs_scan:
        base.scan([(columns["y_true"], columns["w"])])
    one_pass = fed(base, columns, 0, ROWS)
    parts = [fed(base, columns, lo, hi) for lo, hi in itertools.pairwise(CUTS)]
    left = parts[0]
    for part in parts[1:]:
        left = left.merge(part)
    right = parts[-1]
    for part in reversed(parts[:-1]):
        right = part.merge(right)
    expected = as_dicts(one_pass)
    assert len(expected) == len(losses) * 13  # all, then 4 regions x 3 tiers
    assert_close(expected, as_dicts(left))
    assert_close(expected, as_dicts(right))
    assert left.rows == right.rows == ROWS
    # the slices are the same values, in the same order, shown as first seen
    assert [r.slice for r in one_pass.results()] == [r.slice for r in left.results()]


def test_merge_changes_neither_input_and_absorb_equals_merge() -> None:
    columns = data()
    base = computation(["mse", "dice"])
    first, second = fed(base, columns, 0, 400), fed(base, columns, 400, ROWS)
    before = (as_dicts(first), as_dicts(second))
    merged = first.merge(second)
    assert (as_dicts(first), as_dicts(second)) == before
    first.absorb(second)
    assert_close(as_dicts(merged), as_dicts(first))
    assert first.rows == ROWS


def test_merging_with_an_empty_part_changes_nothing() -> None:
    columns = data()
    whole = fed(computation(["bce"]), columns, 0, ROWS)
    empty = whole.fresh()
    assert as_dicts(empty.merge(whole)) == as_dicts(whole) == as_dicts(whole.merge(empty))


def test_merged_slices_over_the_limit_are_refused_like_one_pass() -> None:
    half = MAX_SLICES // 2 + 1
    jobs = make_jobs(parse_losses(("mse",), ()))
    parts = []
    for lo in (0, half):
        part = PairedComputation(jobs, CompareOptions(replicates=2), group_by=("g",))
        values = np.arange(lo, lo + half)
        ids = part.slice_ids([pa.array(values)])
        ones = np.ones(half)
        part.feed(ones, ones, ones, poisson=poisson_draw(0, 2, start=lo), slice_ids=ids)
        parts.append(part)
    with pytest.raises(UsageError, match=f"more than {MAX_SLICES} distinct"):
        parts[0].merge(parts[1])


def test_accumulator_merge_adds_replicates_and_keeps_maxima() -> None:
    one, two = (Accumulator(Scope.ROW, "max", 3) for _ in range(2))
    one.add_maxima(np.array([[1, 0, 2]]), np.array([0.5]))
    two.add_maxima(np.array([[0, 1, 1]]), np.array([0.7]))
    np.testing.assert_array_equal(one.merge(two).maxima, [0.5, 0.7, 0.7])
    sums = [Accumulator(Scope.ROW, "sum", 2) for _ in range(2)]
    sums[0].add_sums(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    sums[1].add_sums(np.array([[0.5, 0.5, 1.0], [1.0, 1.0, 1.0]]))
    merged = sums[0].merge(sums[1])
    assert merged.replicates is not None
    np.testing.assert_array_equal(merged.replicates.value_sums, [1.5, 5.0])
    np.testing.assert_array_equal(merged.replicates.counts, [4.0, 7.0])
