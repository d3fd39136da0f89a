"""``losscli doctor`` end to end: formats, exit codes, errors, notes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from losscli.cli import main
from losscli.cli.app import LossCliGroup
from losscli.cli.doctor_cmd import doctor_command
from losscli.errors import EXIT_BAD_DATA, EXIT_GATE_FAILED, EXIT_USAGE

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = "tests/fixtures/doctor"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _group() -> click.Group:
    """The real ``losscli`` group once doctor is registered there; until then, one like it."""
    if "doctor" in main.commands:
        return main
    group = LossCliGroup(name="losscli", context_settings={"auto_envvar_prefix": "LOSSCLI"})
    group.add_command(doctor_command)
    return group


@pytest.fixture(autouse=True)
def _at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def doctor(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(
        _group(), ["doctor", *args], input=input, env=env, catch_exceptions=False
    )


def document(*args: str) -> dict:
    result = doctor("--format", "json", *args)
    assert result.exit_code in (0, EXIT_GATE_FAILED), result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("name", "args", "code"),
    [
        ("clean_regression.csv", (), 0),
        ("clean_binary.csv", (), 0),
        ("clean_sparse.parquet", (), 0),
        ("clean_onehot.parquet", (), 0),
        ("clean_multilabel.parquet", (), 0),
        ("logits.csv", (), 0),
        ("not_normalised.csv", (), 0),
        ("constant_pred.csv", (), 0),
        ("imbalanced.parquet", (), 0),
        ("huge_regression.parquet", (), 0),
        ("nonfinite.parquet", ("--sample-weight", "weight"), EXIT_GATE_FAILED),
        ("missing.csv", (), EXIT_GATE_FAILED),
        ("bad_labels.csv", (), EXIT_GATE_FAILED),
        ("bad_onehot.csv", (), EXIT_GATE_FAILED),
    ],
)
def test_exit_status_is_1_exactly_when_a_finding_is_an_error(
    name: str, args: tuple[str, ...], code: int
) -> None:
    result = doctor(f"{FIXTURES}/{name}", "--format", "json", "-q", *args)
    assert result.exit_code == code, result.stderr
    report = json.loads(result.stdout)
    assert (report["status"] == "errors") == (code == EXIT_GATE_FAILED)
    if code:
        assert len(result.stderr.splitlines()) == 1
        assert result.stderr.startswith("losscli: doctor found ")
    else:
        assert result.stderr == ""


def test_the_error_line_names_each_problem() -> None:
    result = doctor(f"{FIXTURES}/nonfinite.parquet", "--sample-weight", "weight", "-q")
    assert result.stderr == (
        "losscli: doctor found 4 errors that would corrupt a loss: nan (y_true), inf (y_pred), "
        "nan (weight), inf (weight)\n"
    )


def test_json_document() -> None:
    report = document(f"{FIXTURES}/imbalanced.parquet")
    assert report["schema"] == 1
    assert report["kind"] == "doctor"
    assert report["inputs"] == [f"{FIXTURES}/imbalanced.parquet"]
    assert report["columns"] == {"y_true": ["y_true"], "y_pred": ["y_pred"], "sample_weight": None}
    assert (report["rows"], report["task"], report["status"]) == (500, "binary", "warnings")
    assert report["counts"] == {"errors": 0, "warnings": 1}
    assert [f["code"] for f in report["findings"]] == ["class_imbalance"]
    weighted = report["suggestions"][1]
    assert weighted["class_weight"] == {"0": 0.5051, "1": 50.0}
    assert weighted["params"] == {}
    assert weighted["command"].startswith("losscli compute --loss binary_crossentropy --class")
    assert [s["column"] for s in report["statistics"]] == ["y_true", "y_pred"]
    assert report["statistics"][0]["mean"] == pytest.approx(0.01)


def test_auto_format_is_json_when_not_a_terminal() -> None:
    result = doctor(f"{FIXTURES}/clean_binary.csv")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["task"] == "binary"


def test_table_report_for_a_terminal() -> None:
    result = doctor("sample_data/multiclass.csv", "--format", "table", "-q", env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert not ANSI.search(out)
    assert out.startswith("sample_data/multiclass.csv: 200 rows, task multiclass_sparse\n")
    assert "no problems found" in out
    assert "suggested losses" in out
    # the command is printed whole, on one line, to copy and paste
    assert (
        "   $ losscli compute --loss sparse_categorical_crossentropy --y-true label "
        "--y-pred 'prob_*' sample_data/multiclass.csv\n"
    ) in out


def test_table_lists_findings_with_their_severity() -> None:
    result = doctor(f"{FIXTURES}/bad_labels.csv", "--format", "table", "-q")
    assert result.exit_code == EXIT_GATE_FAILED
    lines = [line for line in result.stdout.splitlines() if line.startswith("error")]
    assert [line.split()[1] for line in lines] == ["labels_not_integer", "labels_out_of_range"]
    assert "2 errors, 0 warnings: the data would corrupt a loss (exit 1)" in result.stdout


def test_a_narrow_terminal_drops_statistics_not_digits() -> None:
    result = doctor(
        "sample_data/multiclass.parquet",
        "--y-pred",
        "probs",
        "--format",
        "table",
        "-q",
        env={"COLUMNS": "50", "NO_COLOR": "1"},
    )
    assert result.exit_code == 0
    lines = [line.split() for line in result.stdout.splitlines()]
    header = lines.index(["column", "role", "missing", "nan", "inf", "min"])
    assert lines[header + 2] == ["probs[0]", "y_pred", "0", "0", "0", "0.01594"]
    assert "max, mean, std not shown: the terminal is too" in result.stdout


def test_markdown_summary_for_ci() -> None:
    result = doctor(f"{FIXTURES}/logits.csv", "--format", "markdown")
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith("## losscli doctor\n")
    assert "| warning | logits | y_pred | 0 | y_pred looks like logits:" in text
    assert "1. **binary_crossentropy** (from_logits=true): " in text
    assert (
        "   ```sh\n   losscli compute --loss binary_crossentropy -p from_logits=true "
        f"{FIXTURES}/logits.csv\n   ```\n"
    ) in text


def test_format_from_the_environment() -> None:
    result = doctor(f"{FIXTURES}/clean_binary.csv", env={"LOSSCLI_DOCTOR_FORMAT": "markdown"})
    assert result.stdout.startswith("## losscli doctor")


def test_notes_say_which_columns_were_guessed_and_q_hides_them() -> None:
    noisy = doctor("sample_data/multiclass.csv", "--format", "json")
    assert noisy.stderr.splitlines() == [
        "losscli: note: using columns prob_0..prob_2 as y_pred (set --y-pred to choose)",
        "losscli: note: using column 'label' as y_true (set --y-true to choose)",
    ]
    assert doctor("sample_data/multiclass.csv", "--format", "json", "-q").stderr == ""


def test_columns_can_be_named() -> None:
    report = document("sample_data/multiclass.parquet", "--y-true", "onehot_*", "--y-pred", "probs")
    assert report["task"] == "multiclass_onehot"
    assert report["columns"]["y_pred"] == ["probs"]
    assert report["suggestions"][0]["command"] == (
        "losscli compute --loss categorical_crossentropy --y-true 'onehot_*' --y-pred probs "
        "sample_data/multiclass.parquet"
    )


def test_stdin() -> None:
    text = Path(f"{FIXTURES}/clean_binary.csv").read_text()
    result = doctor("-", "--format", "json", input=text)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["task"] == "binary"
    assert report["suggestions"][0]["command"] == "losscli compute --loss binary_crossentropy -"


def test_batch_size_does_not_change_the_report() -> None:
    path = f"{FIXTURES}/nonfinite.parquet"
    one = document(path, "--sample-weight", "weight", "--batch-size", "1")
    whole = document(path, "--sample-weight", "weight")
    assert one["findings"] == whole["findings"]
    assert one["suggestions"] == whole["suggestions"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("no/such.csv",), EXIT_BAD_DATA, "no/such.csv"),
        (("sample_data/binary.csv", "--y-pred", "nope"), EXIT_BAD_DATA, "no column 'nope'"),
        (("sample_data/history.csv",), EXIT_BAD_DATA, "no y_true column"),
        (("sample_data/binary.csv", "--batch-size", "0"), EXIT_USAGE, "--batch-size"),
        (("sample_data/binary.csv", "--format", "csv"), EXIT_USAGE, "--format"),
    ],
)
def test_bad_input_is_one_line_and_its_exit_code(
    args: tuple[str, ...], code: int, message: str
) -> None:
    result = doctor(*args)
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stdout == ""
    if code == EXIT_BAD_DATA:
        assert len(result.stderr.splitlines()) == 1
        assert result.stderr.startswith("losscli: error: ")


def test_a_non_numeric_column_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "words.csv"
    path.write_text("y_true,y_pred\na,0.5\nb,0.25\n")
    result = doctor(str(path))
    assert result.exit_code == EXIT_BAD_DATA
    assert "not numeric" in result.stderr
