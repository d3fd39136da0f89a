"""Fuzzed CSV and Parquet files through compute, evaluate, compare and doctor.

Every command must end with a result or one error line and exit 2 or 3 (doctor and gates: 1),
never exit 4 or a traceback; a successful compute must print what ``losscli.compute`` gives on
the drawn arrays and, where one exists, what the float64 reference gives.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import event, given

import losscli
from losscli.errors import InputDataError
from losscli.losses import Scope
from tests.cli.conftest import invoke
from tests.fuzz.budget import budget
from tests.fuzz.oracle import as_number, check_numbers, check_outcome, reference_value
from tests.fuzz.scenarios import Scenario, scenarios


def expected(scenario: Scenario) -> float | None:
    """``losscli.compute`` on the drawn arrays; None when the columns are not all numbers.

    Computed in float64, where the float64 reference has the loss and the drawn rows are all
    finite, the value is checked against the reference too. (In float32 the kernels clip at
    float32's 1 - eps, as Keras does: up to 1% from float64 at the clip edge, by design.)
    """
    arrays = scenario.arrays()
    if arrays is None:
        return None
    y_true, y_pred, weights = arrays
    value = _api_value(scenario, y_true, y_pred, weights)
    if scenario.dtype != "float64" or not (weights is None or np.isfinite(weights).all()):
        return value
    reduction = scenario.reduction or "sum_over_batch_size"
    reference = reference_value(scenario.spec.name, y_true, y_pred, weights, reduction, "float64")
    if reference is not None:
        event("compute checked against the float64 reference")
        np.testing.assert_allclose(value, reference, rtol=1e-9, atol=1e-12)
    return value


def _api_value(
    scenario: Scenario, y_true: np.ndarray, y_pred: np.ndarray, weights: np.ndarray | None
) -> float:
    try:
        computed = losscli.compute(
            scenario.spec.name,
            y_true,
            y_pred,
            sample_weight=weights,
            reduction=scenario.reduction,
            nan=scenario.nan,
            dtype=scenario.dtype,
        )
    except InputDataError as exc:
        raise AssertionError(f"the CLI accepted what the API refuses: {exc}") from exc
    return float(computed.value)


def check_compute(scenario: Scenario, path: Path) -> float | None:
    result = invoke("compute", "--format", "json", *scenario.options(), str(path))
    check_outcome(result)
    event(f"compute exit {result.exit_code}")
    if result.exit_code != 0:
        return None
    document = check_numbers(result.stdout, nonfinite_allowed=scenario.nan == "propagate")
    value = as_number(document["results"][0]["value"])
    if document["results"][0]["rows"] == 0:
        # Open (docs/reliability.md): every row's loss was non-finite and skipped; the CLI
        # prints 0 where the API raises "no rows to compute".
        event("open: every loss skipped")
        assert scenario.nan == "skip" and value == 0.0
        return value
    # A batch-scope loss depends on the batches: the API's one batch is the file's only when
    # the file fits one (test_compute_matches_api merges per-batch values for the rest).
    split = scenario.spec.scope is Scope.BATCH and scenario.batch_size < scenario.table.rows
    want = None if split else expected(scenario)
    if want is not None:
        tolerance = 1e-6 if scenario.dtype != "float64" else 1e-12
        np.testing.assert_allclose(value, want, rtol=tolerance, atol=1e-300)
    return value


def check_evaluate(scenario: Scenario, path: Path, computed: float | None) -> None:
    """evaluate fails as compute does, and otherwise prints compute's value overall."""
    result = invoke("evaluate", "--format", "json", *scenario.options(), str(path))
    check_outcome(result)
    if scenario.spec.scope is Scope.BATCH and result.exit_code == 2:
        return  # evaluate slices rows, so it refuses batch-scope losses (docs/evaluate.md)
    if computed is None:
        assert result.exit_code != 0, "evaluate accepted what compute refused"
        return
    assert result.exit_code == 0, result.stderr
    document = check_numbers(result.stdout, nonfinite_allowed=scenario.nan == "propagate")
    if scenario.spec.dataset_scan is not None:
        # Open (docs/reliability.md): evaluate applies hinge's "all labels 0 or 1" rule per
        # batch, compute over the whole input.
        event("open: evaluate decides hinge labels per batch")
        return
    overall = as_number(document["results"][0]["value"])
    np.testing.assert_allclose(overall, computed, rtol=1e-12, atol=1e-300)


def check_compare(scenario: Scenario, path: Path, computed: float | None) -> None:
    """A file compared with itself: both sides equal compute's value, the difference 0."""
    args = ("compare", "--format", "json", "--aligned", "--replicates", "20")
    result = invoke(*args, *scenario.options(), str(path), str(path))
    check_outcome(result)
    if computed is None or result.exit_code != 0:
        return
    document = check_numbers(result.stdout, nonfinite_allowed=scenario.nan == "propagate")
    row = document["results"][0]
    for side in ("new", "old"):
        np.testing.assert_allclose(as_number(row[side]["value"]), computed, rtol=1e-12)


def check_doctor(scenario: Scenario, path: Path) -> None:
    """doctor reads any file: a report (exit 0, or 1 for error findings) or a data error."""
    args = ["--y-true", ",".join(scenario.y_true), "--y-pred", ",".join(scenario.y_pred)]
    if scenario.weight is not None:
        args += ["--sample-weight", scenario.weight]
    result = invoke("doctor", "--format", "json", "-q", *args, str(path))
    check_outcome(result, allowed=(0, 1, 2, 3))
    if result.exit_code in (0, 1):
        check_numbers(result.stdout, nonfinite_allowed=False)


@budget(120)
@given(scenario=scenarios())
def test_fuzzed_files_through_every_command(scenario: Scenario) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = scenario.write(Path(directory))
        computed = check_compute(scenario, path)
        check_evaluate(scenario, path, computed)
        check_compare(scenario, path, computed)
        check_doctor(scenario, path)
