"""Every loss against the Keras 3 values of LOSS_SEMANTICS.md section 7 (float32, rtol 1e-6)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import losscli
from tests.losses.spec_vectors import CASES

REDUCTION_OF = {
    "none": ("none", False),
    "sum_over_batch_size": ("sum_over_batch_size", False),
    "sum": ("sum", False),
    "none_sw": ("none", True),
    "sum_over_batch_size_sw": ("sum_over_batch_size", True),
    "sum_sw": ("sum", True),
    "mws_sw": ("mean_with_sample_weight", True),
}


def _expanded() -> list[Any]:
    params = []
    for case_id, loss, kwargs, y_true, y_pred, weights, expected in CASES:
        for key, value in expected.items():
            reduction, use_weights = REDUCTION_OF[key]
            params.append(
                pytest.param(
                    loss,
                    kwargs,
                    y_true,
                    y_pred,
                    weights if use_weights else None,
                    reduction,
                    value,
                    id=f"{case_id}-{loss}-{key}",
                )
            )
    return params


@pytest.mark.parametrize(
    ("loss", "params", "y_true", "y_pred", "weights", "reduction", "expected"), _expanded()
)
def test_matches_keras_reference(
    loss: str,
    params: dict[str, Any],
    y_true: Any,
    y_pred: Any,
    weights: Any,
    reduction: str,
    expected: Any,
) -> None:
    result = losscli.compute(
        loss, y_true, y_pred, reduction=reduction, sample_weight=weights, **params
    )
    np.testing.assert_allclose(
        np.asarray(result.value, dtype=np.float64).ravel(),
        np.asarray(expected, dtype=np.float64).ravel(),
        rtol=1e-6,
        atol=1e-12,
    )


def test_mean_is_sum_over_batch_size() -> None:
    for case_id, loss, params, y_true, y_pred, _, _ in CASES:
        mean = losscli.compute(loss, y_true, y_pred, reduction="mean", **params).value
        sobs = losscli.compute(loss, y_true, y_pred, **params).value
        assert mean == sobs, case_id


def test_tutorial_bce_is_the_keras_3_value() -> None:
    """The public tutorial's numbers are Keras 2's; Keras 3 gives these (spec 7.1a)."""
    y_true = [[0, 1], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]]
    y_pred = [[0.6, 0.4], [0.4, 0.6], [0.6, 0.4], [0.8, 0.2]]
    result = losscli.compute("BinaryCrossentropy", y_true, y_pred, reduction="none")
    np.testing.assert_allclose(
        result.value, [0.91629076, 0.5919186, 0.79465115, 1.0549202], rtol=1e-6
    )
    keras2 = np.array([0.9162905, 0.5919184, 0.79465103, 1.0549198])
    assert not np.allclose(result.value, keras2, rtol=1e-7, atol=0)
