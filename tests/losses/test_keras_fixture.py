"""Every loss, parameter path and reduction against Keras 3 itself.

The vectors in ``tests/fixtures/keras_vectors.json`` were produced by running Keras 3 (JAX
backend) on seeded random and edge-case inputs; ``tests/fixtures/make_keras_vectors.py`` is the
script that made them (Keras stays out of losscli's dependencies). float32 cases must agree to
1e-6 relative, float64 cases (Keras with ``dtype="float64"`` under JAX x64) to 1e-9.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import losscli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "keras_vectors.json"
REDUCTIONS = ("none", "sum_over_batch_size", "sum", "mean", "mean_with_sample_weight")
TOLERANCE = {"float32": 1e-6, "float64": 1e-9}


@cache
def fixture() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())


def cases() -> list[Any]:
    return [pytest.param(case, id=case["id"]) for case in fixture()["cases"]]


def test_fixture_covers_every_keras_loss() -> None:
    covered = {case["loss"] for case in fixture()["cases"]}
    assert covered == {spec.name for spec in losscli.list_losses(origin="keras")}
    assert {case["dtype"] for case in fixture()["cases"]} == {"float32", "float64"}


def keras_ctc_log_zero(case: dict[str, Any], expected: Any) -> bool:
    """Keras JAX returns about 1e5 for an impossible CTC alignment; losscli returns inf."""
    return case["loss"] == "ctc" and np.any(np.asarray(expected, dtype=float) >= 9e4)


def value_scale(case: dict[str, Any]) -> float:
    """The largest per-row loss of the case.

    When terms of mixed sign cancel (a Poisson row near 0, a sum of tiny KL values), float32
    rounding of the terms, not of the result, bounds the agreement: one float32 ulp of Keras's
    own terms can be many ulps of the result. The tolerance is relative to the terms' size.
    """
    values = np.abs(np.asarray(case["results"]["none"], dtype=np.float64))
    finite = values[np.isfinite(values)]
    return float(finite.max()) if finite.size else 0.0


@pytest.mark.parametrize("case", cases())
def test_agrees_with_keras(case: dict[str, Any]) -> None:
    params = {
        key: tuple(value) if isinstance(value, list) else value
        for key, value in case["params"].items()
    }
    for reduction in REDUCTIONS:
        expected = case["results"][reduction]
        if keras_ctc_log_zero(case, expected):
            continue
        result = losscli.compute(
            case["loss"],
            case["y_true"],
            case["y_pred"],
            reduction=reduction,
            sample_weight=case["sample_weight"],
            class_weight=case["class_weight"],
            dtype=case["dtype"],
            nan="propagate",
            **params,
        )
        got = np.asarray(result.value, dtype=np.float64).ravel()
        want = np.asarray(expected, dtype=np.float64).ravel()
        rtol = TOLERANCE[case["dtype"]]
        np.testing.assert_allclose(
            got,
            want,
            rtol=rtol,
            atol=rtol * value_scale(case),
            equal_nan=True,
            err_msg=f"{case['id']} reduction={reduction}",
        )
