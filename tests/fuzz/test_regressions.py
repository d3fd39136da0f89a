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
