"""``losscli penalty`` end to end: options, formats and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from losscli.errors import EXIT_BAD_DATA, EXIT_USAGE
from tests.cli.conftest import SAMPLES, invoke


@pytest.fixture
def weights(tmp_path: Path) -> str:
    path = tmp_path / "weights.npz"
    np.savez(
        path,
        **{
            "dense_10/kernel": np.array([[1.0, -2.0], [3.0, -4.0]], dtype=np.float32),
            "dense_10/bias": np.array([0.5, -0.5], dtype=np.float32),
            "dense_2/kernel": np.array([[-1.0], [1.0]], dtype=np.float32),
            "dense_2/bias": np.array([2.0], dtype=np.float32),
        },
    )
    return str(path)


def test_json_per_array_and_total(weights: str) -> None:
    result = invoke("penalty", weights, "--l1", "0.01", "--l2", "0.001")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["regularizer"] == "L1L2(l1=0.01, l2=0.001)"
    assert [item["name"] for item in data["arrays"]] == [
        "dense_2/bias",
        "dense_2/kernel",
        "dense_10/bias",
        "dense_10/kernel",
    ]
    kernel = data["arrays"][3]
    assert (kernel["sum_abs"], kernel["sum_squares"]) == (10.0, 30.0)
    assert kernel["penalty"] == pytest.approx(0.01 * 10 + 0.001 * 30, rel=1e-15)
    assert data["total"]["sum_abs"] == 2 + 2 + 1 + 10
    assert data["total"]["sum_squares"] == 4 + 2 + 0.5 + 30
    assert data["total"]["penalty"] == pytest.approx(0.01 * 15 + 0.001 * 36.5, rel=1e-15)


def test_globs_choose_arrays(weights: str) -> None:
    result = invoke("penalty", weights, "--l2", "1", "--array", "*/kernel", "--format", "json")
    data = json.loads(result.stdout)
    assert [item["name"] for item in data["arrays"]] == ["dense_2/kernel", "dense_10/kernel"]
    assert data["total"]["penalty"] == 32.0
    result = invoke(
        "penalty", weights, "--l1", "1", "--array", "dense_2/bias", "--array", "dense_10/*"
    )
    names = [item["name"] for item in json.loads(result.stdout)["arrays"]]
    assert names == ["dense_2/bias", "dense_10/bias", "dense_10/kernel"]


def test_table(weights: str) -> None:
    result = invoke("penalty", weights, "--l2", "0.01", "--format", "table")
    assert result.exit_code == 0, result.stderr
    assert "L2(l2=0.01) penalty of" in result.stdout
    assert "dense_10/kernel" in result.stdout
    assert "2×2" in result.stdout
    assert "total (4 arrays)" in result.stdout
    assert "0.365" in result.stdout


def test_a_factor_is_required(weights: str) -> None:
    result = invoke("penalty", weights)
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "losscli: error: give --l1, --l2 or both: the regularization factors (e.g. --l2 0.01)\n"
    )
    assert invoke("penalty", weights, "--l1", "-1").exit_code == EXIT_USAGE
    assert invoke("penalty", weights, "--l1", "x").exit_code == EXIT_USAGE


def test_a_missing_array_suggests_names(weights: str) -> None:
    result = invoke("penalty", weights, "--l2", "0.1", "--array", "dense_2/kernl")
    assert result.exit_code == EXIT_BAD_DATA
    assert "no array in" in result.stderr
    assert "did you mean 'dense_2/kernel'" in result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "path", [str(SAMPLES / "history.csv"), str(SAMPLES / "missing.npz"), str(SAMPLES)]
)
def test_files_that_are_not_npz_exit_3(path: str) -> None:
    result = invoke("penalty", path, "--l1", "0.1")
    assert result.exit_code == EXIT_BAD_DATA
    assert result.stderr.startswith("losscli: error: cannot read") or "not an .npz" in result.stderr
    assert "Traceback" not in result.stderr


def test_object_arrays_exit_3(tmp_path: Path) -> None:
    path = tmp_path / "objects.npz"
    np.savez(path, w=np.array([None, 1], dtype=object))
    result = invoke("penalty", str(path), "--l1", "0.1")
    assert result.exit_code == EXIT_BAD_DATA
    assert "holds Python objects" in result.stderr


def test_non_finite_weights_get_a_note(tmp_path: Path) -> None:
    path = tmp_path / "w.npz"
    np.savez(path, w=np.array([1.0, np.nan]))
    result = invoke("penalty", str(path), "--l2", "0.1")
    assert result.exit_code == 0
    assert "losscli: note: array 'w' has 1 NaN or infinite weights" in result.stderr
    assert json.loads(result.stdout)["total"]["penalty"] == "NaN"
    assert invoke("penalty", str(path), "--l2", "0.1", "-q").stderr == ""


def test_help_names_every_option() -> None:
    text = invoke("penalty", "--help").stdout
    for option in ("--l1", "--l2", "--array", "--format", "--quiet"):
        assert option in text, option
