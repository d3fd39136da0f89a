"""``--engine dask`` on a real LocalCluster equals the local engine, and fails like it.

Every test reuses the session's cluster (``--scheduler``), with several losses per run; only
one test starts a cluster of its own (no ``--scheduler``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from tests.cli.conftest import invoke

pytestmark = pytest.mark.cluster

BINARY = ["mse", "mae", "huber:delta=0.5", "log_cosh", "bce", "hinge", "poisson", "dice"]
MULTICLASS = ["categorical_crossentropy", "kl_divergence", "categorical_focal_crossentropy"]


def assert_close(local: Any, dask: Any, path: str = "") -> None:
    """Equal structures; floats within 1e-12 relative (merge order may differ in the last bit)."""
    if isinstance(local, dict):
        assert local.keys() == dask.keys(), path
        for key in local:
            assert_close(local[key], dask[key], f"{path}/{key}")
    elif isinstance(local, list):
        assert len(local) == len(dask), path
        for index, (a, b) in enumerate(zip(local, dask, strict=True)):
            assert_close(a, b, f"{path}[{index}]")
    elif isinstance(local, float) and isinstance(dask, float):
        assert dask == pytest.approx(local, rel=1e-12, abs=1e-300, nan_ok=True), path
    else:
        assert local == dask, path


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three Parquet files (several row groups each) and their CSV copies."""
    root = tmp_path_factory.mktemp("dask-data")
    rng = np.random.default_rng(7)
    for name in ("binary", "multi", "csv"):
        (root / name).mkdir()
    for index, rows in enumerate((2_500, 1_700, 3_100)):
        labels = rng.integers(0, 2, rows).astype(np.float64)
        binary = pa.table(
            {
                "y_true": labels,
                "y_pred": np.clip(rng.random(rows), 0.01, 0.99),
                "w": rng.random(rows) * 2,
                "region": rng.choice(["north", "south", "east"], rows),
            }
        )
        pq.write_table(binary, root / "binary" / f"part-{index}.parquet", row_group_size=600)
        pacsv.write_csv(binary, root / "csv" / f"part-{index}.csv")
        probs = rng.dirichlet(np.ones(3), rows)
        onehot = np.eye(3)[rng.integers(0, 3, rows)]
        multi = pa.table(
            {
                **{f"t_{k}": onehot[:, k] for k in range(3)},
                **{f"p_{k}": probs[:, k] for k in range(3)},
            }
        )
        pq.write_table(multi, root / "multi" / f"part-{index}.parquet", row_group_size=900)
    return root


@pytest.fixture(autouse=True)
def small_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several tasks per file (row groups grouped up to 1000 rows), so the tree has depth."""
    monkeypatch.setenv("LOSSCLI_DASK_TASK_ROWS", "1000")


def both(command: str, scheduler: str, *args: str) -> tuple[dict, dict]:
    """The JSON output of ``command ARGS`` with the local engine and with --engine dask."""
    local = invoke(command, "-q", "--format", "json", *args)
    assert local.exit_code == 0, local.stderr
    dask = invoke(
        command, "-q", "--format", "json", "--engine", "dask", "--scheduler", scheduler, *args
    )
    assert dask.exit_code == 0, dask.stderr
    return json.loads(local.stdout), json.loads(dask.stdout)


def losses(names: list[str]) -> list[str]:
    return [arg for name in names for arg in ("-l", name)]


@pytest.mark.parametrize("folder", ["binary", "csv"])
def test_compute_equals_local_for_every_family(scheduler: str, data: Path, folder: str) -> None:
    local, dask = both(
        "compute",
        scheduler,
        *losses(BINARY),
        "--sample-weight",
        "w",
        "--reduction",
        "mean_with_sample_weight",
        str(data / folder),
    )
    assert dask["rows"]["read"] == 7_300
    assert_close(local, dask)


def test_compute_multiclass_and_objective_equal_local(scheduler: str, data: Path) -> None:
    local, dask = both(
        "compute",
        scheduler,
        "--objective",
        "categorical_crossentropy*0.5 + kl_divergence*0.5",
        *losses(MULTICLASS),
        "--y-true",
        "t_*",
        "--y-pred",
        "p_*",
        str(data / "multi"),
    )
    assert_close(local, dask)


def test_evaluate_slices_bootstrap_and_state_equal_local(
    scheduler: str, data: Path, tmp_path: Path
) -> None:
    args = [
        *losses(["mse", "bce", "dice"]),
        "--group-by",
        "region",
        "--ci",
        "0.9",
        "--replicates",
        "40",
        "--seed",
        "11",
        "--sample-weight",
        "w",
        str(data / "binary"),
    ]
    local, dask = both("evaluate", scheduler, *args, "--emit-state", str(tmp_path / "l.json"))
    assert_close(local, dask)
    # The gates see the same values: a gate failing locally fails on the cluster (exit 1).
    gate = f"ci_high(mse)<{local['results'][0]['ci_high'] * 2}"
    failed = invoke(
        "evaluate", "-q", "--engine", "dask", "--scheduler", scheduler, "--fail-if", gate, *args
    )
    assert failed.exit_code == 1


def test_evaluate_state_files_equal_local(scheduler: str, data: Path, tmp_path: Path) -> None:
    args = [*losses(["mae"]), "--ci", "0.95", "--replicates", "20", str(data / "csv")]
    local = invoke("evaluate", "-q", "--emit-state", str(tmp_path / "l.json"), *args)
    dask = invoke(
        "evaluate",
        "-q",
        "--emit-state",
        str(tmp_path / "d.json"),
        "--engine",
        "dask",
        "--scheduler",
        scheduler,
        *args,
    )
    assert local.exit_code == dask.exit_code == 0, dask.stderr
    assert_close(
        json.loads((tmp_path / "l.json").read_text()), json.loads((tmp_path / "d.json").read_text())
    )


def test_per_sample_output_is_one_parquet_file_per_part(
    scheduler: str, data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = ["-l", "mse", "-l", "bce", "--reduction", "none", "--keep", "region"]
    dask = invoke(
        "compute",
        "-q",
        "--engine",
        "dask",
        "--scheduler",
        scheduler,
        *args,
        "-o",
        str(out),
        str(data / "binary"),
    )
    assert dask.exit_code == 0, dask.stderr
    names = sorted(p.name for p in out.iterdir())
    assert "_SUCCESS" in names and len(names) > 4  # several parts per file, then the marker
    parts = pq.read_table(sorted(out.glob("part-*.parquet"))).to_pydict()
    local = invoke("compute", "-q", "--format", "json", *args, str(data / "binary"))
    rows = [json.loads(line) for line in local.stdout.splitlines()]
    assert parts["region"] == [row["region"] for row in rows]
    np.testing.assert_allclose(
        parts["mean_squared_error"], [r["mean_squared_error"] for r in rows], rtol=1e-12
    )


def test_a_corrupt_part_fails_with_its_path_and_leaves_nothing(
    scheduler: str, data: Path, tmp_path: Path
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    good = (data / "binary" / "part-0.parquet").read_bytes()
    (inputs / "a.parquet").write_bytes(good)
    broken = bytearray(good)
    broken[200:4000] = bytes(3800)  # column chunks zeroed: the footer still reads
    (inputs / "b.parquet").write_bytes(bytes(broken))
    out = tmp_path / "out"
    local = invoke("compute", "-q", "-l", "mse", str(inputs))
    result = invoke(
        "compute",
        "-q",
        "-l",
        "mse",
        "--reduction",
        "none",
        "-o",
        str(out),
        "--engine",
        "dask",
        "--scheduler",
        scheduler,
        str(inputs),
    )
    assert local.exit_code == result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("losscli: error: ")
    assert str(inputs / "b.parquet") in lines[0]
    assert not out.exists()


def test_a_worker_killed_mid_run_is_replaced(scheduler: str, data: Path, tmp_path: Path) -> None:
    """A loss that kills its worker process the first time it runs: Dask reruns the task."""
    marker = tmp_path / "killed"
    loss_file = tmp_path / "deadly.py"
    loss_file.write_text(
        "import os\n"
        "import numpy as np\n\n"
        "def deadly(y_true, y_pred):\n"
        f"    marker = {str(marker)!r}\n"
        "    if not os.path.exists(marker):\n"
        "        open(marker, 'w').close()\n"
        "        os._exit(1)  # the worker process dies mid-task\n"
        "    return np.square(y_true - y_pred).mean(axis=-1)\n"
    )
    loss = f"{loss_file}:deadly"
    dask = invoke(
        "compute",
        "-q",
        "--format",
        "json",
        "-l",
        loss,
        "-l",
        "mae",
        "--engine",
        "dask",
        "--scheduler",
        scheduler,
        str(data / "binary"),
    )
    assert marker.exists()  # a worker did die
    assert dask.exit_code == 0, dask.stderr
    local = invoke(
        "compute", "-q", "--format", "json", "-l", loss, "-l", "mae", str(data / "binary")
    )
    assert_close(json.loads(local.stdout), json.loads(dask.stdout))


def test_without_a_scheduler_a_local_cluster_runs_the_command(data: Path) -> None:
    pytest.importorskip("distributed")
    local = invoke("compute", "-q", "--format", "json", "-l", "mse", str(data / "binary"))
    dask = invoke(
        "compute",
        "--format",
        "json",
        "-l",
        "mse",
        "--engine",
        "dask",
        "--dask-dashboard",
        str(data / "binary"),
    )
    assert dask.exit_code == 0, dask.stderr
    assert "Dask dashboard: http" in dask.stderr
    assert_close(json.loads(local.stdout), json.loads(dask.stdout))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scheduler", "tcp://127.0.0.1:1"], "cannot connect to the Dask scheduler"),
        (["--reduction", "none"], "pass -o DIR"),
        (["-l", "circle", "--batch-size", "64", "--scheduler", "SCHED"], "--engine local"),
    ],
)
def test_usage_errors_exit_2(scheduler: str, data: Path, args: list[str], message: str) -> None:
    args = [scheduler if arg == "SCHED" else arg for arg in args]
    result = invoke("compute", "-q", "-l", "mse", "--engine", "dask", *args, str(data / "binary"))
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_without_the_extra_the_error_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name)
    )
    result = invoke("compute", "-l", "mse", "--engine", "dask", "x.parquet")
    assert result.exit_code == 2
    assert "pip install 'losscli[dask]'" in result.stderr
