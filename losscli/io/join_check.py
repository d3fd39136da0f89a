"""The check that both inputs of a comparison hold the same targets, row by paired row.

When both inputs carry y_true, a row whose two targets differ means the pairing is wrong (a
``--key`` naming the wrong column, files of different data): that is a data error, not a result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from losscli.errors import InputDataError
from losscli.io.columns import columns_to_array
from losscli.io.join_batch import PairedBatch

__all__ = ["TARGET_RTOL", "TargetCheck"]

TARGET_RTOL = 1e-6
"""y_true values of the two inputs agree when equal up to this relative difference (float32)."""


@dataclass(frozen=True)
class TargetCheck:
    """y_true read from both inputs (paired names); rows where they differ are a data error.

    Values agree when equal up to a relative difference of :data:`TARGET_RTOL` (float32
    rounding: one file may store float32 labels, the other float64), NaN equal to NaN.
    """

    new: tuple[str, ...]
    old: tuple[str, ...]

    def __call__(self, paired: PairedBatch) -> None:
        first = columns_to_array(paired.batch, self.new, pad_ragged=True)
        second = columns_to_array(paired.batch, self.old, pad_ragged=True)
        if first.shape != second.shape:
            raise InputDataError(
                f"y_true has shape {first.shape[1:]} per row in NEW but {second.shape[1:]} in "
                "OLD; both inputs must hold the same targets"
            )
        a, b = first.astype(np.float64), second.astype(np.float64)
        same = np.isclose(a, b, rtol=TARGET_RTOL, atol=0.0, equal_nan=True)
        bad = ~same.reshape(len(same), -1).all(axis=1) if same.ndim > 1 else ~same
        if not bad.any():
            return
        index = int(np.flatnonzero(bad)[0])
        more = int(np.count_nonzero(bad)) - 1
        others = f" and {more} more row(s) of the same batch" if more else ""
        raise InputDataError(
            f"y_true differs between NEW and OLD at {paired.describe_row(index)} "
            f"(NEW {_show(first[index])}, OLD {_show(second[index])}){others}; both inputs must "
            "hold the same targets (check --key, or that the files are of the same data)"
        )


def _show(value: np.ndarray) -> str:
    return str(value.tolist())
