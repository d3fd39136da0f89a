"""The one streaming pass of the doctor: record batches into running statistics.

:class:`Accumulator` reads the y_true, y_pred and sample weight columns of each batch as float64
arrays (one column per element of a list column) and updates the per-column statistics, the
per-row checks and the errors y_pred - y_true. It keeps nothing per row, and imports no pandas.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from losscli.doctor.rows import PredRows, TrueRows
from losscli.doctor.statistics import ColumnStats, First, Moments
from losscli.errors import InputDataError
from losscli.io.columns import ColumnSpec, columns_to_array


class Accumulator:
    """Everything :func:`losscli.doctor.diagnose` keeps while streaming; built from the first batch.

    The first batch fixes how many values of y_true and y_pred each row has.
    """

    def __init__(self, columns: ColumnSpec) -> None:
        self.columns = columns
        self.rows = 0
        self.started = False
        self.true: list[ColumnStats] = []
        self.pred: list[ColumnStats] = []
        self.weight: ColumnStats | None = None
        self.errors = Moments()  # y_pred - y_true, where both are finite (same widths only)
        self.pred_rows = PredRows()
        self.true_rows = TrueRows()
        self.labels_out = First()  # sparse labels outside 0..K-1

    @property
    def every_column(self) -> list[ColumnStats]:
        """The y_true, y_pred and sample weight columns, in that order."""
        return [*self.true, *self.pred, *([self.weight] if self.weight else [])]

    def _start(self, true_names: list[str], pred_names: list[str]) -> None:
        self.true = [ColumnStats(name, "y_true") for name in true_names]
        self.pred = [ColumnStats(name, "y_pred") for name in pred_names]
        if self.columns.sample_weight:
            self.weight = ColumnStats(self.columns.sample_weight, "sample_weight")
        self.started = True

    def update(self, batch: pa.RecordBatch | pa.Table) -> None:
        """Add one batch holding the columns of ``self.columns``.

        Raises:
            InputDataError: nested lists, list columns whose width changes, a list weight column.
        """
        if batch.num_rows == 0:
            return
        true, true_missing, true_names = role_arrays(batch, self.columns.y_true)
        pred, pred_missing, pred_names = role_arrays(batch, self.columns.y_pred)
        if not self.started:
            self._start(true_names, pred_names)
        elif len(true_names) != len(self.true) or len(pred_names) != len(self.pred):
            raise InputDataError(
                f"list columns change width at row {self.rows}: "
                f"{len(self.true)} y_true and {len(self.pred)} y_pred values per row before"
            )
        offset = self.rows
        for k, column in enumerate(self.true):
            column.update(true[:, k], None if true_missing is None else true_missing[:, k], offset)
        for k, column in enumerate(self.pred):
            column.update(pred[:, k], None if pred_missing is None else pred_missing[:, k], offset)
        if self.weight is not None:
            weight, weight_missing, _ = role_arrays(batch, (self.weight.name,))
            if weight.shape[1] != 1:
                raise InputDataError(
                    f"the sample weight column {self.weight.name!r} must hold one number per row"
                )
            self.weight.update(
                weight[:, 0], None if weight_missing is None else weight_missing[:, 0], offset
            )
        kt, kp = true.shape[1], pred.shape[1]
        if kt == kp:
            errors = (pred - true).ravel()
            self.errors.update(errors[np.isfinite(errors)])
        if kp >= 2:
            self.pred_rows.update(pred, offset)
        if kt >= 2:
            self.true_rows.update(true, offset)
        if kt == 1 and kp >= 2:
            labels = true[:, 0]
            whole = np.isfinite(labels) & (labels == np.floor(labels))
            self.labels_out.add(whole & ((labels < 0) | (labels >= kp)), offset, labels)
        self.rows += batch.num_rows


def role_arrays(
    batch: pa.RecordBatch | pa.Table, names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """The columns of one role as float64 ``[n, K]``, where values were missing, and K names.

    One list column gives K elements named ``name[k]``; the missing mask is None when no value is.
    """
    array = columns_to_array(batch, names)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise InputDataError(
            f"column {names[0]!r} holds nested lists; doctor reads one number per column "
            "or one list of numbers per row"
        )
    values = np.asarray(array, dtype=np.float64)
    masks: list[np.ndarray] = []
    element_names: list[str] = []
    width = values.shape[1]
    for name in names:
        column = batch.column(name)
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        if len(names) == 1 and _is_list(column.type):
            masks.append(_null_mask(column.flatten(), (len(column), width)))
            element_names.extend(f"{name}[{k}]" for k in range(width))
        else:
            masks.append(_null_mask(column, (len(column), 1)))
            element_names.append(name)
    missing = np.concatenate(masks, axis=1)
    return values, (missing if missing.any() else None), element_names


def _is_list(dtype: pa.DataType) -> bool:
    return (
        pa.types.is_list(dtype)
        or pa.types.is_large_list(dtype)
        or pa.types.is_fixed_size_list(dtype)
    )


def _null_mask(column: pa.Array, shape: tuple[int, int]) -> np.ndarray:
    """Where ``column`` is null, without ``Array.to_numpy`` (which imports pandas)."""
    if column.null_count == 0:
        return np.zeros(shape, dtype=bool)
    flags = pc.cast(column.is_null(), pa.uint8())
    data = flags.buffers()[1]
    assert data is not None
    mask = np.frombuffer(data, dtype=np.uint8, count=len(flags), offset=flags.offset)
    return mask.astype(bool).reshape(shape)
