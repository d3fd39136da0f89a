"""Keras L1/L2 regularization penalties of .npz weights, against hand-computed values."""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import numpy as np
import pytest

from losscli.errors import InputDataError, UsageError
from losscli.penalty import PENALTY_SCHEMA, array_penalty, penalty, select_arrays

KERNEL = np.array([[1.0, -2.0], [3.0, -4.0]], dtype=np.float32)  # sum|w| = 10, sum w² = 30
BIAS = np.array([0.5, -0.5], dtype=np.float32)  # sum|w| = 1, sum w² = 0.5


@pytest.fixture
def weights(tmp_path: Path) -> Path:
    path = tmp_path / "weights.npz"
    np.savez(path, **{"dense/kernel": KERNEL, "dense/bias": BIAS})
    return path


def test_l1_is_the_factor_times_the_sum_of_absolute_values(weights: Path) -> None:
    report = penalty(weights, l1=0.1)
    assert [item.name for item in report.arrays] == ["dense/bias", "dense/kernel"]
    kernel = report.arrays[1]
    assert (kernel.sum_abs, kernel.sum_squares, kernel.l1_term, kernel.l2_term) == (
        10.0,
        30.0,
        1.0,
        0.0,
    )
    assert report.total == pytest.approx(1.1, rel=1e-15)
    assert report.regularizer == "L1(l1=0.1)"


def test_l2_has_no_one_half_factor(weights: Path) -> None:
    report = penalty(weights, l2=0.01)
    assert report.arrays[1].penalty == pytest.approx(0.3, rel=1e-15)
    assert report.total == pytest.approx(0.01 * 30.5, rel=1e-15)
    assert report.regularizer == "L2(l2=0.01)"


def test_l1_l2_adds_both_terms(weights: Path) -> None:
    report = penalty(weights, l1=0.1, l2=0.01)
    assert report.arrays[1].penalty == pytest.approx(1.0 + 0.3, rel=1e-15)
    assert report.l1_term == pytest.approx(0.1 * 11, rel=1e-15)
    assert report.l2_term == pytest.approx(0.01 * 30.5, rel=1e-15)
    assert report.total == pytest.approx(1.1 + 0.305, rel=1e-15)
    assert report.regularizer == "L1L2(l1=0.1, l2=0.01)"


def test_sums_are_float64_of_the_stored_values() -> None:
    rng = np.random.default_rng(7)
    values = rng.normal(0, 0.05, (64, 33)).astype(np.float32)
    item = array_penalty("w", values, l1=0.01, l2=0.001)
    exact = [float(v) for v in values.ravel()]
    assert item.sum_abs == pytest.approx(math.fsum(abs(v) for v in exact), rel=1e-14)
    assert item.sum_squares == pytest.approx(math.fsum(v * v for v in exact), rel=1e-14)
    assert item.penalty == pytest.approx(0.01 * item.sum_abs + 0.001 * item.sum_squares)
    assert (item.shape, item.size, item.dtype, item.nonfinite) == ((64, 33), 2112, "float32", 0)


def test_integer_and_scalar_arrays_count_as_numbers() -> None:
    item = array_penalty("steps", np.array(3, dtype=np.int64), l1=1.0, l2=1.0)
    assert (item.shape, item.size, item.penalty) == ((), 1, 12.0)


def test_non_finite_weights_make_the_penalty_non_finite_and_are_counted() -> None:
    item = array_penalty("w", np.array([1.0, np.nan, np.inf]), l2=0.5)
    assert item.nonfinite == 2
    assert math.isnan(item.penalty)


def test_a_zero_factor_adds_nothing_even_for_non_finite_weights() -> None:
    item = array_penalty("w", np.array([1.0, np.inf]), l1=0.0, l2=0.5)
    assert (item.l1_term, item.l2_term) == (0.0, math.inf)


def test_the_total_does_not_depend_on_the_order_of_the_arrays(tmp_path: Path) -> None:
    parts = {f"w{i}": np.array([10.0**e for e in range(-8, 9)]) * (i + 1) for i in range(5)}
    np.savez(tmp_path / "a.npz", **parts)
    np.savez(tmp_path / "b.npz", **dict(reversed(list(parts.items()))))
    first, second = penalty(tmp_path / "a.npz", l1=0.3), penalty(tmp_path / "b.npz", l1=0.3)
    assert first.total == second.total
    assert first.total == math.fsum(item.penalty for item in first.arrays)


# --------------------------------------------------------------------------------------------
# choosing arrays

NAMES = ["layer_10/kernel", "layer_2/kernel", "layer_2/bias", "layer_10/bias", "embedding"]


def test_all_arrays_in_natural_order_by_default() -> None:
    assert select_arrays(NAMES, (), "w.npz") == [
        "embedding",
        "layer_2/bias",
        "layer_2/kernel",
        "layer_10/bias",
        "layer_10/kernel",
    ]


def test_globs_and_names_choose_a_union_in_natural_order() -> None:
    chosen = select_arrays(NAMES, ("*/kernel", "embedding", "layer_2/*"), "w.npz")
    assert chosen == ["embedding", "layer_2/bias", "layer_2/kernel", "layer_10/kernel"]


def test_an_exact_name_wins_over_its_glob_reading() -> None:
    assert select_arrays(["w[0]", "w0"], ("w[0]",), "w.npz") == ["w[0]"]
    assert select_arrays(["w[0]", "w0"], ("w[0-9]",), "w.npz") == ["w0"]


def test_a_missing_name_suggests_the_close_ones() -> None:
    with pytest.raises(InputDataError, match=r"is named 'layer_2/kernal'; did you mean"):
        select_arrays(NAMES, ("layer_2/kernal",), "w.npz")
    with pytest.raises(InputDataError, match=r"no array in 'w.npz' matches 'conv\*'"):
        select_arrays(NAMES, ("conv*",), "w.npz")


def test_penalty_of_chosen_arrays(weights: Path) -> None:
    report = penalty(weights, l2=1.0, arrays=["*kernel"])
    assert [item.name for item in report.arrays] == ["dense/kernel"]
    assert report.total == 30.0


# --------------------------------------------------------------------------------------------
# bad requests and files


@pytest.mark.parametrize(
    ("l1", "l2", "message"),
    [
        (None, None, "give --l1, --l2 or both"),
        (-0.1, None, "--l1 must be a finite number >= 0"),
        (None, math.nan, "--l2 must be a finite number >= 0"),
        (0.1, math.inf, "--l2 must be a finite number >= 0"),
    ],
)
def test_factors_are_checked_as_keras_does(
    weights: Path, l1: float | None, l2: float | None, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        penalty(weights, l1=l1, l2=l2)


def test_object_arrays_are_refused_not_unpickled(tmp_path: Path) -> None:
    path = tmp_path / "objects.npz"
    np.savez(path, good=np.ones(2), bad=np.array([{"a": 1}, None], dtype=object))
    with pytest.raises(InputDataError, match=r"array 'bad' .* holds Python objects"):
        penalty(path, l2=0.1)
    assert penalty(path, l2=0.1, arrays=["good"]).total == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("values", "kind"), [(np.array(["a", "b"]), "<U1"), (np.array([1 + 2j]), "complex128")]
)
def test_non_real_arrays_are_data_errors(tmp_path: Path, values: np.ndarray, kind: str) -> None:
    path = tmp_path / "w.npz"
    np.savez(path, w=values)
    with pytest.raises(InputDataError, match=f"holds {kind} values, not real numbers"):
        penalty(path, l1=0.1)


def test_a_csv_file_is_not_an_npz_archive(tmp_path: Path) -> None:
    path = tmp_path / "weights.npz"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(InputDataError, match=r"is not an \.npz archive"):
        penalty(path, l1=0.1)


def test_a_npy_file_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "kernel.npy"
    np.save(path, KERNEL)
    with pytest.raises(InputDataError, match=r"is a \.npy file \(one array\)"):
        penalty(path, l1=0.1)


def test_missing_empty_and_corrupt_archives(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="no such file"):
        penalty(tmp_path / "missing.npz", l1=0.1)
    with pytest.raises(InputDataError, match="is a directory"):
        penalty(tmp_path, l1=0.1)
    empty = tmp_path / "empty.npz"
    np.savez(empty)
    with pytest.raises(InputDataError, match="holds no arrays"):
        penalty(empty, l1=0.1)
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputDataError, match=r"cannot read .* as an \.npz archive"):
        penalty(corrupt, l1=0.1)


def test_a_truncated_member_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "w.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("w.npy", b"\x93NUMPY\x01\x00garbage")
    with pytest.raises(InputDataError, match="cannot read array 'w'"):
        penalty(path, l1=0.1)


def test_the_json_document(weights: Path) -> None:
    document = json.loads(json.dumps(penalty(weights, l1=0.1, l2=0.01).to_dict(), allow_nan=False))
    assert document["schema"] == PENALTY_SCHEMA
    assert document["kind"] == "penalty"
    assert (document["l1"], document["l2"]) == (0.1, 0.01)
    kernel = document["arrays"][1]
    assert kernel["name"] == "dense/kernel"
    assert (kernel["shape"], kernel["size"], kernel["dtype"]) == ([2, 2], 4, "float32")
    assert (kernel["sum_abs"], kernel["sum_squares"]) == (10.0, 30.0)
    assert document["total"]["size"] == 6
    assert document["total"]["penalty"] == pytest.approx(1.405, rel=1e-15)
