"""The Python API: input forms, conventions, typed errors with clear messages, NaN policy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import losscli
from losscli.errors import (
    InputDataError,
    LabelError,
    NonFiniteError,
    ShapeError,
    UsageError,
    WeightError,
)

Y_TRUE = [[1.0], [2.0], [3.0], [4.0]]
Y_PRED = [[1.5], [1.0], [3.5], [5.0]]


def test_inputs_may_be_lists_arrays_series_or_frames() -> None:
    expected = losscli.compute("mse", Y_TRUE, Y_PRED).value
    frame = pd.DataFrame({"y_true": [1.0, 2.0, 3.0, 4.0], "y_pred": [1.5, 1.0, 3.5, 5.0]})
    assert losscli.compute("mse", frame.y_true, frame.y_pred).value == expected
    assert losscli.compute("mse", frame[["y_true"]], frame[["y_pred"]]).value == expected
    assert losscli.compute("mse", np.array(Y_TRUE), np.array(Y_PRED)).value == expected
    assert losscli.compute(losscli.get_loss("mse"), Y_TRUE, Y_PRED).value == expected


def test_a_single_column_is_one_value_per_row() -> None:
    """Keras would treat two 1-D arrays as one sample; losscli's column convention does not."""
    result = losscli.compute("mse", [1.0, 2.0, 3.0, 4.0], [1.5, 1.0, 3.5, 5.0], reduction="none")
    np.testing.assert_array_equal(result.value, [0.25, 1.0, 0.25, 1.0])
    assert result.rows == 4


def test_result_converts_to_float_and_reports_rows() -> None:
    result = losscli.compute("mae", Y_TRUE, Y_PRED)
    assert float(result) == pytest.approx(0.75)
    assert (result.rows, result.skipped_rows, result.dtype) == (4, 0, "float32")
    assert result.weight_sum == 4.0
    with pytest.raises(TypeError, match="one value per row"):
        float(losscli.compute("mae", Y_TRUE, Y_PRED, reduction="none"))


def test_float32_by_default_float64_on_request() -> None:
    """BCE of (y=0, p=1): 15.942385 with Keras's float32 clip bound, 16.118096 in float64."""
    y_true, y_pred = [[0.0]], [[1.0]]
    assert losscli.compute("bce", y_true, y_pred).value == pytest.approx(15.942385, rel=1e-7)
    as64 = losscli.compute("bce", y_true, y_pred, dtype="float64")
    assert as64.value == pytest.approx(-np.log(1.0 - (1.0 - 1e-7)), rel=1e-15)
    assert as64.dtype == "float64"
    with pytest.raises(UsageError, match="unsupported dtype"):
        losscli.compute("bce", y_true, y_pred, dtype="float16")


def test_shape_mismatch_names_both_shapes() -> None:
    with pytest.raises(
        ShapeError, match=r"y_true has shape \(2, 3\) but y_pred has shape \(2, 2\)"
    ):
        losscli.compute("mse", np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ShapeError, match="y_true has 3 rows but y_pred has 2"):
        losscli.compute("mse", np.zeros(3), np.zeros(2))
    with pytest.raises(ShapeError, match="not a scalar"):
        losscli.compute("mse", 1.0, 2.0)
    with pytest.raises(ShapeError, match="the rows of y_true have different lengths"):
        losscli.compute("mse", [[1.0, 2.0], [3.0]], [[1.0, 2.0], [3.0, 4.0]])


def test_categorical_losses_need_class_columns() -> None:
    with pytest.raises(ShapeError, match="one column per class"):
        losscli.compute("categorical_crossentropy", [[1.0], [0.0]], [[0.8], [0.1]])
    with pytest.raises(ShapeError, match="one column per class"):
        losscli.compute("sparse_categorical_crossentropy", [1, 0], [0.8, 0.1])


def test_labels_out_of_range_for_the_number_of_classes() -> None:
    probs = [[0.2, 0.8], [0.5, 0.5], [0.9, 0.1]]
    with pytest.raises(LabelError, match=r"label 2 at row 1 is out of range for 2 classes"):
        losscli.compute("sparse_categorical_crossentropy", [1, 2, 0], probs)
    with pytest.raises(LabelError, match=r"label -1 at row 0"):
        losscli.compute("sparse_categorical_crossentropy", [-1, 0, 0], probs)
    # The ignored class may be outside the range.
    result = losscli.compute("sparse_categorical_crossentropy", [-1, 0, 0], probs, ignore_class=-1)
    assert result.state.valid == 2


def test_labels_must_be_integers() -> None:
    with pytest.raises(LabelError, match=r"found 1\.7 at row 0"):
        losscli.compute("sparse_categorical_crossentropy", [1.7, 0.0], [[0.5, 0.5], [0.5, 0.5]])


def test_ctc_labels_are_validated() -> None:
    logits = np.zeros((1, 4, 3))
    with pytest.raises(LabelError, match="left-aligned"):
        losscli.compute("ctc", [[1, 0, 2]], logits)
    with pytest.raises(LabelError, match="out of range for 3 classes"):
        losscli.compute("ctc", [[1, 3]], logits)
    with pytest.raises(ShapeError, match=r"\[rows, time, classes\]"):
        losscli.compute("ctc", [[1, 2]], np.zeros((1, 3)))


def test_negative_weights_are_rejected() -> None:
    with pytest.raises(WeightError, match=r"found -1\.0 at row 2 \(1 negative weight"):
        losscli.compute("mse", Y_TRUE, Y_PRED, sample_weight=[1, 1, -1, 1])
    with pytest.raises(WeightError, match="3 rows but the data has 4"):
        losscli.compute("mse", Y_TRUE, Y_PRED, sample_weight=[1, 1, 1])


def test_unknown_reduction_and_nan_policy() -> None:
    with pytest.raises(UsageError, match="unknown reduction"):
        losscli.compute("mse", Y_TRUE, Y_PRED, reduction="auto")
    with pytest.raises(UsageError, match="NaN policy"):
        losscli.compute("mse", Y_TRUE, Y_PRED, nan="ignore")  # type: ignore[arg-type]


def test_nan_error_names_count_and_first_row() -> None:
    y_pred = [[1.5], [np.nan], [3.5], [np.inf]]
    with pytest.raises(
        NonFiniteError, match=r"2 row\(s\) hold NaN or infinite values, the first at row 1"
    ):
        losscli.compute("mse", Y_TRUE, y_pred)


def test_nan_skip_drops_rows_and_reports_them() -> None:
    y_pred = [[1.5], [np.nan], [3.5], [5.0]]
    result = losscli.compute("mse", Y_TRUE, y_pred, nan="skip")
    assert result.skipped_rows == 1 and result.rows == 3
    assert result.value == pytest.approx((0.25 + 0.25 + 1.0) / 3)
    weights_nan = losscli.compute(
        "mse", Y_TRUE, Y_PRED, sample_weight=[1, np.nan, 1, 1], nan="skip"
    )
    assert weights_nan.skipped_rows == 1


def test_nan_propagate_keeps_rows() -> None:
    result = losscli.compute("mse", Y_TRUE, [[1.5], [np.nan], [3.5], [5.0]], nan="propagate")
    assert np.isnan(result.value)
    assert result.state.nonfinite == 1


def test_non_finite_losses_follow_the_policy_too() -> None:
    """A negative Poisson rate gives NaN from finite inputs."""
    with pytest.raises(NonFiniteError, match="give a NaN or infinite loss, the first at row 1"):
        losscli.compute("poisson", [[1.0], [1.0]], [[0.5], [-2.0]])
    skipped = losscli.compute("poisson", [[1.0], [1.0]], [[0.5], [-2.0]], nan="skip")
    assert skipped.skipped_rows == 1 and skipped.rows == 1


def test_ctc_impossible_alignment_is_infinite() -> None:
    result = losscli.compute(
        "ctc", [[1, 1, 1]], np.zeros((1, 3, 3)), reduction="none", nan="propagate"
    )
    assert np.isinf(result.value).all()


def test_no_rows_is_an_error() -> None:
    with pytest.raises(InputDataError, match="no rows"):
        losscli.compute("mse", np.zeros((0, 1)), np.zeros((0, 1)))
    with pytest.raises(InputDataError, match="all 1 row"):
        losscli.compute("mse", [[np.nan]], [[1.0]], nan="skip")


def test_non_numeric_input_is_a_data_error() -> None:
    with pytest.raises(InputDataError, match="y_pred must be numeric"):
        losscli.compute("mse", [[1.0]], [["a"]])


def test_dice_over_the_dataset_is_one_value() -> None:
    y_true = [[1.0, 1.0, 0.0, 0.0], [1.0, 0.0, 1.0, 0.0]]
    y_pred = [[0.9, 0.2, 0.1, 0.4], [0.3, 0.0, 0.8, 0.5]]
    whole = losscli.compute("dice", y_true, y_pred, reduction="none")
    assert isinstance(whole.value, float)
    # By hand: sum(y p) = 2.2, sum(y) = 4, sum(p) = 3.2.
    assert whole.value == pytest.approx(1 - 2 * 2.2 / 7.2, rel=1e-6)


def test_values_too_large_for_float32_are_reported() -> None:
    with pytest.raises(InputDataError, match=r"value 1e\+300 at row 1 does not fit float32"):
        losscli.compute("mse", [[1.0], [2.0]], [[1.0], [1e300]])
    as64 = losscli.compute("mae", [[1.0], [2.0]], [[1.0], [1e300]], dtype="float64")
    assert as64.value == pytest.approx(0.5e300)


def test_per_class_alpha_needs_one_value_per_class() -> None:
    y_true, y_pred = [[0.0, 1.0, 0.0]], [[0.2, 0.7, 0.1]]
    with pytest.raises(losscli.ParameterError, match="alpha has 2 values but y_pred has 3 classes"):
        losscli.compute("categorical_focal_crossentropy", y_true, y_pred, alpha=[0.5, 0.5])
    per_class = losscli.compute(
        "categorical_focal_crossentropy", y_true, y_pred, alpha=[0.25, 0.25, 0.25]
    )
    assert (
        per_class.value == losscli.compute("categorical_focal_crossentropy", y_true, y_pred).value
    )


def test_ctc_needs_time_steps_and_a_blank() -> None:
    with pytest.raises(ShapeError, match="at least one time step"):
        losscli.compute("ctc", [[1]], np.zeros((1, 0, 3)))


def test_probabilities_outside_their_range_suggest_logits() -> None:
    with pytest.raises(InputDataError, match=r"must be \[0, 1\]; found 2\.5 at row 1.*from_logits"):
        losscli.compute("bce", [[0.0], [1.0]], [[0.2], [2.5]])
    with pytest.raises(InputDataError, match=r"must be >= 0; found -1 at row 0"):
        losscli.compute("categorical_crossentropy", [[1.0, 0.0]], [[-1.0, 2.0]])
    # Unnormalised class scores are valid (Keras renormalises them), and logits may be anything.
    assert losscli.compute("categorical_crossentropy", [[1.0, 0.0]], [[3.0, 1.0]]).value > 0
    assert losscli.compute("bce", [[1.0]], [[2.5]], from_logits=True).value > 0


def test_row_numbers_survive_skipped_rows() -> None:
    """After a NaN row is skipped, an error still names the row as the user counts it."""
    probs = [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]
    with pytest.raises(LabelError, match="label 5 at row 2"):
        losscli.compute("sparse_categorical_crossentropy", [np.nan, 0, 5], probs, nan="skip")
