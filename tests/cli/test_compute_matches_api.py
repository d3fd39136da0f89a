"""A file computed by ``losscli compute`` equals the Python API on the same arrays.

For every loss in the registry and batch sizes 1, 7, 1000 and the whole file, to 1e-12
relative. Batch-scope losses (Circle) equal the API on each ``--batch-size`` chunk, merged.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import losscli
from losscli.losses import LossSpec, Scope, list_losses
from tests.cli.conftest import invoke
from tests.strategies import sample_inputs

ROWS = 60
BATCH_SIZES = (1, 7, 1000, ROWS)


def as_columns(prefix: str, values: np.ndarray) -> tuple[dict[str, pa.Array], str]:
    """Arrays as file columns and the option value that selects them."""
    if values.ndim == 1:
        return {prefix: pa.array(values)}, prefix
    if values.ndim == 2:
        names = [f"{prefix}{k}" for k in range(values.shape[1])]
        return {name: pa.array(values[:, k]) for k, name in enumerate(names)}, f"{prefix}*"
    nested = pa.array(values.tolist())  # [n, T, C] -> list<list<double>>
    return {prefix: nested}, prefix


def write_dataset(
    spec: LossSpec, path: Path
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    rng = np.random.default_rng(sum(map(ord, spec.name)))
    y_true, y_pred = (np.asarray(a) for a in sample_inputs(spec, rng, ROWS))
    weights = rng.random(ROWS)
    true_columns, true_option = as_columns("t", y_true)
    pred_columns, pred_option = as_columns("p", y_pred)
    table = pa.table({**true_columns, **pred_columns, "w": weights})
    pq.write_table(table, path, row_group_size=17)
    options = ["--y-true", true_option, "--y-pred", pred_option, "--sample-weight", "w"]
    return y_true, y_pred, weights, options


def expected_value(
    spec: LossSpec, y_true, y_pred, weights, reduction: str, batch_size: int
) -> float:
    if spec.scope is not Scope.BATCH:
        return losscli.compute(
            spec.name, y_true, y_pred, sample_weight=weights, reduction=reduction
        ).value
    state = None
    for start in range(0, ROWS, batch_size):
        part = slice(start, start + batch_size)
        chunk = losscli.compute(
            spec.name, y_true[part], y_pred[part], sample_weight=weights[part], nan="propagate"
        ).state
        state = chunk if state is None else state.merge(chunk)
    assert state is not None
    return state.result(reduction)


# npairs's y_pred is a [B, B] matrix per batch, so its width is tied to the batch size
# (test_tfa covers it through the command line).
STREAMABLE = [spec for spec in list_losses() if spec.name != "npairs"]


@pytest.mark.parametrize("spec", STREAMABLE, ids=lambda spec: spec.name)
def test_file_equals_api_for_every_batch_size(spec: LossSpec, tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    y_true, y_pred, weights, options = write_dataset(spec, path)
    for batch_size in BATCH_SIZES:
        for reduction in ("sum_over_batch_size", "mean_with_sample_weight", "sum"):
            # A one-row batch has no positive pair for the triplet losses: NaN, kept here.
            result = invoke(
                "compute", "--format", "json", "-l", spec.name, "--reduction", reduction,
                "--batch-size", str(batch_size), "--nan", "propagate", *options, str(path),
            )  # fmt: skip
            assert result.exit_code == 0, result.stderr
            got = json.loads(result.stdout)["results"][0]["value"]
            want = expected_value(spec, y_true, y_pred, weights, reduction, batch_size)
            assert float(got) == pytest.approx(want, rel=1e-12, abs=1e-300, nan_ok=True), (
                batch_size,
                reduction,
            )


@pytest.mark.parametrize(
    "spec",
    [spec for spec in list_losses() if spec.scope is Scope.ROW],
    ids=lambda spec: spec.name,
)
def test_per_sample_output_equals_api(spec: LossSpec, tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    y_true, y_pred, weights, options = write_dataset(spec, path)
    out = tmp_path / "out.parquet"
    result = invoke(
        "compute", "-l", spec.name, "--reduction", "none", "--batch-size", "7", "-o", str(out),
        *options, str(path),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    got = pq.read_table(out)[spec.name].to_numpy()
    want = losscli.compute(spec.name, y_true, y_pred, sample_weight=weights, reduction="none").value
    np.testing.assert_array_equal(got, want)
