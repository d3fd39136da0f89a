"""Random tables for file fuzzing: odd column names, types, nulls, extreme values and shapes.

Why: the readers and the column selection see whatever users save; these strategies draw
tables no hand-written test thinks of (unicode and blank-padded names, float16 next to decimal,
all-null and ragged list columns, 0 or 1 row, values at the float limits) and keep the drawn
Python values, so the tests can derive the expected numbers without going through losscli.
"""

from __future__ import annotations

import decimal
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from hypothesis import strategies as st

F32_MAX = float(np.finfo(np.float32).max)
F32_TINY = float(np.finfo(np.float32).tiny)
F64_MAX = float(np.finfo(np.float64).max)

KINDS = (
    "float64",
    "float32",
    "float16",
    "int64",
    "int8",
    "uint32",
    "bool",
    "decimal",
    "string",
    "numeric_string",
    "list",
    "null",
)
"""Column kinds the fuzzer draws; ``numeric_string`` holds numbers written as text."""

ARROW_TYPES: dict[str, pa.DataType] = {
    "float64": pa.float64(),
    "float32": pa.float32(),
    "float16": pa.float16(),
    "int64": pa.int64(),
    "int8": pa.int8(),
    "uint32": pa.uint32(),
    "bool": pa.bool_(),
    "decimal": pa.decimal128(12, 4),
    "string": pa.string(),
    "numeric_string": pa.string(),
    "list": pa.list_(pa.float64()),
    "null": pa.null(),
}

EXTREMES = (
    0.0,
    -0.0,
    1.0,
    0.5,
    1e-7,
    1.0 - 1e-7,
    F32_TINY,
    5e-324,
    F32_MAX,
    -F32_MAX,
    1e30,
    -1e30,
    F64_MAX,
    math.inf,
    -math.inf,
    math.nan,
)

# Names avoid only what the column options give a meaning to (',' separates, '*?[]' glob).
NAME_ALPHABET = st.characters(
    codec="utf-8", exclude_characters=",*?[]\\\r\n\x00", exclude_categories=("Cs", "Cc")
)
names = st.one_of(
    st.text(NAME_ALPHABET, min_size=1, max_size=8),
    st.sampled_from(["y_true", "y_pred", " y ", "ü", "列", "a b", '"q"', "0", "nan", "id"]),
)


@dataclass(frozen=True)
class Column:
    """One drawn column: its name, kind and Python values (``None`` is null)."""

    name: str
    kind: str
    values: tuple[Any, ...]

    def arrow(self) -> pa.Array:
        """The column as an Arrow array of its kind."""
        values: list[Any] = list(self.values)
        if self.kind == "decimal":
            values = [None if v is None else decimal.Decimal(v) for v in values]
        return pa.array(values, type=ARROW_TYPES[self.kind])

    def floats(self) -> np.ndarray | None:
        """The values as float64 (null -> NaN), or ``None`` when they are not numbers.

        Integers without nulls stay int64, as a reader gives them (2**63-1 is no float64).
        """
        if self.kind in ("string", "list"):
            return None
        if self.kind in ("int64", "int8", "uint32") and None not in self.values:
            return np.array(self.values, dtype=np.int64)
        out = np.empty(len(self.values))
        for i, value in enumerate(self.values):
            out[i] = math.nan if value is None else float(value)
        return out


def _finite_or_extreme(width: float) -> st.SearchStrategy[float]:
    return st.one_of(
        st.floats(-width, width, allow_nan=False),
        st.sampled_from(EXTREMES),
        st.floats(0.0, 1.0),
    )


def _rounded(dtype: type[np.floating]) -> Any:
    def cast(value: float) -> float:
        with np.errstate(over="ignore"):
            return float(dtype(value))

    return cast


def _value(kind: str) -> st.SearchStrategy[Any]:
    if kind == "float64":
        return _finite_or_extreme(1e6)
    if kind == "float32":
        return _finite_or_extreme(1e6).map(_rounded(np.float32))
    if kind == "float16":
        return _finite_or_extreme(100.0).map(_rounded(np.float16))
    if kind == "int64":
        return st.one_of(st.integers(-5, 5), st.sampled_from([2**63 - 1, -(2**63)]))
    if kind == "int8":
        return st.integers(-128, 127)
    if kind == "uint32":
        return st.integers(0, 2**32 - 1)
    if kind == "bool":
        return st.booleans()
    if kind == "decimal":
        return st.decimals(-99999999, 99999999, places=4, allow_nan=False).map(str)
    if kind == "string":
        return st.text(max_size=4)
    if kind == "numeric_string":
        return _finite_or_extreme(10.0).filter(math.isfinite).map(repr)
    if kind == "list":
        return st.lists(_finite_or_extreme(10.0), max_size=3)
    return st.none()


CLEAN = ("float64", "float32", "int8", "bool")
"""Kinds of the tables drawn valid-looking: most losses accept them, so values get checked."""


def _clean_value(kind: str) -> st.SearchStrategy[Any]:
    if kind == "bool":
        return st.booleans()
    if kind == "int8":
        return st.integers(0, 2)
    return st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0)).map(
        _rounded(np.float32 if kind == "float32" else np.float64)
    )


@st.composite
def columns(
    draw: st.DrawFn, name: str, rows: int, kinds: tuple[str, ...] = KINDS, clean: bool = False
) -> Column:
    """A column of ``rows`` values of a drawn kind, some of them null (none if ``clean``:
    values in [0, 1] or small labels, of the ``CLEAN`` kinds)."""
    kind = draw(st.sampled_from(CLEAN if clean else kinds))
    value = _clean_value(kind) if clean else _value(kind)
    null_rate = 0.0 if clean else draw(st.sampled_from([0.0, 0.0, 0.2, 1.0]))
    cells = draw(st.lists(st.tuples(st.floats(0, 1), value), min_size=rows, max_size=rows))
    values = tuple(None if (u < null_rate or kind == "null") else v for u, v in cells)
    return Column(name, kind, values)


@dataclass(frozen=True)
class Table:
    """Drawn columns of equal length, all with distinct names."""

    columns: tuple[Column, ...]

    @property
    def rows(self) -> int:
        return len(self.columns[0].values) if self.columns else 0

    def arrow(self) -> pa.Table:
        return pa.table({c.name: c.arrow() for c in self.columns})

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def csv_cell(value: Any) -> str:
    """``value`` as CSV text: repr of floats (exact round trip), '' for null, JSON-ish lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(repr, value)) + "]"
    return str(value)
