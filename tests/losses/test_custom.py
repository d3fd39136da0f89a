"""User-defined losses from files, modules and plugins, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import losscli
from losscli.errors import InputDataError, ParameterError, UsageError
from tests.cli.conftest import invoke

USER_LOSSES = textwrap.dedent(
    '''
    """Losses a user might write."""
    import numpy as np


    def huber_fn(y_true, y_pred, threshold=1.0):
        """Huber with my own threshold."""
        error = np.abs(y_pred - y_true)
        quadratic = 0.5 * error**2
        linear = threshold * error - 0.5 * threshold**2
        return np.mean(np.where(error <= threshold, quadratic, linear), axis=-1)


    class HuberLoss:
        """The Keras pattern: a loss class with a config."""

        def __init__(self, threshold=2.0):
            self.threshold = threshold

        def call(self, y_true, y_pred):
            return huber_fn(y_true, y_pred, self.threshold)


    class Squared:
        def __call__(self, y_true, y_pred):
            return ((y_true - y_pred) ** 2)[:, 0]


    def batch_range(y_true, y_pred):
        return np.max(y_pred) - np.min(y_pred)


    batch_range.losscli_scope = "batch"


    def broken(y_true, y_pred):
        raise RuntimeError("boom")


    def wrong_shape(y_true, y_pred):
        return np.ones((len(y_pred), 3))


    def not_finite(y_true, y_pred):
        return np.log(y_pred[:, 0] - 10)


    NOT_A_LOSS = 3
    '''
)

Y_TRUE = np.array([[1.0], [2.0], [3.0], [4.0]])
Y_PRED = np.array([[1.5], [0.0], [3.2], [9.0]])


@pytest.fixture
def user_file(tmp_path: Path) -> str:
    path = tmp_path / "my_losses.py"
    path.write_text(USER_LOSSES)
    return str(path)


def test_function_with_a_parameter_equals_the_builtin(user_file: str) -> None:
    custom = losscli.compute(f"{user_file}:huber_fn", Y_TRUE, Y_PRED, threshold=2.0)
    builtin = losscli.compute("huber", Y_TRUE, Y_PRED, delta=2.0, dtype="float64")
    assert custom.value == pytest.approx(builtin.value, rel=1e-15)
    assert custom.loss.spec.origin == "user"
    assert custom.dtype == "float64"


def test_class_with_call_and_constructor_parameters(user_file: str) -> None:
    default = losscli.compute(f"{user_file}:HuberLoss", Y_TRUE, Y_PRED)
    assert default.value == pytest.approx(
        losscli.compute("huber", Y_TRUE, Y_PRED, delta=2.0, dtype="float64").value, rel=1e-15
    )
    tighter = losscli.compute(f"{user_file}:HuberLoss", Y_TRUE, Y_PRED, threshold=0.5)
    assert tighter.value < default.value
    squared = losscli.compute(f"{user_file}:Squared", Y_TRUE, Y_PRED, reduction="none")
    np.testing.assert_allclose(squared.value, ((Y_TRUE - Y_PRED) ** 2)[:, 0])


def test_a_python_callable_is_a_loss() -> None:
    def absolute(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.abs(y_true - y_pred)[:, 0]

    result = losscli.compute(absolute, Y_TRUE, Y_PRED, sample_weight=[1, 2, 3, 4])
    assert result.value == pytest.approx((0.5 + 4.0 + 0.6 + 20.0) / 4)


def test_batch_scope_user_loss_returns_one_value_per_batch(user_file: str) -> None:
    result = losscli.compute(f"{user_file}:batch_range", Y_TRUE, Y_PRED, reduction="none")
    np.testing.assert_allclose(result.value, [9.0] * 4)


def test_unknown_parameter_and_loading_errors(user_file: str) -> None:
    with pytest.raises(ParameterError, match=r"unknown parameter 'delta'.*threshold"):
        losscli.get_loss(f"{user_file}:huber_fn", delta=1.0)
    with pytest.raises(UsageError, match="has no 'huber_fm'; did you mean huber_fn"):
        losscli.get_loss(f"{user_file}:huber_fm")
    with pytest.raises(UsageError, match="no such file"):
        losscli.get_loss("missing_losses.py:f")
    with pytest.raises(UsageError, match="not a function or class"):
        losscli.get_loss(f"{user_file}:NOT_A_LOSS")
    with pytest.raises(UsageError, match="cannot import"):
        losscli.get_loss("no_such_package.module:f")


def test_broken_user_losses_are_data_errors(user_file: str) -> None:
    with pytest.raises(InputDataError, match="raised RuntimeError: boom"):
        losscli.compute(f"{user_file}:broken", Y_TRUE, Y_PRED)
    with pytest.raises(
        InputDataError, match=r"returned shape \(4, 3\); expected one value per row"
    ):
        losscli.compute(f"{user_file}:wrong_shape", Y_TRUE, Y_PRED)
    with pytest.raises(InputDataError, match="NaN or infinite loss"):
        losscli.compute(f"{user_file}:not_finite", Y_TRUE, Y_PRED)


def test_module_reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "acme_losses"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "regression.py").write_text(USER_LOSSES)
    monkeypatch.syspath_prepend(str(tmp_path))
    result = losscli.compute("acme_losses.regression:huber_fn", Y_TRUE, Y_PRED)
    assert result.value == pytest.approx(
        losscli.compute("huber", Y_TRUE, Y_PRED, dtype="float64").value, rel=1e-15
    )


@pytest.fixture
def data_file(tmp_path: Path) -> str:
    path = tmp_path / "preds.parquet"
    pq.write_table(
        pa.table(
            {
                "id": [10, 11, 12, 13],
                "y_true": Y_TRUE[:, 0],
                "y_pred": Y_PRED[:, 0],
                "w": [1.0, 2.0, 0.5, 1.0],
            }
        ),
        path,
    )
    return str(path)


def test_command_line_end_to_end(user_file: str, data_file: str, tmp_path: Path) -> None:
    loss = f"{user_file}:HuberLoss"
    summary = invoke("compute", "--format", "json", "-l", loss, "-p", "threshold=0.5", data_file)
    assert summary.exit_code == 0, summary.stderr
    value = json.loads(summary.stdout)["results"][0]["value"]
    assert value == pytest.approx(
        losscli.compute("huber", Y_TRUE, Y_PRED, delta=0.5, dtype="float64").value, rel=1e-15
    )
    weighted = invoke(
        "compute", "--format", "json", "-l", loss, "--sample-weight", "w",
        "--reduction", "mean_with_sample_weight", data_file,
    )  # fmt: skip
    assert weighted.exit_code == 0, weighted.stderr
    out = tmp_path / "rows.csv"
    rows = invoke(
        "compute", "-l", loss, "--reduction", "none", "--keep", "id", "-o", str(out), data_file
    )
    assert rows.exit_code == 0, rows.stderr
    assert out.read_text().splitlines()[0] == '"id","HuberLoss"'
    gate = invoke(
        "compute", "--format", "json", "-l", loss, "--fail-if", "HuberLoss>0.01", data_file
    )
    assert gate.exit_code == 1
    broken = invoke("compute", "-l", f"{user_file}:broken", data_file)
    assert broken.exit_code == 3
    assert "raised RuntimeError: boom" in broken.stderr


def test_plugin_entry_point(tmp_path: Path, data_file: str) -> None:
    """An installed package's entry point appears in `losscli list` and computes."""
    (tmp_path / "plugin_losses.py").write_text(USER_LOSSES)
    info = tmp_path / "plugin_losses-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: plugin-losses\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[losscli.losses]\nmy_huber = plugin_losses:huber_fn\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    listing = subprocess.run(
        [sys.executable, "-m", "losscli", "list", "--format", "json"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert listing.returncode == 0, listing.stderr
    rows = {row["name"]: row for row in json.loads(listing.stdout)["losses"]}
    assert rows["my_huber"]["origin"] == "plugin"
    run = subprocess.run(
        [sys.executable, "-m", "losscli", "compute", "--format", "json", "-l", "my_huber",
         "-p", "threshold=2.0", data_file],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["results"][0]["loss"] == "my_huber"
