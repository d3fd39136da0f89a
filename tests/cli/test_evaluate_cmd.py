"""``losscli evaluate`` and ``losscli merge``: equal to compute, slices, intervals, gates."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import losscli
from losscli.bootstrap import row_weights
from tests.cli.conftest import SAMPLES, invoke

LOSSES = ["-l", "mse", "-l", "mae", "-l", "huber:delta=0.5", "-l", "dice:axis=-1"]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pa.Table]:
    rng = np.random.default_rng(3)
    n = 600
    table = pa.table(
        {
            "y_true": rng.random(n),
            "y_pred": rng.random(n),
            "w": rng.random(n),
            "region": rng.choice(["north", "south", "east"], n),
            "tier": rng.integers(1, 3, n),
        }
    )
    path = tmp_path_factory.mktemp("evaluate") / "preds.parquet"
    pq.write_table(table, path, row_group_size=97)
    return path, table


def evaluate(*args: str) -> dict:
    result = invoke("evaluate", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def by_slice(document: dict, label: str) -> dict[str, dict]:
    return {r["slice_label"]: r for r in document["results"] if r["label"] == label}


def test_overall_equals_compute_for_each_loss(data: tuple[Path, pa.Table]) -> None:
    path, _ = data
    document = evaluate(*LOSSES, "--sample-weight", "w", str(path))
    summary = invoke("compute", "--format", "json", *LOSSES, "--sample-weight", "w", str(path))
    expected = {r["label"]: r["value"] for r in json.loads(summary.stdout)["results"]}
    for label, value in expected.items():
        assert by_slice(document, label)["overall"]["value"] == pytest.approx(value, rel=1e-12)


def test_slices_equal_compute_over_the_filtered_rows(data: tuple[Path, pa.Table]) -> None:
    path, table = data
    document = evaluate(*LOSSES, "--group-by", "region", "--group-by", "tier", str(path))
    region, tier = table["region"].to_numpy(zero_copy_only=False), table["tier"].to_numpy()
    y_true, y_pred = table["y_true"].to_numpy(), table["y_pred"].to_numpy()
    slices = by_slice(document, "mean_absolute_error")
    assert len(slices) == 1 + 6
    for name in ("north", "south", "east"):
        for level in (1, 2):
            rows = (region == name) & (tier == level)
            expected = losscli.compute("mae", y_true[rows], y_pred[rows]).value
            result = slices[f"region={name}, tier={level}"]
            assert result["value"] == pytest.approx(expected, rel=1e-12)
            assert result["rows"] == int(rows.sum())
            assert result["slice"] == {"region": name, "tier": level}
    extremes = {s["label"]: s for s in document["slices"]}["mean_absolute_error"]
    values = [r["value"] for k, r in slices.items() if k != "overall"]
    assert extremes["worst_value"] == max(values)
    assert extremes["gap"] == pytest.approx(max(values) - min(values))


def test_intervals_match_an_in_memory_bootstrap_and_ignore_batching(data) -> None:
    path, table = data
    args = ("-l", "mse", "--ci", "0.9", "--replicates", "200", "--seed", "11")
    first = by_slice(evaluate(*args, "--batch-size", "7", str(path)), "mean_squared_error")
    second = by_slice(evaluate(*args, "--batch-size", "1000", str(path)), "mean_squared_error")
    # Same seed, same intervals, whatever the batch size (up to summation order).
    assert first["overall"]["ci_low"] == pytest.approx(second["overall"]["ci_low"], rel=1e-12)
    assert first["overall"]["ci_high"] == pytest.approx(second["overall"]["ci_high"], rel=1e-12)
    errors = (table["y_true"].to_numpy() - table["y_pred"].to_numpy()) ** 2
    poisson = row_weights(11, 0, len(errors), 200).astype(float)
    replicates = (poisson.T @ errors.astype(np.float32).astype(float)) / poisson.sum(axis=0)
    low, high = np.quantile(replicates, [0.05, 0.95])
    assert first["overall"]["ci_low"] == pytest.approx(low, rel=1e-6)
    assert first["overall"]["ci_high"] == pytest.approx(high, rel=1e-6)


def test_merged_states_equal_one_pass(data: tuple[Path, pa.Table], tmp_path: Path) -> None:
    path, table = data
    halves = []
    for index, part in enumerate((table.slice(0, 250), table.slice(250))):
        shard = tmp_path / f"shard{index}.parquet"
        pq.write_table(part, shard)
        halves.append(shard)
    common = (*LOSSES, "--group-by", "region", "--sample-weight", "w")
    whole = evaluate(*common, str(path))
    states = []
    for index, shard in enumerate(halves):
        state = tmp_path / f"state{index}.json"
        evaluate(*common, "--emit-state", str(state), str(shard))
        states.append(str(state))
    merged = invoke("merge", "--format", "json", *states)
    assert merged.exit_code == 0, merged.stderr
    merged_results = json.loads(merged.stdout)["results"]
    for mine, theirs in zip(merged_results, whole["results"], strict=True):
        assert mine["slice_label"] == theirs["slice_label"]
        assert mine["value"] == pytest.approx(theirs["value"], rel=1e-12)
        assert mine["rows"] == theirs["rows"]


def test_merged_intervals_equal_one_pass_with_clusters(data, tmp_path: Path) -> None:
    """Cluster-keyed weights do not depend on which shard a row is in."""
    path, table = data
    args = ("-l", "mse", "--ci", "0.95", "--replicates", "100", "--cluster-by", "region")
    whole = by_slice(evaluate(*args, str(path)), "mean_squared_error")["overall"]
    states = []
    for index, part in enumerate((table.slice(0, 300), table.slice(300))):
        shard, state = tmp_path / f"c{index}.parquet", tmp_path / f"c{index}.json"
        pq.write_table(part, shard)
        evaluate(*args, "--emit-state", str(state), str(shard))
        states.append(str(state))
    merged = json.loads(invoke("merge", "--format", "json", *states).stdout)
    overall = by_slice(merged, "mean_squared_error")["overall"]
    assert overall["ci_low"] == pytest.approx(whole["ci_low"], rel=1e-12)
    assert overall["ci_high"] == pytest.approx(whole["ci_high"], rel=1e-12)


def test_gates_on_intervals_and_slices(data: tuple[Path, pa.Table]) -> None:
    path, _ = data
    base = ("evaluate", "--format", "json", "-l", "mse", "--group-by", "region", "--ci", "0.95",
            "--replicates", "100", str(path))  # fmt: skip
    assert invoke(*base, "--fail-if", "ci_high(mse) > 10").exit_code == 0
    failed = invoke(*base, "--fail-if", "max_slice(mse) > 0.01", "--fail-if", "ci_low(mse) > 0.01")
    assert failed.exit_code == 1
    assert failed.stderr.count("gate failed") == 2
    assert "slice region=" in failed.stderr
    no_ci = invoke("evaluate", "-l", "mse", "--fail-if", "ci_high(mse) > 1", str(path))
    assert no_ci.exit_code == 2
    assert "needs --ci" in no_ci.stderr
    delta = invoke("evaluate", "-l", "mse", "--fail-if", "delta(mse) > 0", str(path))
    assert delta.exit_code == 2


def test_small_slices_are_flagged_not_dropped(data: tuple[Path, pa.Table]) -> None:
    path, _ = data
    document = evaluate("-l", "mse", "--group-by", "tier", "--min-slice-rows", "1000", str(path))
    slices = [r for r in document["results"] if r["slice_label"] != "overall"]
    assert len(slices) == 2
    assert all(r["small"] for r in slices)


def test_config_file(data: tuple[Path, pa.Table], tmp_path: Path) -> None:
    path, _ = data
    config = tmp_path / "eval.toml"
    config.write_text(
        '[evaluate]\nloss = ["mse", "huber:delta=0.5"]\ngroup_by = ["region"]\n'
        'ci = 0.9\nreplicates = 50\nfail_if = ["max_slice(mse) > 0.001"]\n'
    )
    result = invoke("evaluate", "--config", str(config), "--format", "json", str(path))
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["ci"]["replicates"] == 50
    assert {r["label"] for r in document["results"]} == {"mean_squared_error", "huber(delta=0.5)"}
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.losscli.evaluate]\nloss = "mae"\n')
    assert invoke("evaluate", "--config", str(pyproject), str(path)).exit_code == 0
    bad = tmp_path / "bad.toml"
    bad.write_text("[evaluate]\nlosses_typo = ['mse']\n")
    result = invoke("evaluate", "--config", str(bad), str(path))
    assert result.exit_code == 2
    assert "unknown setting 'losses_typo'" in result.stderr


def test_evaluate_the_sample_data() -> None:
    result = invoke(
        "evaluate", "--format", "markdown", "-l", "bce", "--ci", "0.95", "--replicates", "100",
        str(SAMPLES / "binary.parquet"),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "binary_crossentropy" in result.stdout and "95% CI" in result.stdout


def test_merge_rejects_incompatible_states(data, tmp_path: Path) -> None:
    path, _ = data
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    evaluate("-l", "mse", "--emit-state", str(a), str(path))
    evaluate("-l", "mae", "--emit-state", str(b), str(path))
    result = invoke("merge", str(a), str(b))
    assert result.exit_code == 3
    assert "only states of one evaluation" in result.stderr
    not_state = tmp_path / "x.json"
    not_state.write_text("{}")
    assert invoke("merge", str(not_state)).exit_code == 3


# -- group-by values of every kind ---------------------------------------------------------------


def _slices(path: Path, *args: str) -> dict[str, dict]:
    return by_slice(evaluate("-l", "mse", *args, str(path)), "mean_squared_error")


def test_nan_group_values_are_one_slice_whatever_the_batch_size(tmp_path: Path) -> None:
    # NaN is not equal to itself: each batch's NaN used to start a slice of its own.
    path = tmp_path / "nan.parquet"
    nan = float("nan")
    pq.write_table(
        pa.table(
            {
                "y_true": [1.0, 0.0, 1.0, 0.0],
                "y_pred": [0.5, 0.25, 0.75, 0.5],
                "d": [nan, 1.0, nan, None],
            }
        ),
        path,
    )
    for size in ("1", "4"):
        slices = _slices(path, "--group-by", "d", "--batch-size", size)
        assert sorted(slices) == ["d=1.0", "d=None", "overall"]
        # rows 0, 2 (NaN) and 3 (null): (0.5**2 + 0.25**2 + 0.5**2) / 3
        assert slices["d=None"]["rows"] == 3
        assert slices["d=None"]["value"] == pytest.approx((0.25 + 0.0625 + 0.25) / 3, rel=1e-6)


def test_a_dictionary_column_keeps_its_null_slice(tmp_path: Path) -> None:
    path = tmp_path / "dictionary.parquet"
    groups = pa.array(["a", None, "b"]).dictionary_encode()
    pq.write_table(
        pa.table({"y_true": [1.0, 0.0, 1.0], "y_pred": [0.5, 0.25, 0.75], "g": groups}), path
    )
    slices = _slices(path, "--group-by", "g")
    assert sum(slices[name]["rows"] for name in ("g=a", "g=b", "g=None")) == 3
    assert slices["g=None"]["value"] == pytest.approx(0.0625, rel=1e-6)


def test_dates_decimals_and_bytes_group_into_json_and_state_files(tmp_path: Path) -> None:
    import datetime
    import decimal

    path = tmp_path / "kinds.parquet"
    pq.write_table(
        pa.table(
            {
                "y_true": [1.0, 0.0],
                "y_pred": [0.5, 0.25],
                "day": [datetime.date(2024, 5, 1), datetime.date(2024, 5, 2)],
                "price": [decimal.Decimal("1.50"), None],
                "tag": [b"\xffa", b"b"],
            }
        ),
        path,
    )
    state = tmp_path / "state.json"
    args = ("--group-by", "day", "--group-by", "price", "--group-by", "tag")
    slices = _slices(path, *args, "--emit-state", str(state))
    assert sorted(slices) == [
        "day=2024-05-01, price=1.50, tag=\\xffa",
        "day=2024-05-02, price=None, tag=b",
        "overall",
    ]
    merged = invoke("merge", "--format", "json", str(state))
    assert merged.exit_code == 0, merged.stderr
    assert by_slice(json.loads(merged.stdout), "mean_squared_error").keys() == slices.keys()
