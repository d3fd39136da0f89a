"""The inputs the fuzzers found to end in an internal error or a stray warning, kept as
plain tests (docs/reliability.md lists them)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import losscli
from losscli.errors import InputDataError
from tests.cli.conftest import invoke
from tests.fuzz.oracle import check_outcome


def test_integers_beyond_2_53_with_nulls_round_like_numpy(tmp_path: Path) -> None:
    """Arrow refused to cast int64 2**63-1 to float64 (exit 4); NumPy rounds it."""
    path = tmp_path / "big.csv"
    path.write_text("t,p\n,1\n9223372036854775807,2\n")
    result = invoke(
        "compute",
        "-q",
        "--format",
        "json",
        "--nan",
        "skip",
        "--dtype",
        "float64",
        "-l",
        "mse",
        "--y-true",
        "t",
        "--y-pred",
        "p",
        str(path),
    )
    check_outcome(result, allowed=(0,))
    expected = (float(2**63 - 1) - 2.0) ** 2
    assert json.loads(result.stdout)["results"][0]["value"] == pytest.approx(expected)


def test_training_log_with_an_integer_beyond_2_53(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("epoch,loss,val_loss\n0,9223372036854775807,\n1,2,1\n2,1,0.5\n")
    check_outcome(invoke("curve", "-q", "--format", "json", str(path)), allowed=(0,))


def test_probability_beyond_float32_is_one_error_line(tmp_path: Path) -> None:
    """Counting clipped probabilities cast 1.8e308 to float32: a RuntimeWarning on stderr."""
    path = tmp_path / "huge.csv"
    path.write_text("t,p\n0,1.7976931348623157e+308\n")
    result = invoke("compute", "-q", "-l", "bce", "--y-true", "t", "--y-pred", "p", str(path))
    check_outcome(result, allowed=(3,))
    assert "does not fit float32" in result.stderr


@pytest.mark.parametrize("name", ["dice", "tversky"])
def test_dataset_sums_overflowing_float32_are_a_data_error(name: str, tmp_path: Path) -> None:
    """Finite inputs whose sums overflow gave a silent NaN under nan='error' (and a warning)."""
    y_true = np.array([[1.0, 0.0], [0.0, 1.0]]) * 3e38
    y_pred = np.array([[0.9, 0.1], [0.2, 0.8]]) * 3e38
    with pytest.raises(InputDataError, match="overflow float32"):
        losscli.compute(name, y_true, y_pred)
    assert np.isfinite(losscli.compute(name, y_true, y_pred, dtype="float64").value)
    path = tmp_path / "overlap.csv"
    path.write_text("t0,t1,p0,p1\n" + "1,1,3.4028234663852886e+38,1e38\n" * 2)
    result = invoke("compute", "-q", "-l", name, "--y-true", "t*", "--y-pred", "p*", str(path))
    check_outcome(result, allowed=(3,))


@pytest.mark.parametrize("name", [" y ", "a,b", "p*", "x[1]"])
def test_any_column_name_can_be_selected(name: str, tmp_path: Path) -> None:
    """Names with surrounding spaces were stripped to a name that is not there (exit 3);
    names with ',' or glob characters were split or matched as patterns."""
    path = tmp_path / "names.parquet"
    table = pa.table({"t": [1.0, 2.0], name: [1.5, 2.5], "p0": [9.0, 9.0], "a": [9.0, 9.0]})
    pq.write_table(table, path)
    result = invoke(
        "compute",
        "-q",
        "--format",
        "json",
        "-l",
        "mse",
        "--y-true",
        "t",
        "--y-pred",
        name,
        str(path),
    )
    check_outcome(result, allowed=(0,))
    assert json.loads(result.stdout)["results"][0]["value"] == pytest.approx(0.25)


def test_epoch_beyond_2_53_is_a_data_error(tmp_path: Path) -> None:
    """Casting epoch 2**63-1 (as float64: 2**63) to int64 warned 'invalid value' (exit 4)."""
    path = tmp_path / "log.csv"
    path.write_text("epoch,loss\n0,1\n9223372036854775807,2\n")
    result = invoke("curve", "-q", "--format", "json", str(path))
    check_outcome(result, allowed=(3,))
    assert "whole numbers" in result.stderr


@pytest.mark.parametrize("command", ["compute", "compare"])
def test_hinge_label_rule_sees_labels_in_the_compute_dtype(command: str, tmp_path: Path) -> None:
    """The file's label scan saw 2.2e-308 as a non-binary label (no {0,1} -> {-1,1} mapping)
    while the float32 kernel, like Keras, saw 0: 1.0 instead of the API's 1.1."""
    path = tmp_path / "hinge.csv"
    path.write_text("t,p\n" + "0,0\n" * 9 + "2.2250738585072014e-308,1\n")
    y_true, y_pred = np.array([0.0] * 9 + [2.2250738585072014e-308]), np.array([0.0] * 9 + [1])
    expected = losscli.compute("hinge", y_true[:, None], y_pred[:, None]).value
    assert expected == pytest.approx(1.1)  # (9 * 1 + 2) / 10, labels mapped to -1
    args = ["-q", "--format", "json", "-l", "hinge", "--y-true", "t", "--y-pred", "p"]
    if command == "compare":
        args = ["--aligned", "--replicates", "20", *args, str(path)]
    result = invoke(command, *args, str(path))
    check_outcome(result, allowed=(0,))
    row = json.loads(result.stdout)["results"][0]
    assert (row["new"] if command == "compare" else row)["value"] == pytest.approx(expected)


def test_dataset_scope_loss_with_list_weights_is_a_weight_error(tmp_path: Path) -> None:
    """Per-element weights reached np.broadcast_to(weights, (rows,)): a ValueError (exit 4)."""
    path = tmp_path / "w.parquet"
    table = {"t": [1.0, 0.0], "p": [0.5, 0.5], "w": pa.array([[1.0, 2.0], [1.0, 2.0]])}
    pq.write_table(pa.table(table), path)
    args = ["-q", "-l", "dice", "--y-true", "t", "--y-pred", "p", "--sample-weight", "w"]
    result = invoke("compute", *args, str(path))
    check_outcome(result, allowed=(3,))
    assert "one sample weight per row" in result.stderr


def test_batch_left_empty_by_skipped_rows_is_not_an_internal_error(tmp_path: Path) -> None:
    """Circle's kernel ran on the empty batch left by --nan skip: ValueError (exit 4)."""
    path = tmp_path / "circle.csv"
    path.write_text("t,p,w\n0,0,\n1,0.5,1\n")
    args = ["-q", "-l", "circle", "--y-true", "t", "--y-pred", "p", "--sample-weight", "w"]
    result = invoke("compute", *args, "--nan", "skip", "--batch-size", "1", str(path))
    check_outcome(result, allowed=(0,))


def test_compare_propagates_opposite_infinities_without_a_warning(tmp_path: Path) -> None:
    """Dice's bootstrap sums added inf and -inf under --nan propagate: a warning (exit 4)."""
    path = tmp_path / "inf.csv"
    path.write_text("t0,t1,p0,p1\n0,0,0,inf\n0,0,-inf,0\n")
    args = ["-q", "-l", "dice", "--y-true", "t*", "--y-pred", "p*", "--nan", "propagate"]
    args += ["--batch-size", "1", "--aligned", "--replicates", "20", "--format", "json"]
    result = invoke("compare", *args, str(path), str(path))
    check_outcome(result, allowed=(0,))
    assert json.loads(result.stdout)["results"][0]["new"]["value"] == "NaN"


def test_compare_bootstrap_of_an_infinite_loss_without_a_warning(tmp_path: Path) -> None:
    """The bootstrap's weights @ losses met 0 * inf under --nan propagate: a warning (exit 4)."""
    path = tmp_path / "inf.csv"
    path.write_text("t,p\n" + "0,0\n" * 16 + "0,inf\n")
    args = ["-q", "-l", "hinge", "--y-true", "t", "--y-pred", "p", "--nan", "propagate"]
    args += ["--batch-size", "1", "--aligned", "--replicates", "20", "--format", "json"]
    result = invoke("compare", *args, str(path), str(path))
    check_outcome(result, allowed=(0,))


def test_float16_labels_are_checked_without_overflow(tmp_path: Path) -> None:
    """The 'below 2**53' label check cast 2**53 to float16: an overflow warning (exit 4)."""
    path = tmp_path / "labels.parquet"
    table = {"t": pa.array([0.0, 1.0], pa.float16()), "p": pa.array([0, 1], pa.int64())}
    pq.write_table(pa.table(table), path)
    args = ["-q", "--format", "json", "-l", "zero_one", "--y-true", "t", "--y-pred", "p"]
    result = invoke("compute", *args, str(path))
    check_outcome(result, allowed=(0,))
    assert json.loads(result.stdout)["results"][0]["value"] == 0.0
