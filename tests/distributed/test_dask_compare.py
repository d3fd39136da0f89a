"""``compare --engine dask`` on the session's LocalCluster: equal to the local engine, fails alike.

Three verdicts appear in the data (NEW better in one region, worse in another, about the same in
the third), so the slices, intervals and verdicts are all checked against the local engine.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from tests.cli.conftest import invoke
from tests.distributed.test_dask_engine import assert_close, losses

pytestmark = pytest.mark.cluster

BOOTSTRAP = ["--ci", "0.9", "--replicates", "40", "--seed", "7"]
ONE_INPUT = ["--y-pred-new", "p_new", "--y-pred-old", "p_old"]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both models in one input (Parquet and CSV), and NEW/OLD split differently for --aligned."""
    root = tmp_path_factory.mktemp("dask-compare")
    for name in ("one", "one_csv", "new", "old_csv"):
        (root / name).mkdir()
    rng = np.random.default_rng(5)
    offset = 0
    for index, rows in enumerate((2_300, 1_500, 2_900)):
        y = rng.integers(0, 2, rows).astype(np.float64)
        region = rng.choice(np.array(["north", "south", "east"]), rows)
        old = np.clip(0.55 * y + 0.45 * rng.random(rows), 0.02, 0.98)
        sharper = np.clip(0.8 * y + 0.2 * rng.random(rows), 0.02, 0.98)
        blurred = np.clip(0.3 * y + 0.7 * rng.random(rows), 0.02, 0.98)
        same = np.clip(0.55 * y + 0.45 * rng.random(rows), 0.02, 0.98)  # as good as OLD
        new = np.where(region == "north", sharper, np.where(region == "south", blurred, same))
        table = pa.table(
            {
                "id": np.arange(offset, offset + rows),
                "y_true": y,
                "p_new": new,
                "p_old": old,
                "w": rng.uniform(0.5, 2.0, rows),
                "region": region,
            }
        )
        offset += rows
        pq.write_table(table, root / "one" / f"part-{index}.parquet", row_group_size=700)
        pacsv.write_csv(table, root / "one_csv" / f"part-{index}.csv")
        new_side = table.select(["y_true", "p_new", "region"]).rename_columns(
            ["y_true", "y_pred", "region"]
        )
        pq.write_table(new_side, root / "new" / f"part-{index}.parquet", row_group_size=450)
        old_side = table.select(["y_true", "p_old"]).rename_columns(["y_true", "y_pred"])
        pacsv.write_csv(old_side, root / "old_csv" / f"part-{index}.csv")
    return root


@pytest.fixture(autouse=True)
def small_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several tasks per Parquet file (row groups grouped up to 1000 rows)."""
    monkeypatch.setenv("LOSSCLI_DASK_TASK_ROWS", "1000")


def assert_same_report(local: dict, dask: dict) -> None:
    """Equal reports: floats within 1e-12 relative, a delta within 1e-12 of its models' values.

    A delta is a difference of two values summed in another order on the cluster: where the
    models nearly agree, the values' last bits are all that is left of it, so its tolerance is
    relative to the values, not to itself.
    """
    assert len(local["results"]) == len(dask["results"])
    for one, other in zip(local["results"], dask["results"], strict=True):
        scale = max(abs(one[model][v]) for model in ("new", "old") for v in ("value", "ci_high"))
        for name in ("value", "ci_low", "ci_high"):
            assert other["delta"][name] == pytest.approx(one["delta"][name], abs=1e-12 * scale)
        assert_close({**one, "delta": None}, {**other, "delta": None})
    assert_close({**local, "results": None}, {**dask, "results": None})


def run_both(scheduler: str, *args: str, exit_code: int = 0) -> tuple[dict, dict]:
    """``compare ARGS`` as JSON with both engines; both must exit with ``exit_code``."""
    local = invoke("compare", "-q", "--format", "json", *args)
    dask = invoke(
        "compare", "-q", "--format", "json", "--engine", "dask", "--scheduler", scheduler, *args
    )
    assert local.exit_code == exit_code, local.stderr
    assert dask.exit_code == exit_code, dask.stderr
    assert local.stderr == dask.stderr  # the same gate failures, word for word
    return json.loads(local.stdout), json.loads(dask.stdout)


def test_one_input_with_slices_and_intervals_equals_local(scheduler: str, data: Path) -> None:
    local, dask = run_both(
        scheduler,
        str(data / "one"),
        *ONE_INPUT,
        *losses(["mse", "bce", "hinge", "dice"]),
        "--sample-weight",
        "w",
        "--group-by",
        "region",
        *BOOTSTRAP,
    )
    assert_same_report(local, dask)
    verdicts = {r["verdict"] for r in dask["results"]}
    assert verdicts == {"better", "worse", "no significant difference"}
    assert [r["slice"] for r in dask["results"][:4]] == [
        None,
        {"region": "east"},
        {"region": "north"},
        {"region": "south"},
    ]
    assert dask["rows"]["matched"] == 6_700


def test_csv_input_keyed_weights_and_max_reduction_equal_local(scheduler: str, data: Path) -> None:
    local, dask = run_both(
        scheduler,
        str(data / "one_csv"),
        *ONE_INPUT,
        "--key",
        "id",
        *losses(["mae", "huber:delta=0.5"]),
        "--reduction",
        "max",
        "--group-by",
        "region",
        "--ci",
        "0.8",
        "--replicates",
        "30",
    )
    assert local["bootstrap"]["weights"] == "key"
    assert_same_report(local, dask)


def test_aligned_inputs_split_differently_equal_local(scheduler: str, data: Path) -> None:
    local, dask = run_both(
        scheduler,
        str(data / "new"),
        str(data / "old_csv"),
        "--aligned",
        *losses(["bce", "mse"]),
        "--group-by",
        "region",
        *BOOTSTRAP,
    )
    assert_same_report(local, dask)
    assert dask["mode"] == "aligned"


def test_a_failing_gate_exits_1_on_both(scheduler: str, data: Path) -> None:
    args = [str(data / "one"), *ONE_INPUT, "-l", "mse", "--group-by", "region", *BOOTSTRAP]
    local, _ = run_both(scheduler, *args)
    holds = f"ci_high(delta(mse)) > {local['results'][0]['delta']['ci_high'] - 1e-3}"
    failed_local, failed_dask = run_both(scheduler, *args, "--fail-if", holds, exit_code=1)
    assert_same_report(failed_local, failed_dask)
    passes = f"ci_high(delta(mse)) > {local['results'][0]['delta']['ci_high'] + 1e-3}"
    run_both(scheduler, *args, "--fail-if", passes, exit_code=0)


def test_a_corrupt_part_and_bad_rows_fail_like_local(
    scheduler: str, data: Path, tmp_path: Path
) -> None:
    inputs = tmp_path / "corrupt"
    inputs.mkdir()
    good = (data / "one" / "part-0.parquet").read_bytes()
    (inputs / "a.parquet").write_bytes(good)
    broken = bytearray(good)
    broken[200:4000] = bytes(3800)  # column chunks zeroed: the footer still reads
    (inputs / "b.parquet").write_bytes(bytes(broken))
    bad_rows = tmp_path / "nan"
    bad_rows.mkdir()
    (bad_rows / "a.parquet").write_bytes(good)
    table = pq.read_table(data / "one" / "part-1.parquet")
    p_new = table.column("p_new").to_numpy().copy()
    p_new[1_234] = np.nan
    table = table.set_column(table.schema.get_field_index("p_new"), "p_new", pa.array(p_new))
    pq.write_table(table, bad_rows / "b.parquet", row_group_size=700)
    for folder in (inputs, bad_rows):
        args = [str(folder), *ONE_INPUT, "-l", "mse", "-l", "bce"]
        local = invoke("compare", "-q", *args)
        dask = invoke("compare", "-q", "--engine", "dask", "--scheduler", scheduler, *args)
        assert local.exit_code == dask.exit_code == 3, dask.stderr
        lines = dask.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("losscli: error: ")
        if folder is inputs:
            assert str(inputs / "b.parquet") in lines[0]
        else:  # the same row, numbered in the whole input
            assert dask.stderr == local.stderr
            assert str(2_300 + 1_234) in lines[0]


def test_aligned_inputs_of_different_lengths_fail_like_local(
    scheduler: str, data: Path, tmp_path: Path
) -> None:
    shorter = tmp_path / "shorter.parquet"
    pq.write_table(pq.read_table(data / "new" / "part-0.parquet"), shorter)
    args = [str(data / "one"), str(shorter), "--aligned", "--y-pred-new", "p_new", "-l", "mse"]
    local = invoke("compare", "-q", *args)
    dask = invoke("compare", "-q", "--engine", "dask", "--scheduler", scheduler, *args)
    assert local.exit_code == dask.exit_code == 3
    assert dask.stderr == local.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NEW", "OLD", "--key", "id"], "cannot match two files by --key"),
        (["-", *ONE_INPUT], "workers cannot read stdin"),
        (["ONE", *ONE_INPUT, "-l", "circle", "--batch-size", "64"], "--engine local"),
    ],
)
def test_what_cannot_be_split_is_refused_with_exit_2(
    scheduler: str, data: Path, args: list[str], message: str
) -> None:
    paths = {"NEW": data / "new", "OLD": data / "old_csv", "ONE": data / "one"}
    args = [str(paths.get(arg, arg)) for arg in args]
    result = invoke(
        "compare", "-q", "-l", "mse", "--engine", "dask", "--scheduler", scheduler, *args
    )
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
