"""``losscli compare`` end to end: outputs, gates, exit codes, pairing modes, temporary files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

import losscli
from losscli import gates
from losscli.cli.app import LossCliGroup
from losscli.cli.compare_cmd import compare_command
from losscli.compare import compare_arrays

# The command is registered in `losscli.cli.main` by the lead; these tests run it in a group of
# its own (with the same error handling) so they do not depend on that registration.
GROUP = LossCliGroup(name="losscli", commands={"compare": compare_command})
FAST = ("--replicates", "100", "--seed", "3")


def invoke(*args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(
        GROUP, ["compare", *args], input=input, env=env, catch_exceptions=False
    )


def document(*args: str, input: bytes | None = None) -> dict[str, Any]:
    result = invoke("--format", "json", *FAST, *args, input=input)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Any]:
    """NEW.parquet and OLD.csv keyed by id (OLD shuffled, 2 rows only in NEW), both in one CSV."""
    rng = np.random.default_rng(7)
    rows = 300
    y = rng.integers(0, 2, rows).astype(np.float64)
    good = np.clip(0.7 * y + 0.3 * rng.random(rows), 0.02, 0.98)
    poor = np.clip(0.4 * y + 0.6 * rng.random(rows), 0.02, 0.98)
    ids = np.arange(rows) * 3
    group = rng.choice(np.array(["a", "b"]), rows)
    new = tmp_path / "new.parquet"
    pq.write_table(pa.table({"id": ids, "y_true": y, "y_pred": good, "g": group}), new)
    order = rng.permutation(rows)[2:]
    old = tmp_path / "old.csv"
    pacsv.write_csv(pa.table({"id": ids[order], "y_true": y[order], "y_pred": poor[order]}), old)
    both = tmp_path / "both.csv"
    pacsv.write_csv(pa.table({"label": y, "p_new": good, "p_old": poor}), both)
    kept = np.isin(ids, ids[order])
    return {
        "new": str(new),
        "old": str(old),
        "both": str(both),
        "y": y,
        "good": good,
        "poor": poor,
        "ids": ids,
        "kept": kept,
    }


def test_keyed_json_matches_the_python_api(files: dict) -> None:
    out = document(files["new"], files["old"], "--key", "id", "-l", "bce", "--ci", "0.9")
    assert out["schema"] == 1 and out["kind"] == "compare" and out["mode"] == "key"
    assert out["rows"] == {"new": 300, "old": 298, "matched": 298, "only_new": 2, "only_old": 0}
    (result,) = out["results"]
    kept = files["kept"]
    expected = compare_arrays(
        "bce",
        files["y"][kept],
        files["good"][kept],
        files["poor"][kept],
        keys=files["ids"][kept],
        replicates=100,
        seed=3,
        level=0.9,
    )
    assert result["new"]["value"] == pytest.approx(expected.new.value, rel=1e-12)
    assert result["old"]["value"] == pytest.approx(
        losscli.compute("bce", files["y"][kept], files["poor"][kept]).value, rel=1e-12
    )
    assert result["delta"]["ci_low"] == pytest.approx(expected.ci_low, rel=1e-12)
    assert result["delta"]["ci_high"] == pytest.approx(expected.ci_high, rel=1e-12)
    assert result["verdict"] == expected.verdict == "better"
    assert out["bootstrap"] == {"replicates": 100, "seed": 3, "level": 0.9, "weights": "key"}


def test_unmatched_rows_are_noted_unless_quiet(files: dict) -> None:
    loud = invoke(files["new"], files["old"], "--key", "id", "-l", "mse", *FAST)
    assert loud.exit_code == 0
    assert "2 row(s) of NEW have no match in OLD and 0 row(s) of OLD" in loud.stderr
    quiet = invoke(files["new"], files["old"], "--key", "id", "-l", "mse", "-q", *FAST)
    assert quiet.exit_code == 0 and quiet.stderr == ""


@pytest.mark.parametrize(
    ("gate", "code"),
    [
        ("ci_high(delta(bce)) < 0", 1),  # the new model is significantly better: fails
        ("delta(bce) > 0", 0),
        ("ci_low(delta(binary_crossentropy)) > 0", 0),
        ("max_slice(delta(bce)) > 0", 0),
    ],
)
def test_gate_exit_codes(files: dict, gate: str, code: int) -> None:
    args = (files["new"], files["old"], "--key", "id", "-l", "bce", "--group-by", "g")
    result = invoke(*args, "--fail-if", gate, "-q", *FAST)
    assert result.exit_code == code, result.stderr
    if code:
        assert result.stderr.startswith("losscli: gate failed: ci_high(delta(binary_crossentropy))")


@pytest.mark.skipif(
    "new" not in gates.FUNCTIONS, reason="needs 'new' and 'old' in losscli.gates.FUNCTIONS"
)
def test_gates_on_either_models_value(files: dict) -> None:
    args = (files["new"], files["old"], "--key", "id", "-l", "bce", "-q", *FAST)
    assert invoke(*args, "--fail-if", "new(bce) > 10").exit_code == 0
    failed = invoke(*args, "--fail-if", "old(bce) > 0.1")
    assert failed.exit_code == 1
    assert "old(binary_crossentropy)" in failed.stderr


def test_a_gate_must_say_which_number(files: dict) -> None:
    result = invoke(files["new"], files["old"], "--key", "id", "-l", "bce", "--fail-if", "bce>1")
    assert result.exit_code == 2
    assert "new(LOSS), old(LOSS) or delta(LOSS)" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("OLD",), "need --key COL"),
        (("OLD", "--key", "id", "--aligned"), "not both"),
        ((), "--y-pred-new COLS and --y-pred-old COLS"),
        (("OLD", "OLD", "--key", "id"), "give NEW and OLD"),
    ],
)
def test_usage_errors_exit_2(files: dict, args: tuple[str, ...], message: str) -> None:
    args = tuple(files["old"] if a == "OLD" else a for a in args)
    result = invoke(files["new"], *args, "-l", "mse")
    assert result.exit_code == 2
    assert result.stderr.startswith("losscli: error:") and message in result.stderr
    assert invoke(files["new"], files["old"], "--key", "id").exit_code == 2  # no --loss


def test_data_errors_exit_3(files: dict, tmp_path: Path) -> None:
    twice = tmp_path / "twice.csv"
    twice.write_text("id,y_true,y_pred\n3,0,0.5\n3,0,0.4\n")
    result = invoke(files["new"], str(twice), "--key", "id", "-l", "mse")
    assert result.exit_code == 3
    assert "key 3 appears 2 times in OLD" in result.stderr
    assert result.stderr.count("\n") == 1
    changed = tmp_path / "changed.csv"
    y = files["y"].copy()
    y[5] = 1 - y[5]
    pacsv.write_csv(pa.table({"id": files["ids"], "y_true": y, "y_pred": files["poor"]}), changed)
    result = invoke(files["new"], str(changed), "--key", "id", "-l", "mse")
    assert result.exit_code == 3
    assert f"y_true differs between NEW and OLD at key {files['ids'][5]}" in result.stderr
    result = invoke(files["new"], files["old"], "--aligned", "-l", "mse")
    assert result.exit_code == 3
    assert "NEW has 300 rows and OLD has 298" in result.stderr


def test_same_file_mode_in_markdown(files: dict) -> None:
    args = (files["both"], "--y-pred-new", "p_new", "--y-pred-old", "p_old", "--y-true", "label")
    result = invoke(*args, "-l", "mse", "-l", "mae", "--format", "markdown", *FAST)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "| loss | new | old | delta | 95% CI | verdict |"
    assert lines[2].startswith("| mean_squared_error | ")
    assert lines[2].endswith("| **better** |")
    assert "300 rows" in result.stdout
    assert "weights by row position" in result.stdout
    out = document(*args, "-l", "mse")
    expected = compare_arrays(
        "mse", files["y"], files["good"], files["poor"], replicates=100, seed=3
    )
    assert out["mode"] == "same-file" and out["inputs"]["old"] is None
    assert out["results"][0]["delta"]["ci_low"] == pytest.approx(expected.ci_low, rel=1e-12)


def test_table_output_on_request(files: dict) -> None:
    result = invoke(
        files["new"], files["old"], "--key", "id", "-l", "bce", "--format", "table", "-q", *FAST,
        env={"NO_COLOR": "1"},
    )  # fmt: skip
    assert result.exit_code == 0
    assert "95% CI" in result.stdout
    assert "better" in result.stdout
    assert "298 rows matched by key 'id'; only in NEW 2, only in OLD 0" in result.stdout
    assert "\x1b[" not in result.stdout


def test_group_by_gives_a_verdict_per_slice(files: dict) -> None:
    out = document(files["new"], files["old"], "--key", "id", "-l", "bce", "--group-by", "g")
    slices = [r["slice"] for r in out["results"]]
    assert slices == [None, {"g": "a"}, {"g": "b"}]
    assert sum(r["rows"] for r in out["results"][1:]) == out["results"][0]["rows"] == 298
    assert all(r["verdict"] == "better" for r in out["results"])
    assert out["columns"]["group_by"] == ["g"]


def test_new_from_stdin(files: dict) -> None:
    """OLD's own rows on stdin as NEW: the file compared with itself."""
    piped = Path(files["old"]).read_bytes()
    out = document("-", files["old"], "--key", "id", "-l", "mse", input=piped)
    (result,) = out["results"]
    assert result["delta"] == {"value": 0.0, "ci_low": 0.0, "ci_high": 0.0}
    assert result["verdict"] == "no significant difference"
    assert out["inputs"]["new"].startswith("stdin")


def _run_compare(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = (
        "import sys\n"
        "from losscli.cli.app import LossCliGroup\n"
        "from losscli.cli.compare_cmd import compare_command\n"
        "LossCliGroup(name='losscli', commands={'compare': compare_command})"
        "(['compare', *sys.argv[1:]], prog_name='losscli')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_a_real_process_leaves_no_temporary_files(files: dict, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    env = {**os.environ, "TMPDIR": str(spool)}
    ok = _run_compare([files["new"], files["old"], "--key", "id", "-l", "mse", *FAST], env)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["results"][0]["verdict"] == "better"  # piped: JSON
    twice = tmp_path / "twice.parquet"
    pq.write_table(pa.table({"id": [0, 0], "y_true": [0.0, 0.0], "y_pred": [0.1, 0.1]}), twice)
    failed = _run_compare([files["new"], str(twice), "--key", "id", "-l", "mse"], env)
    assert failed.returncode == 3
    assert failed.stderr.startswith("losscli: error: key 0 appears 2 times in OLD")
    assert "Traceback" not in failed.stderr
    assert list(spool.iterdir()) == []


@pytest.mark.skipif(
    "compare" not in __import__("losscli.cli", fromlist=["main"]).main.commands,
    reason="compare is not registered in losscli.cli yet",
)
def test_registered_in_the_main_group(files: dict) -> None:
    from tests.cli.conftest import invoke as main_invoke

    result = main_invoke("compare", files["new"], files["old"], "--key", "id", "-l", "mse", *FAST)
    assert result.exit_code == 0, result.stderr
