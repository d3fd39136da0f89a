"""Class weights become row weights the way Keras fit() derives them."""

from __future__ import annotations

import numpy as np
import pytest

import losscli
from losscli.errors import WeightError
from losscli.losses.spec import Target
from losscli.weights import class_weights_to_sample_weights, parse_class_weight, row_classes


def test_row_classes_round_half_to_even_for_label_columns() -> None:
    labels = np.array([0.0, 0.5, 1.5, 2.5, 1.0])
    assert list(row_classes(labels, Target.SPARSE_LABEL)) == [0, 0, 2, 2, 1]
    assert list(row_classes(labels[:, None], Target.BINARY)) == [0, 0, 2, 2, 1]


def test_row_classes_argmax_for_one_hot_rows() -> None:
    one_hot = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0], [0.2, 0.7, 0.1]])
    assert list(row_classes(one_hot, Target.ONE_HOT)) == [1, 2, 0, 1]


def test_missing_classes_weigh_one() -> None:
    weights = class_weights_to_sample_weights(np.array([0, 1, 2, 1]), {1: 3.5}, Target.SPARSE_LABEL)
    assert list(weights) == [1.0, 3.5, 1.0, 3.5]


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        ({0: 1, 1: 3.5}, {0: 1.0, 1: 3.5}),
        ({"0": 1.0, "1": 2.0}, {0: 1.0, 1: 2.0}),
        ('{"0": 1.0, "2": 0.5}', {0: 1.0, 2: 0.5}),
        ({2.0: 1.0}, {2: 1.0}),
    ],
)
def test_parse_class_weight(mapping: object, expected: dict[int, float]) -> None:
    assert parse_class_weight(mapping) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"a": 1.0}, "not an integer class id"),
        ({1.5: 1.0}, "not an integer class id"),
        ({0: -1.0}, "finite and >= 0"),
        ({0: float("nan")}, "finite and >= 0"),
        ({0: "x"}, "must be a number"),
        ({0: 1.0, "0": 2.0}, "two class weights"),
        ("[1, 2]", "map class ids"),
        ("{oops", "not valid JSON"),
    ],
)
def test_bad_class_weights(mapping: object, message: str) -> None:
    with pytest.raises(WeightError, match=message):
        parse_class_weight(mapping)  # type: ignore[arg-type]


def test_class_weight_equals_the_same_sample_weight() -> None:
    labels = [1, 2, 0, 2]
    probs = [[0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.5, 0.3, 0.2], [0.3, 0.4, 0.3]]
    class_weight = {0: 2.0, 2: 0.5}
    by_class = losscli.compute(
        "sparse_categorical_crossentropy", labels, probs, class_weight=class_weight
    )
    by_sample = losscli.compute(
        "sparse_categorical_crossentropy", labels, probs, sample_weight=[1.0, 0.5, 2.0, 0.5]
    )
    assert by_class.value == by_sample.value


def test_class_and_sample_weights_multiply() -> None:
    y_true, y_pred = [[0.0], [1.0], [1.0]], [[0.2], [0.7], [0.4]]
    both = losscli.compute(
        "bce", y_true, y_pred, sample_weight=[1.0, 2.0, 3.0], class_weight={1: 10.0}
    )
    product = losscli.compute("bce", y_true, y_pred, sample_weight=[1.0, 20.0, 30.0])
    assert both.value == pytest.approx(product.value, rel=1e-15)


def test_class_weights_are_rejected_for_sequences() -> None:
    with pytest.raises(WeightError, match="sequence"):
        losscli.compute("ctc", [[1, 2]], np.zeros((1, 3, 3)), class_weight={1: 2.0})
