"""Keras weight-regularization penalties summed over the arrays of a NumPy ``.npz`` file.

Keras's regularizers add to the loss, for each regularized weight tensor ``w``:

- ``keras.regularizers.L1(l1)``: ``l1 * sum(|w|)``
- ``keras.regularizers.L2(l2)``: ``l2 * sum(w ** 2)`` (no factor 1/2, unlike some texts)
- ``keras.regularizers.L1L2(l1, l2)``: both terms added.

:func:`penalty` computes them in float64 for each chosen array and in total: each array's sums
are NumPy's pairwise sums of the float64 values, and the totals are :func:`math.fsum` of the
per-array values, so they do not depend on the order of the arrays. Keras computes in the
weights' dtype (usually float32), so its value can differ in the last float32 digits.

Files are read with ``np.load(path, allow_pickle=False)``: an array of Python objects (which
would need unpickling) is refused as bad data, never loaded.
"""

from __future__ import annotations

import difflib
import fnmatch
import math
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

from losscli.errors import InputDataError, InputFileError, UsageError
from losscli.io.columns import natural_key
from losscli.render import json_float

__all__ = ["PENALTY_SCHEMA", "ArrayPenalty", "PenaltyReport", "array_penalty", "penalty"]

PENALTY_SCHEMA = 1
"""Version of the JSON document :meth:`PenaltyReport.to_dict` returns."""

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_NPY_MAGIC = b"\x93NUMPY"


@dataclass(frozen=True)
class ArrayPenalty:
    """The regularization terms of one array.

    ``sum_abs`` is sum(|w|) and ``sum_squares`` sum(w²), in float64; ``l1_term`` and
    ``l2_term`` are those times the factors, ``penalty`` their sum; ``nonfinite`` counts the NaN
    and infinite weights (which make the sums NaN or infinite, as in Keras).
    """

    name: str
    shape: tuple[int, ...]
    dtype: str
    sum_abs: float
    sum_squares: float
    l1_term: float
    l2_term: float
    penalty: float
    nonfinite: int

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass(frozen=True)
class PenaltyReport:
    """The penalty of every chosen array of one file, and the totals."""

    source: str
    l1: float
    l2: float
    arrays: tuple[ArrayPenalty, ...]

    @property
    def sum_abs(self) -> float:
        return math.fsum(item.sum_abs for item in self.arrays)

    @property
    def sum_squares(self) -> float:
        return math.fsum(item.sum_squares for item in self.arrays)

    @property
    def l1_term(self) -> float:
        return math.fsum(item.l1_term for item in self.arrays)

    @property
    def l2_term(self) -> float:
        return math.fsum(item.l2_term for item in self.arrays)

    @property
    def total(self) -> float:
        """The whole penalty Keras adds to the loss for these arrays."""
        return math.fsum(item.penalty for item in self.arrays)

    @property
    def regularizer(self) -> str:
        """The Keras regularizer these factors are: L1, L2 or L1L2."""
        if self.l1 and self.l2:
            return f"L1L2(l1={self.l1!r}, l2={self.l2!r})"
        if self.l1:
            return f"L1(l1={self.l1!r})"
        return f"L2(l2={self.l2!r})"

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (schema :data:`PENALTY_SCHEMA`); non-finite floats as strings."""
        return {
            "schema": PENALTY_SCHEMA,
            "kind": "penalty",
            "input": self.source,
            "l1": self.l1,
            "l2": self.l2,
            "regularizer": self.regularizer,
            "arrays": [
                {
                    "name": item.name,
                    "shape": list(item.shape),
                    "dtype": item.dtype,
                    "size": item.size,
                    "sum_abs": json_float(item.sum_abs),
                    "sum_squares": json_float(item.sum_squares),
                    "l1_term": json_float(item.l1_term),
                    "l2_term": json_float(item.l2_term),
                    "penalty": json_float(item.penalty),
                    "nonfinite": item.nonfinite,
                }
                for item in self.arrays
            ],
            "total": {
                "size": sum(item.size for item in self.arrays),
                "sum_abs": json_float(self.sum_abs),
                "sum_squares": json_float(self.sum_squares),
                "l1_term": json_float(self.l1_term),
                "l2_term": json_float(self.l2_term),
                "penalty": json_float(self.total),
            },
        }


def _factor(value: float | None, name: str) -> float:
    """A regularization factor as Keras validates it: a finite float >= 0."""
    if value is None:
        return 0.0
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"--{name} must be a number, got {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise UsageError(f"--{name} must be a finite number >= 0 (as in Keras), got {value!r}")
    return number


def array_penalty(
    name: str, values: np.ndarray, l1: float = 0.0, l2: float = 0.0, *, source: str | None = None
) -> ArrayPenalty:
    """The L1/L2 terms of one array (any shape; integers and booleans count as numbers).

    ``source`` names the file the array came from, in errors.
    """
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        where = f" in '{source}'" if source else ""
        raise InputDataError(
            f"array '{name}'{where} holds {array.dtype} values, not real numbers; a weight "
            "array is float (or integer)"
        )
    flat = array.astype(np.float64, copy=False).reshape(-1)
    sum_abs = float(np.sum(np.abs(flat)))
    sum_squares = float(np.sum(np.square(flat)))
    l1_term = l1 * sum_abs if l1 else 0.0
    l2_term = l2 * sum_squares if l2 else 0.0
    return ArrayPenalty(
        name=name,
        shape=tuple(int(n) for n in array.shape),
        dtype=str(array.dtype),
        sum_abs=sum_abs,
        sum_squares=sum_squares,
        l1_term=l1_term,
        l2_term=l2_term,
        penalty=l1_term + l2_term,
        nonfinite=int(np.count_nonzero(~np.isfinite(flat))),
    )


def select_arrays(names: Sequence[str], patterns: Sequence[str], source: str) -> list[str]:
    """The array names ``patterns`` choose (exact names or globs), in natural order.

    No patterns choose every array. A name or glob that matches nothing is an error with
    suggestions.
    """
    ordered = sorted(names, key=natural_key)
    if not patterns:
        return ordered
    chosen: set[str] = set()
    for pattern in patterns:
        if pattern in names:
            chosen.add(pattern)
            continue
        matches = fnmatch.filter(names, pattern) if _is_glob(pattern) else []
        if not matches:
            close = difflib.get_close_matches(pattern, ordered, n=3, cutoff=0.5)
            hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
            what = "matches" if _is_glob(pattern) else "is named"
            listing = ", ".join(ordered[:12]) + (", ..." if len(ordered) > 12 else "")
            raise InputDataError(
                f"no array in '{source}' {what} {pattern!r}; {hint}(arrays: {listing})"
            )
        chosen.update(matches)
    return [name for name in ordered if name in chosen]


def _is_glob(text: str) -> bool:
    return any(char in text for char in "*?[")


def penalty(
    path: str | os.PathLike[str],
    *,
    l1: float | None = None,
    l2: float | None = None,
    arrays: Sequence[str] = (),
) -> PenaltyReport:
    """Sum Keras's L1/L2 regularization terms over the arrays of a ``.npz`` file.

    Args:
        path: a file written by ``np.savez`` or ``np.savez_compressed``.
        l1: the L1 factor (``keras.regularizers.L1(l1)``); None or 0 for none.
        l2: the L2 factor (``keras.regularizers.L2(l2)``); None or 0 for none.
        arrays: array names or globs (``'dense*/kernel'``); empty for every array.

    Raises:
        UsageError: neither factor is given, or one is negative or not finite.
        InputFileError: the file is missing, unreadable, or not an ``.npz`` archive.
        InputDataError: an array name or glob matches nothing, or a chosen array holds objects
            or non-numbers.
    """
    if l1 is None and l2 is None:
        raise UsageError("give --l1, --l2 or both: the regularization factors (e.g. --l2 0.01)")
    l1_factor, l2_factor = _factor(l1, "l1"), _factor(l2, "l2")
    source = os.fspath(path)
    with _open(source) as file:
        _check_npz(file.read(len(_NPY_MAGIC)), source)
        file.seek(0)
        try:
            archive = np.load(file, allow_pickle=False)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
            raise InputFileError(f"cannot read '{source}' as an .npz archive: {err}") from None
        with archive:
            if not archive.files:
                raise InputDataError(f"'{source}' holds no arrays")
            results = [
                array_penalty(
                    name, _load(archive, name, source), l1_factor, l2_factor, source=source
                )
                for name in select_arrays(archive.files, arrays, source)
            ]
    return PenaltyReport(source, l1_factor, l2_factor, tuple(results))


def _open(source: str) -> BinaryIO:
    try:
        return open(source, "rb")  # the caller closes it
    except FileNotFoundError:
        raise InputFileError(f"cannot read '{source}': no such file") from None
    except IsADirectoryError:
        raise InputFileError(f"cannot read '{source}': it is a directory") from None
    except OSError as err:
        raise InputFileError(f"cannot read '{source}': {err.strerror or err}") from None


def _check_npz(head: bytes, source: str) -> None:
    if head.startswith(_NPY_MAGIC):
        raise InputFileError(
            f"'{source}' is a .npy file (one array), not an .npz archive; save the weights "
            "with np.savez('weights.npz', **{name: array, ...})"
        )
    if not head.startswith(_ZIP_MAGIC):
        raise InputFileError(
            f"'{source}' is not an .npz archive (the files np.savez writes); save the weights "
            "with np.savez('weights.npz', **{name: array, ...})"
        )


def _load(archive: Any, name: str, source: str) -> np.ndarray:
    try:
        return archive[name]
    except ValueError as err:
        if "allow_pickle" in str(err):
            raise InputDataError(
                f"array '{name}' in '{source}' holds Python objects, which losscli does not "
                "unpickle (allow_pickle=False); save weights as numeric arrays"
            ) from None
        raise InputFileError(f"cannot read array '{name}' in '{source}': {err}") from None
    except (OSError, EOFError, zipfile.BadZipFile) as err:
        raise InputFileError(f"cannot read array '{name}' in '{source}': {err}") from None
