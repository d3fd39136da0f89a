"""Turn user inputs (lists, NumPy arrays, pandas objects) into the arrays a kernel expects.

The column convention: one y_true column and one y_pred column are ``[n, 1]`` (one loss per
row, never "the whole column is one sample"); ``K`` columns are ``[n, K]``; sparse labels are
``[n]`` integers. Each target kind is checked here, so kernels can assume valid shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from losscli.errors import InputDataError, LabelError, ParameterError, ShapeError, UsageError
from losscli.lazy_numpy import lazy_numpy
from losscli.losses.loss import Loss
from losscli.losses.spec import ParamKind, Target

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy(globals())

DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class Batch:
    """Validated y_true / y_pred arrays for one loss; the first axis is the row axis."""

    y_true: np.ndarray
    y_pred: np.ndarray

    @property
    def rows(self) -> int:
        return int(self.y_pred.shape[0])

    def take(self, rows: np.ndarray) -> Batch:
        """The batch restricted to some rows (an index or boolean array)."""
        return Batch(self.y_true[rows], self.y_pred[rows])


def resolve_dtype(dtype: Any, loss: Loss) -> np.dtype:
    """The compute dtype: explicit, else the loss's config, else its reference library's."""
    chosen = dtype if dtype is not None else (loss.dtype or loss.spec.reference_dtype)
    name = np.dtype(chosen).name if not isinstance(chosen, str) else chosen.strip().lower()
    if name not in DTYPES:
        raise UsageError(f"unsupported dtype {chosen!r}; use float32 or float64")
    return np.dtype(name)


@dataclass(frozen=True)
class RowNumbers:
    """The input row number of each array row, after a batch offset and skipped rows.

    Kept as an offset plus (only once rows were dropped) the kept positions, so the common
    case costs nothing per batch.
    """

    offset: int = 0
    kept: np.ndarray | None = None

    def __call__(self, index: int) -> int:
        position = int(self.kept[index]) if self.kept is not None else int(index)
        return self.offset + position

    def keep(self, mask: np.ndarray) -> RowNumbers:
        """The numbering of the rows where ``mask`` is true."""
        positions = np.flatnonzero(mask)
        if self.kept is not None:
            positions = self.kept[positions]
        return RowNumbers(self.offset, positions)


RowIds = RowNumbers | None


def row_number(index: int, row_ids: RowIds) -> int:
    """The row number to show a user for array row ``index``."""
    return row_ids(index) if row_ids is not None else int(index)


def prepare(loss: Loss, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: RowIds = None) -> Batch:
    """Validate and convert ``y_true``/``y_pred`` for ``loss`` (shapes, labels, dtype)."""
    if loss.spec.prepare is not None:
        return loss.spec.prepare(loss, y_true, y_pred, dtype, row_ids)
    target = loss.spec.target
    if target is Target.SPARSE_LABEL:
        return _sparse(loss, y_true, y_pred, dtype, row_ids)
    if target is Target.SEQUENCE:
        return _sequence(loss, y_true, y_pred, dtype, row_ids)
    if target is Target.EMBEDDING_LABEL:
        return _embedding(loss, y_true, y_pred, dtype, row_ids)
    return _elementwise(loss, y_true, y_pred, dtype, row_ids)


def float_array(
    values: Any, dtype: np.dtype, what: str, loss: Loss, row_ids: RowIds = None
) -> np.ndarray:
    """``values`` as a ``dtype`` array; non-numbers and values ``dtype`` cannot hold fail."""
    try:
        array = np.asarray(values)
        if array.dtype.kind not in "biuf":
            raise TypeError
    except (TypeError, ValueError):
        raise InputDataError(f"{loss.name}: {what} must be numeric") from None
    with np.errstate(over="ignore"):
        converted = array.astype(dtype, copy=False)
    narrowed = converted is not array and converted.dtype.itemsize < array.dtype.itemsize
    if narrowed and array.dtype.kind == "f" and not all_finite(converted):
        overflow = np.isinf(converted) & np.isfinite(array)
        if np.any(overflow):
            first = tuple(np.argwhere(overflow)[0])
            raise InputDataError(
                f"{loss.name}: {what} value {float(array[first])} at row "
                f"{row_number(first[0], row_ids)} does not "
                f"fit {dtype.name}; compute in float64 (--dtype float64)"
            )
    return converted


def as_columns(array: np.ndarray, what: str, loss: Loss) -> np.ndarray:
    """A scalar is rejected; a single column (1-D) becomes ``[n, 1]``."""
    if array.ndim == 0:
        raise ShapeError(f"{loss.name}: {what} must have one row per sample, not a scalar")
    return array[:, None] if array.ndim == 1 else array


def _align_ranks(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keras's squeeze-or-expand: drop a trailing axis of 1 when ranks differ by one."""
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_pred = y_pred[..., 0]
    return y_true, y_pred


def _elementwise(loss: Loss, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: RowIds) -> Batch:
    true = as_columns(float_array(y_true, dtype, "y_true", loss, row_ids), "y_true", loss)
    pred = as_columns(float_array(y_pred, dtype, "y_pred", loss, row_ids), "y_pred", loss)
    true, pred = _align_ranks(true, pred)
    if true.shape != pred.shape:
        raise ShapeError(
            f"{loss.name}: y_true has shape {true.shape} but y_pred has shape {pred.shape}; "
            "they must match"
        )
    if loss.spec.target is Target.ONE_HOT and pred.shape[-1] < 2:
        raise ShapeError(
            f"{loss.name}: needs one column per class (at least 2), got shape {pred.shape}; "
            "for a single probability column use binary_crossentropy"
        )
    _check_axes(loss, pred.ndim)
    check_per_class_params(loss, pred)
    check_probabilities(loss, pred, row_ids)
    return Batch(true, pred)


def check_probabilities(loss: Loss, pred: np.ndarray, row_ids: RowIds = None) -> None:
    """Probabilities outside their range are almost always logits passed by mistake."""
    valid = loss.probability_range
    if valid is None:
        return
    low, high = valid
    with np.errstate(invalid="ignore"):
        bad = pred < low if high is None else (pred < low) | (pred > high)
    if np.any(bad):
        first = tuple(np.argwhere(bad)[0])
        span = f"[{low:g}, {high:g}]" if high is not None else f">= {low:g}"
        raise InputDataError(
            f"{loss.name}: y_pred holds probabilities, which must be {span}; found "
            f"{float(pred[first]):g} at row {row_number(first[0], row_ids)} "
            f"({int(np.count_nonzero(bad))} such value(s)); if these are logits, pass "
            "--param from_logits=true (Python: from_logits=True)"
        )


def check_per_class_params(loss: Loss, pred: np.ndarray) -> None:
    """A per-class parameter list (focal ``alpha``) needs one entry per class column."""
    for name, value in loss.params.items():
        if isinstance(value, tuple) and loss.spec.param(name).kind is ParamKind.FLOATS:
            axis = loss.params.get("axis", -1)
            classes = pred.shape[axis]
            if len(value) != classes:
                raise ParameterError(
                    f"{loss.name}: {name} has {len(value)} values but y_pred has {classes} "
                    "classes; give one per class or a single number"
                )


def _check_axes(loss: Loss, ndim: int) -> None:
    axis = loss.params.get("axis")
    axes = axis if isinstance(axis, tuple) else (() if axis is None else (axis,))
    for a in axes:
        if not -ndim <= a < ndim:
            raise ShapeError(f"{loss.name}: axis={axis} is out of range for {ndim}-D inputs")


def labels_array(values: Any, what: str, loss: Loss, row_ids: RowIds = None) -> np.ndarray:
    """Integer labels from ints or integer-valued floats; anything else fails with the row."""
    array = np.asarray(values)
    if array.dtype.kind in "iu":
        return array.astype(np.int64, copy=False)
    if array.dtype.kind == "b":
        return array.astype(np.int64)
    if array.dtype.kind != "f":
        raise LabelError(f"{loss.name}: {what} must hold integer class ids")
    # np.float64: a Python 2.0**53 would be cast to a float16 array's dtype, and overflow.
    with np.errstate(invalid="ignore"):
        within = np.abs(array) < np.float64(2.0**53)
        bad = ~(np.isfinite(array) & (array == np.trunc(array)) & within)
    if np.any(bad):
        first = tuple(np.argwhere(bad)[0])
        raise LabelError(
            f"{loss.name}: {what} must hold integer class ids; found {float(array[first])} "
            f"at row {row_number(first[0], row_ids)} ({int(np.count_nonzero(bad))} such value(s))"
        )
    return array.astype(np.int64)


def _sparse(loss: Loss, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: RowIds) -> Batch:
    raw_labels = np.asarray(y_true)
    pred = float_array(y_pred, dtype, "y_pred", loss, row_ids)
    if pred.ndim < 2:
        raise ShapeError(
            f"{loss.name}: y_pred must have one column per class, got shape {pred.shape}"
        )
    axis = loss.params.get("axis", -1)
    if axis not in (-1, pred.ndim - 1):
        raise ShapeError(
            f"{loss.name}: axis={axis}: only the last axis of y_pred can be the class axis"
        )
    if raw_labels.ndim == pred.ndim and raw_labels.shape[-1] == 1:
        raw_labels = raw_labels[..., 0]
    if raw_labels.shape != pred.shape[:-1]:
        raise ShapeError(
            f"{loss.name}: y_true has shape {raw_labels.shape} but y_pred has shape "
            f"{pred.shape}; expected one class id per row, shape {pred.shape[:-1]}"
        )
    labels = labels_array(raw_labels, "y_true", loss, row_ids)
    ignore = loss.params.get("ignore_class")
    classes = pred.shape[-1]
    out_of_range = (labels < 0) | (labels >= classes)
    if ignore is not None:
        out_of_range &= labels != ignore
    if np.any(out_of_range):
        first = tuple(np.argwhere(out_of_range)[0])
        raise LabelError(
            f"{loss.name}: label {labels[first]} at row {row_number(first[0], row_ids)} is out "
            "of range for "
            f"{classes} classes (valid: 0..{classes - 1}); "
            f"{int(np.count_nonzero(out_of_range))} label(s) out of range"
        )
    check_probabilities(loss, pred, row_ids)
    return Batch(labels, pred)


def _sequence(loss: Loss, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: RowIds) -> Batch:
    pred = float_array(y_pred, dtype, "y_pred", loss, row_ids)
    labels = labels_array(y_true, "y_true", loss, row_ids)
    if pred.ndim != 3 or pred.shape[1] == 0 or pred.shape[2] < 2:
        raise ShapeError(
            f"{loss.name}: y_pred must be [rows, time, classes] logits with at least one time "
            f"step and two classes (0 = blank), got shape {pred.shape}"
        )
    if labels.ndim == 1:
        labels = labels[:, None]
    if labels.ndim != 2 or labels.shape[0] != pred.shape[0]:
        raise ShapeError(
            f"{loss.name}: y_true must be [rows, max_label_length] with {pred.shape[0]} rows, "
            f"got shape {labels.shape}"
        )
    classes = pred.shape[-1]
    bad = (labels < 0) | (labels >= classes)
    if np.any(bad):
        row, col = np.argwhere(bad)[0]
        raise LabelError(
            f"{loss.name}: label {labels[row, col]} at row {row_number(row, row_ids)} is out "
            "of range for "
            f"{classes} classes (valid: 1..{classes - 1}, 0 = blank/padding)"
        )
    padding_then_label = (labels[:, :-1] == 0) & (labels[:, 1:] != 0)
    if np.any(padding_then_label):
        row = int(np.argwhere(padding_then_label)[0][0])
        raise LabelError(
            f"{loss.name}: labels of row {row_number(row, row_ids)} are not left-aligned: "
            "0 is blank/padding and may "
            "only follow the last label"
        )
    return Batch(labels, pred)


def _embedding(loss: Loss, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: RowIds) -> Batch:
    labels = labels_array(y_true, "y_true", loss, row_ids)
    pred = as_columns(float_array(y_pred, dtype, "y_pred", loss, row_ids), "y_pred", loss)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1 or pred.ndim != 2 or labels.shape[0] != pred.shape[0]:
        raise ShapeError(
            f"{loss.name}: expected one label per row and [rows, dims] embeddings; "
            f"got y_true {labels.shape} and y_pred {pred.shape}"
        )
    return Batch(labels, pred)


def all_finite(array: np.ndarray) -> bool:
    """True when no element is NaN or inf; one fast pass for the common all-finite case."""
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.sum(array)):
            return True
    return bool(np.isfinite(array).all())  # the sum overflowed, or there is a NaN/inf


def nonfinite_rows(*arrays: np.ndarray | None) -> np.ndarray:
    """A boolean per row: does any of ``arrays`` hold NaN or inf in that row?"""
    rows: np.ndarray | None = None
    for array in arrays:
        if array is None or array.dtype.kind != "f" or all_finite(array):
            continue
        per_row = array.reshape(array.shape[0], int(np.prod(array.shape[1:], dtype=np.int64)))
        bad = ~np.isfinite(per_row).all(axis=1)
        rows = bad if rows is None else rows | bad
    return rows if rows is not None else np.zeros(0, dtype=bool)
