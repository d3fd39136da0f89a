"""Which columns hold y_true, y_pred and weights, and how a record batch becomes arrays.

Names are resolved once against the input's schema (from metadata), with well-known fallbacks
and "did you mean" suggestions; then every batch is converted the same way: one column is a
1-D array, several columns (a comma list or a glob) are stacked into ``[n, K]``, a list column
becomes ``[n, K]`` and a list-of-lists column ``[n, T, C]``.

``pyarrow.compute`` (~0.1 s to import) is imported only where a column needs converting
(booleans, decimals, nulls, list columns): a plain numeric column is read as a zero-copy view.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from losscli.errors import ColumnError

TRUE_FALLBACKS = ("y_true", "label", "labels", "target", "targets", "y", "truth", "actual")
PRED_FALLBACKS = (
    "y_pred",
    "prediction",
    "predictions",
    "pred",
    "preds",
    "score",
    "scores",
    "prob",
    "probability",
    "proba",
    "logit",
    "logits",
    "output",
    "y_hat",
    "yhat",
)


@dataclass(frozen=True)
class ColumnRequest:
    """The columns as the user named them (``None``: find them by the usual names)."""

    y_true: str | None = None
    y_pred: str | None = None
    sample_weight: str | None = None
    keep: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()  # precomputed per-row terms of an objective


@dataclass(frozen=True)
class ColumnSpec:
    """Columns resolved against a schema."""

    y_true: tuple[str, ...]
    y_pred: tuple[str, ...]
    sample_weight: str | None = None
    keep: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()

    @property
    def needed(self) -> tuple[str, ...]:
        """Every column to read, once each, in a stable order."""
        names = (*self.keep, *self.y_true, *self.y_pred, *self.extra)
        if self.sample_weight:
            names = (*names, self.sample_weight)
        return tuple(dict.fromkeys(names))

    def arrays(
        self, batch: pa.RecordBatch | pa.Table, *, pad_ragged_true: bool = False, offset: int = 0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """``(y_true, y_pred, sample_weight)`` of one batch as NumPy arrays.

        ``offset``: the input row number of the batch's first row, for row numbers in errors.
        """
        y_true = columns_to_array(batch, self.y_true, pad_ragged=pad_ragged_true, offset=offset)
        y_pred = columns_to_array(batch, self.y_pred, offset=offset)
        weights = None
        if self.sample_weight:
            weights = columns_to_array(batch, (self.sample_weight,), offset=offset)
            weights = weights.astype(np.float64)
        return y_true, y_pred, weights


def natural_key(name: str) -> list[object]:
    """Sort key that orders ``p2`` before ``p10``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def expand_columns(text: str, names: Sequence[str], role: str, where: str = "") -> tuple[str, ...]:
    """The columns a comma list of names and globs names, each checked against ``names``.

    ``role`` says what they are for and ``where`` (`` in FILE``) which input, in errors. A column
    named exactly ``text`` (or a part with its spaces) wins over the list syntax, so names with
    commas, glob characters or surrounding spaces stay selectable.
    """
    if text in names:
        return (text,)
    chosen: list[str] = []
    for raw in text.split(","):
        part = raw if raw in names else raw.strip()
        if not part:
            continue
        if any(ch in part for ch in "*?["):
            matches = sorted(fnmatch.filter(names, part), key=natural_key)
            if not matches:
                raise ColumnError(
                    f"no column matches {part!r} for {role}{where}{_suggest(part, names)}"
                )
            chosen.extend(matches)
        elif part in names:
            chosen.append(part)
        else:
            raise ColumnError(f"no column {part!r} for {role}{where}{_suggest(part, names)}")
    if not chosen:
        raise ColumnError(f"no column given for {role}")
    return tuple(dict.fromkeys(chosen))


def _suggest(name: str, names: Sequence[str]) -> str:
    listing = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    if len(names) == 1 and any(mark in names[0] for mark in ",;\t|"):
        # One column whose name holds separators: the file was split on the wrong character.
        return f"; the header is one column, {names[0]!r}: is the delimiter right (--delimiter)?"
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"{hint} (columns: {listing})"


def _fallback(
    names: Sequence[str], candidates: Sequence[str], role: str, option: str, where: str
) -> str:
    lowered = {name.lower(): name for name in names}
    for candidate in candidates:
        if candidate in lowered:
            return lowered[candidate]
    raise ColumnError(
        f"no {role} column{where}: none of {', '.join(candidates[:4])}, ... is a column; "
        f"name it with {option}{_suggest(candidates[0], names)}"
    )


def resolve_columns(
    request: ColumnRequest,
    schema: pa.Schema,
    note: Callable[[str], None] = lambda _: None,
    *,
    source: str | None = None,
) -> ColumnSpec:
    """Resolve the requested columns against ``schema``; say on ``note`` what was guessed.

    ``source`` names the input in errors (its description).
    """
    names = list(schema.names)
    where = f" in {source}" if source else ""
    if request.y_true is not None:
        y_true = expand_columns(request.y_true, names, "y_true", where)
    else:
        y_true = (_fallback(names, TRUE_FALLBACKS, "y_true", "--y-true", where),)
        if y_true[0] != "y_true":
            note(f"using column {y_true[0]!r} as y_true (set --y-true to choose)")
    if request.y_pred is not None:
        y_pred = expand_columns(request.y_pred, names, "y_pred", where)
    else:
        y_pred = (_fallback(names, PRED_FALLBACKS, "y_pred", "--y-pred", where),)
        if y_pred[0] != "y_pred":
            note(f"using column {y_pred[0]!r} as y_pred (set --y-pred to choose)")
    weight = None
    if request.sample_weight is not None:
        weight = expand_columns(request.sample_weight, names, "the sample weight", where)
        if len(weight) != 1:
            raise ColumnError(
                f"the sample weight must be one column, but {request.sample_weight!r} names "
                f"{len(weight)}{where}: {', '.join(weight)}"
            )
        weight = weight[0]
    keep = tuple(expand_columns(name, names, "--keep", where)[0] for name in request.keep)
    extra = tuple(
        expand_columns(name, names, "an objective term", where)[0] for name in request.extra
    )
    spec = ColumnSpec(y_true, y_pred, weight, keep, extra)
    roles: dict[str, str] = {}  # each column once, under the first option that names it
    for names_, option in (
        (y_true, "--y-true"),
        (y_pred, "--y-pred"),
        ((weight,) if weight else (), "--sample-weight"),
        (extra, "--objective"),
    ):
        for name in names_:
            roles.setdefault(name, option)
    for name in spec.needed:
        check_unique(name, names, source)
    for name, option in roles.items():
        check_numeric_type(name, schema.field(name).type, source=source, option=option)
    return spec


def check_unique(name: str, names: Sequence[str], source: str | None = None) -> None:
    """Refuse a column whose name several columns share: which one is meant is unknown."""
    count = list(names).count(name)
    if count > 1:
        where = f" in {source}" if source else ""
        raise ColumnError(
            f"column {name!r} appears {count} times{where}, so it is ambiguous; give the "
            "columns distinct names"
        )


def require_columns(
    names: Sequence[str],
    schema: pa.Schema,
    option: str,
    *,
    source: str | None = None,
    grouped: bool = False,
) -> None:
    """Check that each of ``names`` (given with ``option``) is a column of ``schema``.

    With ``grouped``, each must also hold plain values that rows can be grouped by (numbers,
    strings, dates), not lists, structs or maps.
    """
    where = f" in {source}" if source else ""
    columns = list(schema.names)
    for name in names:
        if name not in columns:
            raise ColumnError(f"no column {name!r} for {option}{where}{_suggest(name, columns)}")
        check_unique(name, columns, source)
        dtype = schema.field(name).type
        if grouped and pa.types.is_nested(dtype):
            of = f" of {source}" if source else ""
            raise ColumnError(
                f"column {name!r}{of} holds {dtype} values, which rows cannot be grouped by; "
                f"{option} needs a column of plain values (numbers, strings, dates)"
            )


def check_numeric_type(
    name: str, dtype: pa.DataType, *, source: str | None = None, option: str | None = None
) -> None:
    """Reject columns that cannot hold numbers (strings, dates, ...) up front.

    ``source`` names the input and ``option`` the option that chose the column, in the error.
    """
    base = dtype
    while (
        pa.types.is_list(base) or pa.types.is_large_list(base) or pa.types.is_fixed_size_list(base)
    ):
        base = base.value_type
    if not (
        pa.types.is_integer(base)
        or pa.types.is_floating(base)
        or pa.types.is_boolean(base)
        or pa.types.is_decimal(base)
        or pa.types.is_null(base)
    ):
        where = f" of {source}" if source else ""
        hint = f"; name a numeric column with {option}" if option else ""
        raise ColumnError(f"column {name!r}{where} is not numeric (type {dtype}){hint}")


def columns_to_array(
    batch: pa.RecordBatch | pa.Table,
    names: Sequence[str],
    *,
    pad_ragged: bool = False,
    offset: int = 0,
) -> np.ndarray:
    """One column as a 1-D (or list column as 2-/3-D) array; several columns stacked.

    ``offset``: the input row number of the batch's first row, for row numbers in errors.
    """
    if len(names) == 1:
        column = batch.column(names[0])
        return _column_array(column, names[0], pad_ragged=pad_ragged, offset=offset)
    parts = [_column_array(batch.column(name), name, offset=offset) for name in names]
    for name, part in zip(names, parts, strict=True):
        if part.ndim != 1:
            raise ColumnError(
                f"column {name!r} holds lists, which cannot be combined with other columns; "
                "name it alone"
            )
    return np.stack(parts, axis=1)


def _column_array(
    column: pa.Array | pa.ChunkedArray, name: str, *, pad_ragged: bool = False, offset: int = 0
):
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    dtype = column.type
    if (
        pa.types.is_list(dtype)
        or pa.types.is_large_list(dtype)
        or pa.types.is_fixed_size_list(dtype)
    ):
        return _list_array(column, name, pad_ragged=pad_ragged, offset=offset)
    if pa.types.is_null(dtype):
        return np.full(len(column), np.nan)
    if not column.null_count and dtype in _NUMPY_TYPES:
        return _primitive_to_numpy(column)  # the common case: no conversion
    import pyarrow.compute as pc

    # safe=False: an integer beyond 2**53 rounds to the nearest float64, as NumPy rounds it,
    # instead of Arrow's "Integer value ... not in range" (an internal error before).
    if pa.types.is_boolean(dtype) or pa.types.is_decimal(dtype):
        column = pc.cast(column, pa.float64(), safe=False)
    if column.null_count:
        # Nulls become NaN, which the NaN policy handles.
        column = pc.fill_null(pc.cast(column, pa.float64(), safe=False), np.nan)
    return _primitive_to_numpy(column)


_NUMPY_TYPES = {
    pa.float16(): np.float16,
    pa.float32(): np.float32,
    pa.float64(): np.float64,
    pa.int8(): np.int8,
    pa.int16(): np.int16,
    pa.int32(): np.int32,
    pa.int64(): np.int64,
    pa.uint8(): np.uint8,
    pa.uint16(): np.uint16,
    pa.uint32(): np.uint32,
    pa.uint64(): np.uint64,
}


def _primitive_to_numpy(column: pa.Array) -> np.ndarray:
    """A zero-copy, read-only view of a null-free numeric column.

    ``Array.to_numpy`` would do the same but imports pandas on first use (a third of a
    second of start-up); reading the data buffer directly does not.
    """
    dtype = _NUMPY_TYPES.get(column.type)
    if dtype is None:  # an unusual type: let pyarrow convert it
        return column.to_numpy(zero_copy_only=False)
    data = column.buffers()[1]
    if data is None:
        return np.empty(0, dtype=dtype)
    return np.frombuffer(
        data, dtype=dtype, count=len(column), offset=column.offset * np.dtype(dtype).itemsize
    )


def _list_array(column: pa.Array, name: str, *, pad_ragged: bool, offset: int = 0) -> np.ndarray:
    """A list column as a dense array; rows of unequal length are an error (or padded)."""
    if column.null_count:
        first = int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
        raise ColumnError(
            f"column {name!r} has a missing list at row {offset + first}; every row needs one"
        )
    import pyarrow.compute as pc

    lengths = _primitive_to_numpy(pc.list_value_length(column))
    values = column.flatten()
    if pa.types.is_list(values.type) or pa.types.is_large_list(values.type):
        inner = _list_array(values, name, pad_ragged=False)
        if len(lengths) and not np.all(lengths == lengths[0]):
            row = int(np.flatnonzero(lengths != lengths[0])[0])
            raise ColumnError(
                f"column {name!r} has lists of different lengths ({lengths[0]} at row "
                f"{offset}, {lengths[row]} at row {offset + row})"
            )
        width = int(lengths[0]) if len(lengths) else 0
        return inner.reshape(len(column), width, *inner.shape[1:])
    flat = _column_array(values, name)
    if len(lengths) == 0:
        return flat.reshape(0, 0)
    width = int(lengths.max())
    if np.all(lengths == width):
        return flat.reshape(len(column), width)
    if not pad_ragged:
        row = int(np.flatnonzero(lengths != lengths[0])[0])
        raise ColumnError(
            f"column {name!r} has lists of different lengths ({lengths[0]} at row {offset}, "
            f"{lengths[row]} at row {offset + row})"
        )
    padded = np.zeros((len(column), width), dtype=flat.dtype)
    mask = np.arange(width) < lengths[:, None]
    padded[mask] = flat
    return padded
