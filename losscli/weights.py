"""Sample and class weights: validation, and class weights turned into row weights.

Class weights follow Keras ``Model.fit``: the class of a row is ``round(y)`` for a single label
column (half to even) and ``argmax(y)`` for one-hot rows; classes missing from the mapping get
weight 1. Unlike Keras, sample and class weights may be given together: they multiply.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from losscli.errors import WeightError
from losscli.losses.spec import Target


def parse_class_weight(class_weight: Mapping[Any, Any] | str) -> dict[int, float]:
    """Validate a class -> weight mapping (a dict, or its JSON text); keys become ints."""
    if isinstance(class_weight, str):
        try:
            class_weight = json.loads(class_weight)
        except json.JSONDecodeError as exc:
            raise WeightError(f"class weights are not valid JSON: {exc.msg}") from None
    if not isinstance(class_weight, Mapping):
        raise WeightError("class weights must map class ids to weights, e.g. {0: 1.0, 1: 3.5}")
    parsed: dict[int, float] = {}
    for key, value in class_weight.items():
        cls = _class_id(key)
        weight = _weight_value(value, f"class {cls}")
        if cls in parsed:
            raise WeightError(f"class {cls} is given two class weights")
        parsed[cls] = weight
    return parsed


def _class_id(key: Any) -> int:
    if isinstance(key, (bool, np.bool_)):
        raise WeightError(f"class weight key {key!r} is not an integer class id")
    if isinstance(key, (int, np.integer)):
        return int(key)
    if isinstance(key, (float, np.floating)) and float(key).is_integer():
        return int(key)
    if isinstance(key, str):
        try:
            return int(key.strip())
        except ValueError:
            pass
    raise WeightError(f"class weight key {key!r} is not an integer class id")


def _weight_value(value: Any, what: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise WeightError(f"the weight of {what} must be a number, not {value!r}")
    weight = float(value)
    if not np.isfinite(weight) or weight < 0:
        raise WeightError(f"the weight of {what} must be finite and >= 0, not {weight}")
    return weight


def row_classes(y_true: np.ndarray, target: Target) -> np.ndarray:
    """The class of each row, as Keras ``fit`` derives it for ``class_weight``."""
    if target is Target.SEQUENCE:
        raise WeightError("class weights are not defined for sequence targets (ctc)")
    if y_true.ndim == 1:
        return np.rint(y_true).astype(np.int64)
    if y_true.shape[-1] == 1:
        return np.rint(y_true[..., 0]).astype(np.int64)
    return np.argmax(y_true, axis=-1)


def class_weights_to_sample_weights(
    y_true: np.ndarray, class_weight: Mapping[int, float], target: Target
) -> np.ndarray:
    """One weight per row from its class; classes not in the mapping weigh 1."""
    classes = row_classes(y_true, target)
    weights = np.ones(classes.shape, dtype=np.float64)
    for cls, weight in class_weight.items():
        weights[classes == cls] = weight
    return weights


def as_sample_weights(sample_weight: Any, rows: int) -> np.ndarray:
    """Sample weights as a float64 array with one entry per row (``[n]`` or ``[n, ...]``)."""
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise WeightError("sample weights must be numeric") from None
    if weights.ndim == 0:
        return np.full(rows, float(weights))
    if weights.ndim == 2 and weights.shape[1] == 1:
        weights = weights[:, 0]
    if weights.shape[0] != rows:
        raise WeightError(
            f"sample weights have {weights.shape[0]} rows but the data has {rows}; "
            "give one weight per row"
        )
    return weights


def check_non_negative(weights: np.ndarray, row_number: Callable[[int], int] | None = None) -> None:
    """Reject negative weights, naming how many and the first row."""
    negative = weights < 0
    if np.any(negative):
        first = tuple(np.argwhere(negative)[0])
        row = row_number(int(first[0])) if row_number is not None else int(first[0])
        raise WeightError(
            f"sample weights must be >= 0; found {weights[first]} at row {row} "
            f"({int(np.count_nonzero(negative))} negative weight(s))"
        )


def broadcast_to_values(weights: np.ndarray, values_shape: tuple[int, ...]) -> np.ndarray:
    """Per-row weights for per-row (or per-row-and-step) loss values."""
    if weights.shape == values_shape:
        return weights
    if weights.ndim < len(values_shape) and weights.shape == values_shape[: weights.ndim]:
        return weights.reshape(weights.shape + (1,) * (len(values_shape) - weights.ndim))
    raise WeightError(
        f"sample weights of shape {weights.shape} do not fit loss values of shape {values_shape}"
    )
