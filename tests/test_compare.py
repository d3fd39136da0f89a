"""Paired model comparison: hand-checked cases, agreement with in-memory references, the join."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import losscli
from losscli.bootstrap import cluster_weights, key_hashes, percentile_interval, row_weights
from losscli.cli.options import parse_losses
from losscli.compare import (
    COMPARE_SCHEMA,
    CompareOptions,
    CompareRequest,
    ComparisonReport,
    compare_arrays,
    compare_inputs,
    verdict,
)
from losscli.errors import ColumnError, InputDataError, UsageError
from losscli.io import join_partition
from losscli.io.join import KeyedJoin, partition_of
from losscli.io.sources import InputSpec, open_source
from losscli.losses import Scope, get_loss
from tests.strategies import sample_inputs

R = 60  # replicates: enough to exercise the bootstrap, small enough to be quick
SEED = 11
LEVEL = 0.9


# --------------------------------------------------------------------------------------------
# data and references


def binary_data(rows: int = 400, seed: int = 0) -> dict[str, np.ndarray]:
    """Labels, a good model and a worse one, ids, weights and a region."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, rows).astype(np.float64)
    good = np.clip(0.75 * y + 0.25 * rng.random(rows), 0.02, 0.98)
    poor = np.clip(0.45 * y + 0.55 * rng.random(rows), 0.02, 0.98)
    return {
        "id": rng.permutation(np.arange(1000, 1000 + rows)),
        "y_true": y,
        "good": good,
        "poor": poor,
        "w": rng.uniform(0.5, 2.0, rows),
        "region": rng.choice(np.array(["eu", "us", "apac"]), rows),
    }


def write(path: Path, columns: dict[str, Any]) -> str:
    table = pa.table(columns)
    if path.suffix == ".csv":
        pacsv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    return str(path)


def resampled(loss: str, counts: np.ndarray, y: np.ndarray, p: np.ndarray, **kw: Any) -> float:
    """The loss of the rows repeated ``counts`` times: one bootstrap replicate, by definition."""
    rows = np.repeat(np.arange(len(y)), counts)
    weights = kw.pop("sample_weight", None)
    weights = None if weights is None else weights[rows]
    return float(losscli.compute(loss, y[rows], p[rows], sample_weight=weights, **kw).value)


def plain_paired_interval(
    loss: str,
    poisson: np.ndarray,
    y: np.ndarray,
    new: np.ndarray,
    old: np.ndarray,
    level: float = LEVEL,
    **kw: Any,
) -> tuple[float, float]:
    """A plain in-memory paired bootstrap: each replicate recomputes both models."""
    deltas = [
        resampled(loss, poisson[:, r], y, new, **kw) - resampled(loss, poisson[:, r], y, old, **kw)
        for r in range(poisson.shape[1])
    ]
    return percentile_interval(deltas, level)


def options(**kw: Any) -> CompareOptions:
    return CompareOptions(**{"replicates": R, "seed": SEED, "level": LEVEL, **kw})


def run_files(
    request: CompareRequest, losses: tuple[str, ...] = ("bce",), **kw: Any
) -> ComparisonReport:
    settings = {k: kw.pop(k) for k in list(kw) if k in CompareOptions.__dataclass_fields__}
    return compare_inputs(parse_losses(losses, ()), request, options(**settings), **kw)


def overall(report: ComparisonReport, label: str | None = None) -> Any:
    return next(
        r for r in report.results if r.slice is None and (label is None or r.label == label)
    )


def assert_same_result(first: Any, second: Any, tolerance: float = 1e-12) -> None:
    for attribute in ("delta", "ci_low", "ci_high"):
        assert getattr(first, attribute) == pytest.approx(
            getattr(second, attribute), rel=tolerance, abs=tolerance
        ), attribute
    for model in ("new", "old"):
        a, b = getattr(first, model), getattr(second, model)
        assert a.value == pytest.approx(b.value, rel=tolerance, abs=tolerance)
        assert (a.ci_low, a.ci_high) == pytest.approx((b.ci_low, b.ci_high), rel=tolerance)
        assert (a.rows_used, a.skipped) == (b.rows_used, b.skipped)
    assert first.verdict == second.verdict


# --------------------------------------------------------------------------------------------
# hand-checkable cases


def test_identical_predictions_give_zero_and_no_significant_difference() -> None:
    data = binary_data()
    result = compare_arrays("bce", data["y_true"], data["good"], data["good"], replicates=R)
    assert result.delta == 0.0
    assert (result.ci_low, result.ci_high) == (0.0, 0.0)
    assert result.verdict == "no significant difference"
    assert result.new == result.old


def test_a_clearly_better_model_is_better_and_the_reverse_worse() -> None:
    data = binary_data()
    better = compare_arrays("mse", data["y_true"], data["good"], data["poor"], replicates=R)
    assert better.delta < 0
    assert better.ci_low <= better.delta <= better.ci_high < 0
    assert better.verdict == "better"
    worse = compare_arrays("mse", data["y_true"], data["poor"], data["good"], replicates=R)
    assert worse.verdict == "worse"
    assert worse.delta == pytest.approx(-better.delta)
    assert (worse.ci_low, worse.ci_high) == pytest.approx((-better.ci_high, -better.ci_low))


def test_a_tiny_hand_example() -> None:
    """mse of [0, 0] vs [1, 1] on targets [0, 0]: new 0, old 1, delta -1 in every replicate."""
    result = compare_arrays("mse", [[0.0], [0.0]], [[0.0], [0.0]], [[1.0], [1.0]], replicates=50)
    assert (result.new.value, result.old.value, result.delta) == (0.0, 1.0, -1.0)
    # a replicate that draws no row has the loss 0/0 = 0 for both models (delta 0), as Keras
    assert result.ci_low == -1.0
    assert result.verdict in ("better", "no significant difference")


@pytest.mark.parametrize(
    ("low", "high", "higher", "expected"),
    [
        (-0.2, -0.1, False, "better"),
        (0.1, 0.2, False, "worse"),
        (-0.1, 0.1, False, "no significant difference"),
        (-0.1, 0.0, False, "no significant difference"),
        (0.0, 0.0, False, "no significant difference"),
        (0.1, 0.2, True, "better"),
        (-0.2, -0.1, True, "worse"),
        (math.nan, 0.1, False, "undetermined"),
    ],
)
def test_verdict_rule(low: float, high: float, higher: bool, expected: str) -> None:
    assert verdict(low, high, higher_is_better=higher) == expected


# --------------------------------------------------------------------------------------------
# agreement with in-memory computations


@pytest.mark.parametrize(
    ("loss", "kw"),
    [
        ("bce", {}),
        ("mse", {"sample_weight": True}),
        ("huber", {"delta": 0.3, "reduction": "mean_with_sample_weight", "sample_weight": True}),
        ("mae", {"reduction": "sum", "dtype": "float64"}),
        ("rmse", {}),  # dataset scope: a ratio of sums, resampled statistics
        ("rmse", {"sample_weight": True}),
        ("max_error", {}),  # the max reduction
    ],
)
def test_values_and_interval_agree_with_in_memory_computations(loss: str, kw: dict) -> None:
    data = binary_data(300)
    y, new, old = data["y_true"], data["good"], data["poor"]
    if kw.pop("sample_weight", False):
        kw["sample_weight"] = data["w"]
    result = compare_arrays(loss, y, new, old, replicates=R, seed=SEED, level=LEVEL, **kw)
    reduction = kw.get("reduction")
    for model, pred in (("new", new), ("old", old)):
        expected = losscli.compute(loss, y, pred, **kw)
        assert getattr(result, model).value == pytest.approx(float(expected.value), rel=1e-12)
    assert result.delta == pytest.approx(result.new.value - result.old.value, rel=1e-12)
    poisson = row_weights(SEED, 0, len(y), R)
    low, high = plain_paired_interval(loss, poisson, y, new, old, **kw)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), rel=1e-12, abs=1e-12)
    assert result.reduction == (reduction or losscli.get_loss(loss).default_reduction)


@pytest.mark.parametrize("spec", losscli.list_losses(), ids=lambda spec: spec.name)
def test_every_loss_agrees_with_compute_and_a_resampling_bootstrap(spec: Any) -> None:
    """Each model's value is compute's; each replicate is the loss of the resampled rows.

    Batch-scope losses keep each row's value from its batch (a replicate reweighs rows, it does
    not re-form batches), so only their values are checked.
    """
    y, new = sample_inputs(spec, np.random.default_rng(1), 64)
    new = np.asarray(new)
    old = new[np.random.default_rng(2).permutation(len(new))]
    result = compare_arrays(spec.name, y, new, old, replicates=5, seed=SEED)
    for model, pred in (("new", new), ("old", old)):
        expected = float(losscli.compute(spec.name, y, pred).value)
        assert getattr(result, model).value == pytest.approx(expected, rel=1e-12, abs=1e-12)
    if get_loss(spec.name).scope is Scope.BATCH:
        return
    poisson = row_weights(SEED, 0, len(new), 5)
    interval = plain_paired_interval(spec.name, poisson, np.asarray(y), new, old, level=0.95)
    assert (result.ci_low, result.ci_high) == pytest.approx(interval, rel=1e-12, abs=1e-12)


def test_keys_make_the_weights_follow_the_key() -> None:
    data = binary_data(200)
    y, new, old, ids = data["y_true"], data["good"], data["poor"], data["id"]
    result = compare_arrays("bce", y, new, old, keys=ids, replicates=R, seed=SEED, level=LEVEL)
    poisson = cluster_weights(SEED, key_hashes(ids), R)
    expected = plain_paired_interval("bce", poisson, y, new, old)
    assert (result.ci_low, result.ci_high) == pytest.approx(expected, rel=1e-12)
    order = np.random.default_rng(5).permutation(len(y))
    shuffled = compare_arrays(
        "bce",
        y[order],
        new[order],
        old[order],
        keys=ids[order],
        replicates=R,
        seed=SEED,
        level=LEVEL,
    )
    assert_same_result(shuffled, result)


def test_nan_skip_drops_each_models_own_rows() -> None:
    data = binary_data(200)
    y, new, old = data["y_true"], data["good"].copy(), data["poor"].copy()
    new[[3, 50]] = np.nan
    old[[7]] = np.nan
    result = compare_arrays("bce", y, new, old, nan="skip", replicates=R)
    assert (result.new.skipped, result.old.skipped) == (2, 1)
    assert (result.new.rows_used, result.old.rows_used) == (198, 199)
    assert result.new.value == pytest.approx(losscli.compute("bce", y, new, nan="skip").value)
    with pytest.raises(InputDataError, match=r"NEW predictions.*--nan skip"):
        compare_arrays("bce", y, new, old, replicates=R)


def test_options_are_validated() -> None:
    with pytest.raises(UsageError, match="between 0 and 1"):
        CompareOptions(level=1.5)
    with pytest.raises(UsageError, match="reduction 'none'"):
        CompareOptions(reduction="none")
    with pytest.raises(UsageError, match="replicates"):
        CompareOptions(replicates=0)
    with pytest.raises(InputDataError, match="y_pred_old has 2 rows"):
        compare_arrays("mse", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 2.0])


# --------------------------------------------------------------------------------------------
# over files: the keyed join


@pytest.fixture
def keyed_files(tmp_path: Path) -> tuple[str, str, dict[str, np.ndarray]]:
    """NEW (Parquet) and OLD (CSV, shuffled) with 5 rows only in NEW and 3 only in OLD."""
    data = binary_data(500)
    order = np.random.default_rng(1).permutation(500)
    new_rows, old_rows = np.arange(5, 500), order[order >= 3]
    new = write(
        tmp_path / "new.parquet",
        {
            "id": data["id"][new_rows],
            "y_true": data["y_true"][new_rows],
            "y_pred": data["good"][new_rows],
            "w": data["w"][new_rows],
            "region": data["region"][new_rows],
        },
    )
    old_ids = data["id"][old_rows].copy()
    old_ids[:3] = [1, 2, 3]  # three OLD rows whose ids are not in NEW
    old = write(
        tmp_path / "old.csv",
        {"id": old_ids, "y_true": data["y_true"][old_rows], "y_pred": data["poor"][old_rows]},
    )
    return new, old, data


def matched_arrays(new_path: str, old_path: str) -> dict[str, np.ndarray]:
    """The inner join of the two files, computed plainly in memory (NEW's order)."""
    new = pq.read_table(new_path).to_pydict()
    old = pacsv.read_csv(old_path).to_pydict()
    position = {key: i for i, key in enumerate(old["id"])}
    rows = [i for i, key in enumerate(new["id"]) if key in position]
    pick = [position[new["id"][i]] for i in rows]
    return {
        "id": np.array(new["id"])[rows],
        "y_true": np.array(new["y_true"])[rows],
        "new": np.array(new["y_pred"])[rows],
        "old": np.array(old["y_pred"])[pick],
        "w": np.array(new["w"])[rows],
        "region": np.array(new["region"])[rows],
    }


def test_keyed_files_agree_with_the_in_memory_reference(keyed_files: tuple) -> None:
    new, old, _ = keyed_files
    report = run_files(
        CompareRequest(new, old, key="id", sample_weight="w"), ("bce", "mse"), batch_size=64
    )
    matched = matched_arrays(new, old)
    y, w = matched["y_true"], matched["w"]
    poisson = cluster_weights(SEED, key_hashes(matched["id"]), R)
    for name in ("bce", "mse"):
        result = overall(report, get_loss(name).name)
        for model in ("new", "old"):
            expected = losscli.compute(name, y, matched[model], sample_weight=w).value
            assert getattr(result, model).value == pytest.approx(expected, rel=1e-12)
        low, high = plain_paired_interval(
            name, poisson, y, matched["new"], matched["old"], sample_weight=w
        )
        assert (result.ci_low, result.ci_high) == pytest.approx((low, high), rel=1e-12)
        assert result.verdict == "better"
    assert report.weights == "key"


def test_unmatched_rows_are_counted_per_side(keyed_files: tuple) -> None:
    new, old, _ = keyed_files
    notes: list[str] = []
    report = run_files(CompareRequest(new, old, key="id"), note=notes.append)
    counts = report.counts
    assert (counts.new, counts.old, counts.matched) == (495, 497, 492)
    assert (counts.only_new, counts.only_old) == (3, 5)
    assert overall(report).rows == 492
    assert any("3 row(s) of NEW have no match in OLD and 5 row(s) of OLD" in n for n in notes)
    document = report.to_dict()
    assert document["rows"] == {
        "new": 495,
        "old": 497,
        "matched": 492,
        "only_new": 3,
        "only_old": 5,
    }


def test_keyed_results_do_not_depend_on_batches_partitions_or_row_order(
    keyed_files: tuple, tmp_path: Path
) -> None:
    new, old, _ = keyed_files
    request = CompareRequest(new, old, key="id", sample_weight="w", group_by=("region",))
    reference = run_files(request, ("bce", "rmse"), batch_size=65_536)
    shuffled_old = pacsv.read_csv(old)
    shuffled_old = shuffled_old.take(np.random.default_rng(9).permutation(len(shuffled_old)))
    shuffled = write(tmp_path / "old_shuffled.parquet", shuffled_old.to_pydict())
    variants = [
        run_files(request, ("bce", "rmse"), batch_size=7),
        # 3 partitions of about 100 rows; each is over twice that, so each is split again
        run_files(request, ("bce", "rmse"), batch_size=50, rows_per_partition=100),
        run_files(
            CompareRequest(new, shuffled, key="id", sample_weight="w", group_by=("region",)),
            ("bce", "rmse"),
        ),
    ]
    for variant in variants:
        assert len(variant.results) == len(reference.results) == 8
        for first, second in zip(variant.results, reference.results, strict=True):
            assert (first.label, first.slice, first.rows) == (
                second.label,
                second.slice,
                second.rows,
            )
            assert_same_result(first, second)


def test_partitioning_splits_by_key_hash_and_resplits_large_parts(keyed_files: tuple) -> None:
    new, old, _ = keyed_files
    with (
        open_source(InputSpec((new,), batch_size=64)) as first,
        open_source(InputSpec((old,), batch_size=64)) as second,
        KeyedJoin(
            first, second, "id", ["y_pred"], ["y_pred"], batch_size=64, rows_per_partition=60
        ) as joined,
    ):
        rows = sum(batch.num_rows for batch in joined.batches())
        assert rows == joined.counts.matched == 492
        assert joined.partitions > 8  # 9 by size at first; parts over 120 rows are split again
    parts = partition_of(key_hashes(np.arange(10_000)), 8)
    assert np.bincount(parts).min() > 1000  # sequential ids spread evenly


def test_duplicate_keys_are_a_data_error_naming_the_key(tmp_path: Path) -> None:
    new = write(
        tmp_path / "n.parquet", {"id": ["a", "b", "c"], "y_true": [0.0] * 3, "y_pred": [0.5] * 3}
    )
    old = write(
        tmp_path / "o.parquet",
        {"id": ["c", "b", "b", "x"], "y_true": [0.0] * 4, "y_pred": [0.1] * 4},
    )
    with pytest.raises(InputDataError, match=r"key 'b' appears 2 times in OLD"):
        run_files(CompareRequest(new, old, key="id"))
    twice = write(
        tmp_path / "d.parquet", {"id": ["x", "x"], "y_true": [0.0, 1.0], "y_pred": [0.5, 0.5]}
    )
    with pytest.raises(InputDataError, match=r"key 'x' appears 2 times in NEW"):
        run_files(CompareRequest(twice, old, key="id"))


def test_y_true_mismatch_is_a_data_error_naming_the_key(tmp_path: Path) -> None:
    new = write(
        tmp_path / "n.parquet", {"id": [1, 2, 3], "y_true": [0.0, 1.0, 1.0], "y_pred": [0.2] * 3}
    )
    old = write(
        tmp_path / "o.parquet", {"id": [3, 2, 1], "y_true": [1.0, 0.0, 0.0], "y_pred": [0.4] * 3}
    )
    with pytest.raises(InputDataError, match=r"y_true differs between NEW and OLD at key 2 "):
        run_files(CompareRequest(new, old, key="id"))


def test_y_true_stored_as_float32_in_one_file_still_agrees(tmp_path: Path) -> None:
    y = np.array([0.1, 0.7, 0.3])
    new = write(tmp_path / "n.parquet", {"id": [1, 2, 3], "y_true": y, "y_pred": [0.2] * 3})
    old = write(
        tmp_path / "o.parquet",
        {"id": [1, 2, 3], "y_true": y.astype(np.float32), "y_pred": [0.4] * 3},
    )
    assert overall(run_files(CompareRequest(new, old, key="id"), ("mse",))).rows == 3


def test_old_without_targets_is_noted_and_not_checked(tmp_path: Path) -> None:
    new = write(tmp_path / "n.parquet", {"id": [1, 2], "y_true": [0.0, 1.0], "y_pred": [0.2, 0.9]})
    old = write(tmp_path / "o.parquet", {"id": [2, 1], "score": [0.5, 0.5]})
    notes: list[str] = []
    report = run_files(CompareRequest(new, old, key="id"), ("mse",), note=notes.append)
    assert overall(report).old.value == pytest.approx(0.25)
    assert any("OLD has no y_true column" in n for n in notes)
    assert any("OLD: using column 'score' as y_pred" in n for n in notes)


def test_string_keys_and_list_columns_join(tmp_path: Path) -> None:
    """Multi-class predictions in list columns survive the join (Table.join cannot carry them)."""
    rng = np.random.default_rng(3)
    labels = np.eye(3)[rng.integers(0, 3, 60)]
    new_pred = rng.dirichlet(np.ones(3), 60) * 0.5 + labels * 0.5
    old_pred = rng.dirichlet(np.ones(3), 60)
    ids = np.array([f"row-{i}" for i in range(60)])
    new = write(
        tmp_path / "n.parquet", {"id": ids, "y_true": list(labels), "y_pred": list(new_pred)}
    )
    order = rng.permutation(60)
    old = write(
        tmp_path / "o.parquet",
        {"id": ids[order], "y_true": list(labels[order]), "y_pred": list(old_pred[order])},
    )
    result = overall(run_files(CompareRequest(new, old, key="id"), ("categorical_crossentropy",)))
    expected = compare_arrays(
        "categorical_crossentropy",
        labels,
        new_pred,
        old_pred,
        keys=ids,
        replicates=R,
        seed=SEED,
        level=LEVEL,
    )
    assert_same_result(result, expected)


def test_key_types_must_be_compatible(tmp_path: Path) -> None:
    new = write(tmp_path / "n.parquet", {"id": [1, 2], "y_true": [0.0, 1.0], "y_pred": [0.2, 0.9]})
    old = write(
        tmp_path / "o.parquet", {"id": ["1", "2"], "y_true": [0.0, 1.0], "y_pred": [0.2, 0.9]}
    )
    with pytest.raises(ColumnError, match="--key 'id' holds int64 values in NEW but string"):
        run_files(CompareRequest(new, old, key="id"))
    old32 = write(
        tmp_path / "o32.parquet",
        {"id": pa.array([2, 1], pa.int32()), "y_true": [1.0, 0.0], "y_pred": [0.5, 0.5]},
    )
    assert run_files(CompareRequest(new, old32, key="id")).counts.matched == 2


def test_null_keys_and_no_match_are_data_errors(tmp_path: Path) -> None:
    new = write(
        tmp_path / "n.parquet", {"id": [1, None], "y_true": [0.0, 1.0], "y_pred": [0.2, 0.9]}
    )
    old = write(tmp_path / "o.parquet", {"id": [5, 6], "y_true": [0.0, 1.0], "y_pred": [0.2, 0.9]})
    with pytest.raises(InputDataError, match=r"key column 'id' of NEW .* is empty at row 1"):
        run_files(CompareRequest(new, old, key="id"))
    other = write(
        tmp_path / "m.parquet", {"id": [1, 2], "y_true": [0.0, 1.0], "y_pred": [0.2, 0.9]}
    )
    with pytest.raises(InputDataError, match=r"no key of NEW .* is in OLD"):
        run_files(CompareRequest(other, old, key="id"))


def test_temporary_files_are_removed_after_success_and_error(
    keyed_files: tuple, tmp_path: Path
) -> None:
    new, old, _ = keyed_files
    spool = tmp_path / "spool"
    spool.mkdir()
    run_files(CompareRequest(new, old, key="id"), temp_dir=str(spool), rows_per_partition=50)
    assert list(spool.iterdir()) == []
    bad = write(
        tmp_path / "bad.parquet", {"id": [1000, 1000], "y_true": [0.0, 0.0], "y_pred": [0.1, 0.1]}
    )
    with pytest.raises(InputDataError):
        run_files(CompareRequest(new, bad, key="id"), temp_dir=str(spool), rows_per_partition=50)
    assert list(spool.iterdir()) == []


def test_write_buffers_are_flushed_in_row_groups(
    keyed_files: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small write buffer (many flushes) gives the same result as one flush."""
    new, old, _ = keyed_files
    reference = overall(run_files(CompareRequest(new, old, key="id"), rows_per_partition=100))
    monkeypatch.setattr(join_partition, "BUFFER_BYTES", 512)
    flushed = overall(
        run_files(CompareRequest(new, old, key="id"), rows_per_partition=100, batch_size=20)
    )
    assert_same_result(flushed, reference)


# --------------------------------------------------------------------------------------------
# by position and within one file


def test_aligned_files_pair_rows_by_position(tmp_path: Path) -> None:
    data = binary_data(300)
    new = write(tmp_path / "n.parquet", {"y_true": data["y_true"], "y_pred": data["good"]})
    old = write(tmp_path / "o.csv", {"y_true": data["y_true"], "y_pred": data["poor"]})
    report = run_files(CompareRequest(new, old, aligned=True), ("bce",), batch_size=37)
    expected = compare_arrays(
        "bce", data["y_true"], data["good"], data["poor"], replicates=R, seed=SEED, level=LEVEL
    )
    assert_same_result(overall(report), expected)
    assert report.weights == "row"
    short = write(tmp_path / "s.csv", {"y_true": data["y_true"][:-2], "y_pred": data["poor"][:-2]})
    with pytest.raises(InputDataError, match="NEW has 300 rows and OLD has 298"):
        run_files(CompareRequest(new, short, aligned=True), batch_size=64)


def test_same_file_mode_equals_the_api(tmp_path: Path) -> None:
    data = binary_data(250)
    path = write(
        tmp_path / "both.csv",
        {"id": data["id"], "label": data["y_true"], "p_new": data["good"], "p_old": data["poor"]},
    )
    request = CompareRequest(path, y_pred_new="p_new", y_pred_old="p_old")
    report = run_files(request, ("bce",), batch_size=100)
    expected = compare_arrays(
        "bce", data["y_true"], data["good"], data["poor"], replicates=R, seed=SEED, level=LEVEL
    )
    assert_same_result(overall(report), expected)
    assert report.mode == "same-file" and report.counts.matched == 250
    keyed = run_files(CompareRequest(path, key="id", y_pred_new="p_new", y_pred_old="p_old"))
    expected = compare_arrays(
        "bce",
        data["y_true"],
        data["good"],
        data["poor"],
        keys=data["id"],
        replicates=R,
        seed=SEED,
        level=LEVEL,
    )
    assert_same_result(overall(keyed), expected)
    with pytest.raises(UsageError, match="--y-pred-new COLS and --y-pred-old COLS"):
        run_files(CompareRequest(path, y_pred_new="p_new"))


@pytest.mark.parametrize("reduction", [None, "max"])
def test_a_batch_whose_rows_are_all_skipped(tmp_path: Path, reduction: str | None) -> None:
    """--nan skip dropping every row of one batch (a run of NaN rows) is no error."""
    data = binary_data(40)
    good = data["good"].copy()
    good[:10] = np.nan
    path = write(tmp_path / "nan.parquet", {"y": data["y_true"], "a": good, "b": data["poor"]})
    request = CompareRequest(path, y_true="y", y_pred_new="a", y_pred_old="b")
    report = run_files(request, ("bce",), batch_size=10, nan="skip", reduction=reduction)
    expected = compare_arrays(
        "bce",
        data["y_true"],
        good,
        data["poor"],
        nan="skip",
        reduction=reduction,
        replicates=R,
        seed=SEED,
        level=LEVEL,
    )
    assert_same_result(overall(report), expected)
    assert (overall(report).new.rows_used, overall(report).new.skipped) == (30, 10)


def test_requests_are_validated() -> None:
    with pytest.raises(UsageError, match="need --key COL"):
        CompareRequest("a", "b").validate()
    with pytest.raises(UsageError, match="not both"):
        CompareRequest("a", "b", key="id", aligned=True).validate()
    with pytest.raises(UsageError, match="one of NEW and OLD"):
        CompareRequest("-", "-", key="id").validate()


def test_batch_scope_losses_need_file_order(keyed_files: tuple) -> None:
    new, old, _ = keyed_files
    with pytest.raises(UsageError, match="partition order"):
        run_files(CompareRequest(new, old, key="id"), ("triplet_semihard",))


# --------------------------------------------------------------------------------------------
# slices


def test_each_slice_equals_the_comparison_of_its_rows(keyed_files: tuple) -> None:
    new, old, _ = keyed_files
    request = CompareRequest(new, old, key="id", group_by=("region",))
    report = run_files(request, ("mse",), batch_size=50)
    matched = matched_arrays(new, old)
    slices = [r for r in report.results if r.slice is not None]
    assert [r.slice for r in slices] == [(("region", v),) for v in ("apac", "eu", "us")]
    for result in slices:
        rows = matched["region"] == result.slice[0][1]
        expected = compare_arrays(
            "mse",
            matched["y_true"][rows],
            matched["new"][rows],
            matched["old"][rows],
            keys=matched["id"][rows],
            replicates=R,
            seed=SEED,
            level=LEVEL,
        )
        assert result.rows == int(rows.sum())
        assert_same_result(result, expected)
    assert sum(r.rows for r in slices) == overall(report).rows


def test_slices_of_two_columns_and_nulls(tmp_path: Path) -> None:
    path = write(
        tmp_path / "g.parquet",
        {
            "y": [0.0, 1.0, 1.0, 0.0, 1.0, 0.0],
            "a": [0.1, 0.8, 0.9, 0.2, 0.7, 0.3],
            "b": [0.5] * 6,
            "g": ["x", "x", None, "y", None, "x"],
            "h": [1, 2, 1, 1, 1, 1],
        },
    )
    request = CompareRequest(path, y_true="y", y_pred_new="a", y_pred_old="b", group_by=("g", "h"))
    report = run_files(request, ("mse",))
    keys = [r.slice for r in report.results if r.slice is not None]
    assert keys == [
        (("g", "x"), ("h", 1)),
        (("g", "x"), ("h", 2)),
        (("g", "y"), ("h", 1)),
        (("g", None), ("h", 1)),
    ]
    assert [r.rows for r in report.results] == [6, 2, 1, 1, 2]
    assert report.to_dict()["results"][4]["slice"] == {"g": None, "h": 1}


def test_slices_of_a_dictionary_column_with_nulls(tmp_path: Path) -> None:
    """A categorical (dictionary) group column slices as its plain values, null included."""
    groups = ["x", None, "y", "x", None, "x"]
    columns = {"y": [0.0, 1.0, 1.0, 0.0, 1.0, 0.0], "a": [0.1, 0.8, 0.9, 0.2, 0.7, 0.3]}
    columns["b"] = [0.5] * 6
    plain = write(tmp_path / "plain.parquet", {**columns, "g": groups})
    coded = write(
        tmp_path / "coded.parquet", {**columns, "g": pa.array(groups).dictionary_encode()}
    )
    reports = [
        run_files(CompareRequest(path, y_true="y", y_pred_new="a", y_pred_old="b", group_by=("g",)))
        for path in (plain, coded)
    ]
    assert [(r.slice, r.rows) for r in reports[1].results] == [
        (None, 6),
        ((("g", "x"),), 3),
        ((("g", "y"),), 1),
        ((("g", None),), 2),
    ]
    for first, second in zip(*(report.results for report in reports), strict=True):
        assert first.slice == second.slice
        assert_same_result(first, second)


# --------------------------------------------------------------------------------------------
# report: gates and JSON


def test_gate_lookups(keyed_files: tuple) -> None:
    new, old, _ = keyed_files
    report = run_files(CompareRequest(new, old, key="id", group_by=("region",)), ("bce", "mse"))
    result = overall(report, "binary_crossentropy")
    assert report.lookup(("delta",), "bce") == (
        "binary_crossentropy",
        result.delta,
        "sum_over_batch_size",
    )
    assert report.lookup(("ci_low", "delta"), "bce")[1] == result.ci_low
    assert report.lookup(("ci_high", "delta"), "binary_crossentropy")[1] == result.ci_high
    assert report.lookup(("new",), "bce")[1] == result.new.value
    assert report.lookup(("ci_high", "old"), "bce")[1] == result.old.ci_high
    slices = [r for r in report.results if r.label == "binary_crossentropy" and r.slice]
    _, worst, what = report.lookup(("max_slice", "delta"), "bce")
    assert worst == max(r.delta for r in slices)
    assert "slice region=" in what
    assert report.lookup(("min_slice", "ci_low", "delta"), "mse")[1] == min(
        r.ci_low for r in report.results if r.label == "mean_squared_error" and r.slice
    )
    with pytest.raises(UsageError, match=r"new\(LOSS\), old\(LOSS\) or delta\(LOSS\)"):
        report.lookup((), "bce")
    with pytest.raises(UsageError, match="no compared loss 'huber'"):
        report.lookup(("delta",), "huber")


def test_json_document(keyed_files: tuple) -> None:
    new, old, _ = keyed_files
    report = run_files(CompareRequest(new, old, key="id", sample_weight="w"), ("huber:delta=0.5",))
    document = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert document["schema"] == COMPARE_SCHEMA == 1
    assert document["kind"] == "compare"
    assert document["mode"] == "key" and document["key"] == "id"
    assert document["bootstrap"] == {
        "replicates": R,
        "seed": SEED,
        "level": LEVEL,
        "weights": "key",
    }
    assert document["columns"]["sample_weight"] == "w"
    (result,) = document["results"]
    assert set(result) == {
        "loss",
        "label",
        "params",
        "reduction",
        "higher_is_better",
        "slice",
        "rows",
        "new",
        "old",
        "delta",
        "verdict",
    }
    assert result["params"] == {"delta": 0.5}
    assert set(result["new"]) == {"value", "ci_low", "ci_high", "rows_used", "skipped"}
    assert set(result["delta"]) == {"value", "ci_low", "ci_high"}
    assert result["delta"]["value"] == result["new"]["value"] - result["old"]["value"]
