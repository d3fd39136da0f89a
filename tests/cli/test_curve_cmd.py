"""``losscli curve`` end to end: output formats, --fail-on exit codes, widths, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from losscli.errors import EXIT_BAD_DATA, EXIT_GATE_FAILED, EXIT_OUTPUT, EXIT_USAGE
from tests.cli.conftest import SAMPLES, invoke, run_process
from tests.test_curve import fake_matplotlib, without_matplotlib

HEALTHY = str(SAMPLES / "history.csv")
DIVERGING = str(SAMPLES / "history_nan.csv")
OVERFITTING = str(SAMPLES / "history_overfit.csv")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def document(*args: str) -> dict:
    result = invoke("curve", "--format", "json", *args)
    assert result.exit_code in (0, EXIT_GATE_FAILED), result.stderr
    return json.loads(result.stdout)


def test_a_healthy_log_passes_every_check() -> None:
    result = invoke(
        "curve", HEALTHY, "--fail-on", "nan", "--fail-on", "divergence", "--fail-on", "overfit"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout)["checks"] == {
        "nan": "passed",
        "divergence": "passed",
        "overfit": "passed",
    }


@pytest.mark.parametrize(
    ("log", "check", "code", "line"),
    [
        (DIVERGING, "nan", EXIT_GATE_FAILED, "losscli: check failed: nan: loss is NaN at epoch 12"),
        (DIVERGING, "divergence", EXIT_GATE_FAILED, "check failed: divergence: loss jumped to"),
        (DIVERGING, "overfit", 0, None),
        (OVERFITTING, "overfit", EXIT_GATE_FAILED, "check failed: overfit: after epoch 12"),
        (OVERFITTING, "nan", 0, None),
        (OVERFITTING, "divergence", 0, None),
    ],
)
def test_each_fail_on_check_sets_the_exit_status(
    log: str, check: str, code: int, line: str | None
) -> None:
    result = invoke("curve", log, "--fail-on", check)
    assert result.exit_code == code, result.stderr
    if line is None:
        assert result.stderr == ""
    else:
        assert len(result.stderr.splitlines()) == 1
        assert result.stderr.startswith(line) or line in result.stderr
    assert json.loads(result.stdout)["checks"] == {check: "failed" if code else "passed"}


def test_every_failed_check_prints_one_line() -> None:
    result = invoke("curve", DIVERGING, "--fail-on", "divergence", "--fail-on", "nan")
    assert result.exit_code == EXIT_GATE_FAILED
    lines = result.stderr.splitlines()
    assert [line.split(":")[2].strip() for line in lines] == ["divergence", "nan"]
    assert all(line.startswith("losscli: check failed: ") for line in lines)


def test_findings_without_fail_on_do_not_fail() -> None:
    assert invoke("curve", DIVERGING).exit_code == 0


def test_fail_on_can_come_from_the_environment() -> None:
    result = invoke("curve", DIVERGING, env={"LOSSCLI_CURVE_FAIL_ON": "nan divergence"})
    assert result.exit_code == EXIT_GATE_FAILED
    assert len(result.stderr.splitlines()) == 2


def test_json_schema() -> None:
    data = document(DIVERGING)
    assert data["schema"] == 1
    assert data["kind"] == "curve"
    assert (data["metric"], data["validation"], data["mode"]) == ("loss", "val_loss", "min")
    assert data["settings"] == {"patience": 3, "divergence_factor": 10.0}
    assert data["epochs"] == list(range(20))
    assert set(data["series"]) == {"loss", "val_loss", "accuracy", "val_accuracy"}
    assert all(len(values) == 20 for values in data["series"].values())
    assert data["series"]["loss"][12:] == ["NaN"] * 8
    findings = data["findings"]
    assert set(findings) == {"best", "nan", "divergence", "overfit"}
    assert findings["best"]["epoch"] == 5
    assert findings["best"]["column"] == "val_loss"
    assert findings["nan"] == {
        "epoch": 12,
        "column": "loss",
        "value": "NaN",
        "count": 8,
        "message": "loss is NaN at epoch 12; 8 epochs in all",
    }
    assert findings["divergence"]["epoch"] == 9
    assert findings["divergence"]["reason"] == "jump"
    assert findings["divergence"]["ratio"] >= 10
    assert findings["overfit"] is None
    assert data["checks"] == {}
    assert data["notes"] == []


def test_the_overfitting_finding_in_json() -> None:
    overfit = document(OVERFITTING)["findings"]["overfit"]
    assert overfit["epoch"] == 12
    assert overfit["detected_epoch"] == 15
    assert overfit["column"] == "val_loss"
    assert overfit["train_column"] == "loss"
    assert overfit["patience"] == 3
    assert overfit["value"] > overfit["best_value"]
    assert overfit["train_value"] < overfit["train_at_best"]
    later = document(OVERFITTING, "--patience", "6")["findings"]["overfit"]
    assert (later["epoch"], later["detected_epoch"]) == (12, 18)


def test_json_lines_logs_read_the_same() -> None:
    from_csv = document(HEALTHY)
    from_jsonl = document(str(SAMPLES / "history.jsonl"))
    assert from_csv["series"] == from_jsonl["series"]
    assert from_csv["findings"] == from_jsonl["findings"]


def test_divergence_factor_option() -> None:
    assert (
        document(DIVERGING, "--divergence-factor", "100")["findings"]["divergence"]["epoch"] == 10
    )
    result = invoke("curve", DIVERGING, "--divergence-factor", "1")
    assert result.exit_code == EXIT_USAGE


def test_metric_and_mode_options() -> None:
    data = document(HEALTHY, "--metric", "accuracy")
    assert (data["metric"], data["validation"], data["mode"]) == (
        "accuracy",
        "val_accuracy",
        "max",
    )
    assert data["findings"]["best"]["column"] == "val_accuracy"
    assert document(HEALTHY, "--metric", "val_accuracy")["metric"] == "accuracy"
    assert document(HEALTHY, "--metric", "accuracy", "--mode", "min")["mode"] == "min"


# --------------------------------------------------------------------------------------------
# the chart


@pytest.mark.parametrize("columns", [40, 60, 80, 132])
@pytest.mark.parametrize("log", [HEALTHY, DIVERGING, OVERFITTING])
def test_the_table_fits_the_console_width(log: str, columns: int) -> None:
    result = invoke("curve", log, "--format", "table", env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) > 15
    assert max(len(line) for line in lines) <= columns
    assert "best epoch" in result.stdout


def test_the_table_of_a_diverging_run() -> None:
    result = invoke("curve", DIVERGING, "--format", "table", env={"COLUMNS": "100"})
    text = result.stdout
    assert "20 epochs, loss and val_loss (lower is better)" in text
    assert "log scale" in text
    assert "^ best epoch 5" in text
    assert "! non-finite from epoch 12" in text
    assert "loss jumped to 27.51 at epoch 9" in text
    assert "overfitting  none (patience 3)" in text
    assert "\x1b[" not in text  # not a terminal: no escape codes


def test_colour_only_on_a_colour_terminal_and_never_with_no_color() -> None:
    coloured = invoke("curve", HEALTHY, "--format", "table", env={"FORCE_COLOR": "1"})
    assert "\x1b[36m" in coloured.stdout  # cyan training curve
    plain = invoke("curve", HEALTHY, "--format", "table", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert not re.search(r"\x1b\[(3[0-9]|9[0-7])(;|m)", plain.stdout)
    assert ANSI.sub("", coloured.stdout) == ANSI.sub("", plain.stdout)


def test_a_log_without_validation_read_from_stdin() -> None:
    result = invoke("curve", "--format", "table", "-", input="epoch,loss\n0,1.0\n1,0.5\n")
    assert result.exit_code == 0, result.stderr
    assert "overfitting  not checked: no val_loss column" in result.stdout


def test_fail_on_overfit_needs_a_validation_curve(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("epoch,loss\n0,1.0\n1,0.5\n")
    result = invoke("curve", str(path), "--fail-on", "overfit")
    assert result.exit_code == EXIT_BAD_DATA
    assert result.stderr == (
        f"losscli: error: --fail-on overfit needs a validation curve, but '{path}' has no "
        "'val_loss' column\n"
    )


# --------------------------------------------------------------------------------------------
# --png


def test_png_without_matplotlib_is_a_one_line_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_matplotlib(monkeypatch)
    target = tmp_path / "curve.png"
    result = invoke("curve", HEALTHY, "--png", str(target))
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "losscli: error: --png needs matplotlib, which is not installed: "
        "pip install 'losscli[plot]'\n"
    )
    assert result.stdout == ""
    assert not target.exists()


def test_png_with_matplotlib_writes_the_file_and_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_matplotlib(monkeypatch)
    target = tmp_path / "curve.png"
    result = invoke("curve", OVERFITTING, "--png", str(target), "--fail-on", "overfit")
    assert result.exit_code == EXIT_GATE_FAILED
    assert target.read_bytes() == b"\x89PNG fake"
    assert f"losscli: note: wrote {target}" in result.stderr
    assert json.loads(result.stdout)["findings"]["overfit"]["epoch"] == 12


def test_png_into_a_missing_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_matplotlib(monkeypatch)
    result = invoke("curve", HEALTHY, "-q", "--png", str(tmp_path / "no" / "curve.png"))
    assert result.exit_code == EXIT_OUTPUT
    assert "no such directory" in result.stderr
    assert result.stdout == ""  # checked before any work


# --------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("epoch,acc\n0,0.5\n", "is not a training log: it has no 'loss' column"),
        ("epoch,loss,val_loss\n", "has no epochs (no rows)"),
        ("epoch,loss\n0,low\n1,high\n", "column 'loss' of"),
    ],
)
def test_bad_logs_exit_3_with_one_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "log.csv"
    path.write_text(content)
    result = invoke("curve", str(path))
    assert result.exit_code == EXIT_BAD_DATA
    assert result.stderr.startswith("losscli: error: ")
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_missing_log_or_a_directory_exits_3(tmp_path: Path) -> None:
    result = invoke("curve", str(tmp_path / "missing.csv"))
    assert result.exit_code == EXIT_BAD_DATA
    assert "no such file" in result.stderr
    result = invoke("curve", str(tmp_path))
    assert result.exit_code == EXIT_BAD_DATA
    assert (
        result.stderr
        == f"losscli: error: '{tmp_path}' is a directory; give the training log file\n"
    )


def test_an_unknown_metric_suggests_the_available_ones() -> None:
    result = invoke("curve", HEALTHY, "--metric", "acc")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        f"losscli: error: no metric 'acc' in '{HEALTHY}'; did you mean 'accuracy'? "
        "(metrics: accuracy, loss)\n"
    )


def test_help_names_every_option() -> None:
    text = invoke("curve", "--help").stdout
    for option in (
        "--metric", "--mode", "--patience", "--divergence-factor", "--fail-on", "--png",
        "--format", "--quiet",
    ):  # fmt: skip
        assert option in text, option


def test_a_real_process_exits_1_on_a_failed_check_without_a_traceback() -> None:
    process = run_process("curve", DIVERGING, "--fail-on", "nan")
    assert process.returncode == EXIT_GATE_FAILED
    assert process.stderr.decode().startswith("losscli: check failed: nan:")
    assert b"Traceback" not in process.stderr
    assert json.loads(process.stdout)["findings"]["nan"]["epoch"] == 12


# --------------------------------------------------------------------------------------------
# documentation

DOCS = SAMPLES.parent / "docs" / "curve.md"


@pytest.mark.parametrize("command", ["curve", "penalty"])
def test_every_option_is_documented(command: str) -> None:
    from losscli.cli import main

    text = DOCS.read_text()
    params = main.commands[command].params
    for option in (opt for param in params for opt in param.opts if opt.startswith("-")):
        if option != "--debug":  # documented once for every command in cli.md
            assert f"`{option}" in text or f"/{option}" in text, option


def test_the_documented_chart_is_the_real_output(monkeypatch: pytest.MonkeyPatch) -> None:
    text = DOCS.read_text()
    start = text.index("```\nsample_data/history_overfit.csv") + 4
    block = text[start : text.index("```", start)]
    monkeypatch.chdir(SAMPLES.parent)
    log = "sample_data/history_overfit.csv"
    result = invoke("curve", log, "--format", "table", env={"COLUMNS": "100"})
    assert block == "".join(line.rstrip() + "\n" for line in result.stdout.splitlines()), (
        "docs/curve.md's chart is stale: paste `COLUMNS=100 losscli curve "
        "sample_data/history_overfit.csv --format table`"
    )
