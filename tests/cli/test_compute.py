"""``losscli compute`` end to end: inputs, options, outputs, gates and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import losscli
from tests.cli.conftest import SAMPLES, invoke, run_process, summary

REGRESSION = str(SAMPLES / "regression.parquet")
BINARY = str(SAMPLES / "binary.csv")
MULTICLASS = str(SAMPLES / "multiclass.parquet")


def regression_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    table = pq.read_table(REGRESSION)
    return (
        table["y_true"].to_numpy(),
        table["y_pred"].to_numpy(),
        table["weight"].to_numpy(),
    )


def result_of(document: dict, label: str) -> dict:
    return next(r for r in document["results"] if r["label"] == label)


def test_canonical_call_equals_the_python_api() -> None:
    document = summary("--loss", "huber", REGRESSION)
    y_true, y_pred, _ = regression_arrays()
    expected = losscli.compute("huber", y_true, y_pred)
    (result,) = document["results"]
    assert result["loss"] == "huber"
    assert result["reduction"] == "sum_over_batch_size"
    assert result["value"] == pytest.approx(expected.value, rel=1e-12)
    assert document["rows"] == {"read": 200, "used": 200, "skipped": 0}


def test_several_losses_in_one_pass_with_inline_and_json_parameters() -> None:
    config = json.dumps({"class_name": "Huber", "config": {"delta": 0.25}})
    document = summary("-l", "mse", "-l", "huber:delta=2.0", "-l", config, "-l", "MAE", REGRESSION)
    labels = [r["label"] for r in document["results"]]
    assert labels == [
        "mean_squared_error",
        "huber(delta=2.0)",
        "huber(delta=0.25)",
        "mean_absolute_error",
    ]
    y_true, y_pred, _ = regression_arrays()
    assert result_of(document, "huber(delta=2.0)")["value"] == pytest.approx(
        losscli.compute("huber", y_true, y_pred, delta=2.0).value, rel=1e-12
    )


def test_param_option_for_a_single_loss() -> None:
    document = summary("-l", "huber", "-p", "delta=0.5", REGRESSION)
    assert document["results"][0]["params"] == {"delta": 0.5}
    result = invoke("compute", "-l", "huber", "-l", "mse", "-p", "delta=0.5", REGRESSION)
    assert result.exit_code == 2
    assert "single --loss" in result.stderr


def test_weights_reduction_and_the_weight_note() -> None:
    result = invoke(
        "compute", "--format", "json", "-l", "mse", "--sample-weight", "weight", REGRESSION
    )
    assert result.exit_code == 0
    assert "mean_with_sample_weight divides by the weight sum" in result.stderr
    y_true, y_pred, weight = regression_arrays()
    value = json.loads(result.stdout)["results"][0]["value"]
    assert value == pytest.approx(
        losscli.compute("mse", y_true, y_pred, sample_weight=weight).value, rel=1e-12
    )
    weighted = summary(
        "-l",
        "mse",
        "--sample-weight",
        "weight",
        "--reduction",
        "mean_with_sample_weight",
        REGRESSION,
    )
    assert weighted["results"][0]["value"] == pytest.approx(
        np.average((y_true - y_pred) ** 2, weights=weight), rel=1e-6
    )


def test_class_weights_forms() -> None:
    base = ["-l", "bce", BINARY]
    inline = summary("--class-weight", "0=1.0,1=3.5", *base)
    as_json = summary("--class-weight", '{"0": 1.0, "1": 3.5}', *base)
    assert inline["results"][0]["value"] == as_json["results"][0]["value"]
    plain = summary(*base)
    assert inline["results"][0]["value"] > plain["results"][0]["value"]


def test_class_weights_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "weights.json"
    path.write_text('{"1": 3.5}')
    assert summary("--class-weight", f"@{path}", "-l", "bce", BINARY)["results"][0]["value"] > 0


def test_multi_column_predictions_by_glob_and_list_column() -> None:
    by_glob = summary(
        "-l",
        "sparse_categorical_crossentropy",
        "--y-true",
        "label",
        "--y-pred",
        "prob_*",
        MULTICLASS,
    )
    by_list = summary(
        "-l",
        "sparse_categorical_crossentropy",
        "--y-true",
        "label",
        "--y-pred",
        "probs",
        MULTICLASS,
    )
    one_hot = summary(
        "-l",
        "categorical_crossentropy",
        "--y-true",
        "onehot_0,onehot_1,onehot_2",
        "--y-pred",
        "prob_0,prob_1,prob_2",
        MULTICLASS,
    )
    values = [d["results"][0]["value"] for d in (by_glob, by_list, one_hot)]
    assert values[0] == values[1] == pytest.approx(values[2], rel=1e-7)
    assert by_glob["columns"]["y_pred"] == ["prob_0", "prob_1", "prob_2"]


def test_fallback_column_names_are_announced() -> None:
    result = invoke("compute", "--format", "json", "-l", "scce", "--y-pred", "prob_*", MULTICLASS)
    # 'scce' is not a Keras identifier.
    assert result.exit_code == 2
    result = invoke(
        "compute",
        "--format",
        "json",
        "-l",
        "sparse_categorical_crossentropy",
        "--y-pred",
        "prob_*",
        MULTICLASS,
    )
    assert result.exit_code == 0, result.stderr
    assert "using column 'label' as y_true" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-l", "hubber", REGRESSION], "did you mean huber"),
        (["-l", "huber", "-p", "delta=-1", REGRESSION], "delta=-1 is out of range"),
        (["-l", "huber", "-p", "dleta=1", REGRESSION], "unknown parameter 'dleta'"),
        (["-l", "huber", "--reduction", "auto", REGRESSION], "auto"),
        (["-l", "huber", "--fail-if", "huber~3", REGRESSION], "cannot read gate"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = invoke("compute", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_column_exits_3_with_a_suggestion() -> None:
    result = invoke("compute", "-l", "mse", "--y-pred", "y_prde", REGRESSION)
    assert result.exit_code == 3
    assert result.stderr.startswith("losscli: error: no column 'y_prde'")
    assert "did you mean 'y_pred'" in result.stderr
    assert result.stderr.count("\n") == 1


def test_formats(tmp_path: Path) -> None:
    table = invoke("compute", "--format", "table", "-l", "mse", REGRESSION)
    assert "mean_squared_error" in table.stdout
    assert "sum_over_batch_size" in table.stdout
    as_csv = invoke("compute", "--format", "csv", "-l", "mse", REGRESSION)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert rows[0]["reduction"] == "sum_over_batch_size"
    markdown = invoke("compute", "--format", "markdown", "-l", "mse", REGRESSION)
    assert markdown.stdout.lstrip().startswith("|") or "| " in markdown.stdout
    out = tmp_path / "summary.json"
    assert invoke("compute", "-l", "mse", "-o", str(out), REGRESSION).exit_code == 0
    assert json.loads(out.read_text())["results"][0]["loss"] == "mean_squared_error"


def test_per_sample_csv_to_stdout_keeps_ids() -> None:
    result = invoke(
        "compute", "-l", "mse", "-l", "mae", "--reduction", "none", "--keep", "id", REGRESSION
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["id", "mean_squared_error", "mean_absolute_error"]
    assert len(rows) == 200
    y_true, y_pred, _ = regression_arrays()
    np.testing.assert_allclose(
        [float(r["mean_squared_error"]) for r in rows],
        losscli.compute("mse", y_true, y_pred, reduction="none").value,
        rtol=1e-7,
    )


def test_per_sample_json_lines() -> None:
    result = invoke(
        "compute",
        "-l",
        "mse",
        "--reduction",
        "none",
        "--format",
        "json",
        "--keep",
        "id",
        REGRESSION,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 200
    assert set(lines[0]) == {"id", "mean_squared_error"}


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".arrow"])
def test_per_sample_file_output(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"losses{suffix}"
    result = invoke(
        "compute", "-l", "huber", "--reduction", "none", "--keep", "id", "-o", str(out), REGRESSION
    )
    assert result.exit_code == 0, result.stderr
    assert out.exists()
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_failed_run_leaves_no_output_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    rows = "\n".join(f"{i},{i * 0.1}" for i in range(5000)) + "\n5000,oops\n"
    bad.write_text("y_true,y_pred\n" + rows)
    out = tmp_path / "losses.parquet"
    result = invoke(
        "compute",
        "-l",
        "mse",
        "--reduction",
        "none",
        "--batch-size",
        "100",
        "-o",
        str(out),
        str(bad),
    )
    assert result.exit_code == 3, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_gates(tmp_path: Path) -> None:
    passing = invoke("compute", "--format", "json", "-l", "mse", "--fail-if", "mse>10", REGRESSION)
    assert passing.exit_code == 0
    failing = invoke(
        "compute",
        "--format",
        "json",
        "-l",
        "mse",
        "-l",
        "mae",
        "--fail-if",
        "mae>0.01",
        "--fail-if",
        "mse<0",
        REGRESSION,
    )
    assert failing.exit_code == 1
    assert failing.stderr.count("gate failed") == 1
    assert "mean_absolute_error" in failing.stderr
    assert json.loads(failing.stdout)["results"]  # the summary is still printed
    unknown = invoke("compute", "-l", "mse", "--fail-if", "huber>1", REGRESSION)
    assert unknown.exit_code == 2


def test_environment_variables_set_options() -> None:
    result = invoke("compute", "-l", "mse", REGRESSION, env={"LOSSCLI_COMPUTE_FORMAT": "csv"})
    assert result.stdout.startswith("label,")


def test_version_names_the_libraries() -> None:
    output = invoke("--version").stdout
    assert "numpy" in output and "pyarrow" in output


def write_csv(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("name", "content", "args", "message"),
    [
        ("empty.csv", "", ["-l", "mse"], ""),
        ("header.csv", "y_true,y_pred\n", ["-l", "mse"], "no rows"),
        ("text.csv", "y_true,y_pred\n1,abc\n2,def\n", ["-l", "mse"], "y_pred"),
        ("ragged.csv", "y_true,y_pred\n1,2\n3,4,5\n", ["-l", "mse"], ""),
        ("nan.csv", "y_true,y_pred\n1,2\n3,nan\n", ["-l", "mse"], "row 1"),
        (
            "labels.csv",
            "label,p0,p1\n0,0.5,0.5\n2,0.5,0.5\n",
            ["-l", "sparse_categorical_crossentropy", "--y-pred", "p0,p1"],
            "label 2 at row 1",
        ),
        (
            "onecol.csv",
            "y_true,y_pred\n1,0.5\n0,0.2\n",
            ["-l", "categorical_crossentropy"],
            "one column per class",
        ),
        ("logits.csv", "y_true,y_pred\n1,2.5\n0,-1\n", ["-l", "bce"], "from_logits"),
    ],
)
def test_bad_data_exits_3(
    tmp_path: Path, name: str, content: str, args: list[str], message: str
) -> None:
    path = write_csv(tmp_path / name, content)
    result = invoke("compute", *args, path)
    assert result.exit_code == 3, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if not line.startswith("losscli: note:")]
    assert len(errors) == 1
    assert errors[0].startswith("losscli: error: ")
    assert message in errors[0]


def test_missing_and_corrupt_files_exit_3(tmp_path: Path) -> None:
    missing = invoke("compute", "-l", "mse", str(tmp_path / "nope.parquet"))
    assert missing.exit_code == 3
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"PAR1" + bytes(range(200)) + b"PAR1")
    result = invoke("compute", "-l", "mse", str(corrupt))
    assert result.exit_code == 3
    assert "corrupt.parquet" in result.stderr


def test_nan_skip_reports_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "nan.csv", "y_true,y_pred\n1,2\n3,nan\n2,2\n")
    document = summary("-l", "mse", "--nan", "skip", path)
    assert document["rows"] == {"read": 3, "used": 2, "skipped": 1}
    assert document["results"][0]["value"] == pytest.approx(0.5)


def test_stdin_csv_and_parquet_as_processes(tmp_path: Path) -> None:
    data = (SAMPLES / "regression.csv").read_bytes()
    process = run_process("compute", "-l", "mse", "--format", "json", "-", input=data)
    assert process.returncode == 0, process.stderr
    from_file = summary("-l", "mse", REGRESSION)["results"][0]["value"]
    assert json.loads(process.stdout)["results"][0]["value"] == pytest.approx(from_file, rel=1e-12)
    parquet = run_process(
        "compute", "-l", "mse", "--format", "json", input=Path(REGRESSION).read_bytes()
    )
    assert parquet.returncode == 0, parquet.stderr
    assert b"spooling" in parquet.stderr


def test_broken_pipe_is_quiet() -> None:
    import subprocess
    import sys

    process = subprocess.run(
        f"{sys.executable} -m losscli compute -l mse --reduction none --keep id "
        f"{REGRESSION} | head -3",
        shell=True,
        capture_output=True,
        check=False,
    )
    assert process.stdout.count(b"\n") == 3
    assert process.stderr == b""


def test_hinge_labels_decided_over_the_whole_file(tmp_path: Path) -> None:
    """One -1 anywhere disables Keras's {0,1} -> {-1,1} mapping for every batch."""
    y_true = np.array([0, 1, 1, 0, 1, 0, 1, -1], dtype=float)
    y_pred = np.linspace(-1, 1, 8)
    path = tmp_path / "hinge.parquet"
    pq.write_table(pa.table({"y_true": y_true, "y_pred": y_pred}), path)
    expected = losscli.compute("hinge", y_true, y_pred).value
    for batch_size in ("1", "3", "100"):
        document = summary("-l", "hinge", "--batch-size", batch_size, str(path))
        assert document["results"][0]["value"] == pytest.approx(expected, rel=1e-12)


def test_csv_written_by_pyarrow_round_trips(tmp_path: Path) -> None:
    table = pa.table({"y_true": [1.0, 2.0], "y_pred": [1.5, 2.5]})
    pacsv.write_csv(table, tmp_path / "t.csv")
    assert summary("-l", "mse", str(tmp_path / "t.csv"))["results"][0]["value"] == 0.25


def test_batch_scope_losses_need_a_reasonable_batch() -> None:
    result = invoke("compute", "-l", "circle", "--y-true", "id", REGRESSION)
    assert result.exit_code == 2
    assert "--batch-size of at most 8192" in result.stderr
    ok = invoke("compute", "-l", "circle", "--y-true", "id", "--batch-size", "64", REGRESSION)
    assert ok.exit_code == 0, ok.stderr
    assert "computed per batch of 64 rows" in ok.stderr
