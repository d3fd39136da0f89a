"""Combined objectives: parsing, and the weighted total beside each term."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

import losscli
from losscli.errors import UsageError
from losscli.objective import Objective, Term
from tests.cli.conftest import SAMPLES, invoke

REGRESSION = str(SAMPLES / "regression.parquet")


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("bce*0.7 + dice*0.3", [("bce", 0.7), ("dice", 0.3)]),
        ("0.7*bce+0.3 * dice", [("bce", 0.7), ("dice", 0.3)]),
        ("mse", [("mse", 1.0)]),
        (
            "0.5*huber:delta=2.0 + col:penalty*1e+2",
            [("huber:delta=2.0", 0.5), ("col:penalty", 100.0)],
        ),
        ("2*cce:alpha=[0.2,0.8]", [("cce:alpha=[0.2,0.8]", 2.0)]),
    ],
)
def test_parse(text: str, terms: list[tuple[str, float]]) -> None:
    assert Objective.parse(text).terms == tuple(Term(s, w) for s, w in terms)


def test_bad_objectives() -> None:
    with pytest.raises(UsageError, match="empty term"):
        Objective.parse("mse + ")
    with pytest.raises(UsageError, match="one weight per loss"):
        Objective.from_weights(["mse", "mae"], [1.0])


def test_total_is_the_weighted_sum_of_reduced_terms() -> None:
    result = invoke("compute", "--format", "json", "--objective", "mse*0.7 + mae*0.3", REGRESSION)
    assert result.exit_code == 0, result.stderr
    rows = {r["label"]: r for r in json.loads(result.stdout)["results"]}
    table = pq.read_table(REGRESSION)
    y_true, y_pred = table["y_true"].to_numpy(), table["y_pred"].to_numpy()
    expected = (
        0.7 * losscli.compute("mse", y_true, y_pred).value
        + 0.3 * losscli.compute("mae", y_true, y_pred).value
    )
    total = rows["objective = 0.7*mean_squared_error + 0.3*mean_absolute_error"]
    assert total["value"] == pytest.approx(expected, rel=1e-12)
    assert total["loss"] == "objective"


def test_loss_weights_and_precomputed_columns() -> None:
    by_weights = invoke(
        "compute", "--format", "json", "-l", "mse", "-l", "mae",
        "--loss-weight", "0.7", "--loss-weight", "0.3", REGRESSION,
    )  # fmt: skip
    by_objective = invoke(
        "compute", "--format", "json", "--objective", "mse*0.7 + mae*0.3", REGRESSION
    )
    assert json.loads(by_weights.stdout) == json.loads(by_objective.stdout)
    with_column = invoke(
        "compute", "--format", "json", "--objective", "mse + col:weight*0.5", REGRESSION
    )
    rows = {r["label"]: r for r in json.loads(with_column.stdout)["results"]}
    weight_mean = pq.read_table(REGRESSION)["weight"].to_numpy().mean()
    assert rows["col:weight"]["value"] == pytest.approx(weight_mean, rel=1e-12)
    total = rows["objective = 1*mean_squared_error + 0.5*col:weight"]["value"]
    assert total == pytest.approx(rows["mean_squared_error"]["value"] + 0.5 * weight_mean)


def test_objective_gate_and_usage_errors() -> None:
    gate = invoke(
        "compute",
        "--format",
        "json",
        "--objective",
        "mse*2",
        "--fail-if",
        "objective>0.01",
        REGRESSION,
    )
    assert gate.exit_code == 1
    assert "gate failed: objective" in gate.stderr
    both = invoke("compute", "-l", "mse", "--loss-weight", "1", "--objective", "mse", REGRESSION)
    assert both.exit_code == 2
    nothing = invoke("compute", REGRESSION)
    assert nothing.exit_code == 2
    assert "no loss to compute" in nothing.stderr
    missing = invoke("compute", "--objective", "mse + col:nope", REGRESSION)
    assert missing.exit_code == 3
