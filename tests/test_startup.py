"""Start-up stays light: which heavy modules each short command imports (no timing here;
bench/bench_startup.py measures time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pyarrow", "pandas", "dask", "distributed")

PROBE = """
import json, sys
from losscli.cli import main
try:
    main(sys.argv[1:], prog_name="losscli")
except SystemExit:
    pass
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
"""


def imported_by(*args: str, cwd: Path = ROOT) -> set[str]:
    """The modules a fresh process has imported after running ``losscli ARGS`` (stdout piped)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, cwd=cwd
    )
    marker = result.stderr.rindex("MODULES ")
    return set(json.loads(result.stderr[marker + len("MODULES ") :]))


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["list"],
        ["list", "--format", "markdown", "--detailed"],
        ["describe", "huber"],
        *([name, "--help"] for name in sorted(__import__("losscli.cli").cli.COMMANDS)),
    ],
    ids=" ".join,
)
def test_help_and_list_import_no_numpy_pyarrow_or_pandas(args: list[str]) -> None:
    modules = imported_by(*args)
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_the_group_help_imports_no_command_module() -> None:
    modules = imported_by("--help")
    assert not [m for m in modules if m.startswith("losscli.cli.") and m.endswith("_cmd")]


def test_compute_on_a_csv_imports_only_what_it_needs(tmp_path: Path) -> None:
    csv = tmp_path / "small.csv"
    csv.write_text("y_true,y_pred\n" + "".join(f"{i % 3},{i % 5}\n" for i in range(100)))
    modules = imported_by("compute", "-l", "mse", str(csv))
    assert "numpy" in modules and "pyarrow.csv" in modules  # it did compute
    unwanted = {
        "pandas",
        "rich",
        "pyarrow.compute",  # plain numeric columns need no conversion
        "pyarrow.parquet",  # only Parquet inputs do
        "pyarrow.dataset",
        "importlib.metadata",
        "tempfile",  # nothing is spooled or written to a file
    }
    engines = (
        "losscli.compare",
        "losscli.doctor",
        "losscli.evaluate",
        "losscli.curve",
        "losscli.distributed",
        "dask",
        "distributed",
    )
    assert not modules & unwanted, sorted(modules & unwanted)
    assert not [m for m in modules if m.startswith(engines)]


def test_compute_on_parquet_imports_pyarrow_parquet_but_not_pandas(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "small.parquet"
    pq.write_table(pa.table({"y_true": [0.0, 1.0, 2.0], "y_pred": [0.5, 1.0, 1.5]}), path)
    modules = imported_by("compute", "-l", "mse", str(path))
    assert "pyarrow.parquet" in modules  # it did read Parquet
    unwanted = {"pandas", "rich", "pyarrow.compute", "pyarrow.dataset"}
    assert not modules & unwanted, sorted(modules & unwanted)
