"""What a command's outcome must look like, and the value a successful compute must print.

Why: a fuzzed file may be valid or not; either way the command must end in one of the
documented ways (a result, or one ``losscli: error:`` line with exit 2 or 3), never an internal
error (exit 4) or a traceback. When it succeeds, its numbers are checked against the Python API
on arrays built from the drawn values (not from what losscli read) and, for the losses that
have one, the independent float64 reference.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from click.testing import Result

from tests.losses import reference as ref

FAILURES = (2, 3)

ROW_REFERENCES: dict[str, Callable[[Any, Any], list[float]]] = {
    "mean_squared_error": ref.mean_squared_error,
    "mean_absolute_error": ref.mean_absolute_error,
    "huber": ref.huber,
    "log_cosh": ref.log_cosh,
    "hinge": ref.hinge,
    "squared_hinge": ref.squared_hinge,
    "binary_crossentropy": ref.binary_crossentropy,
}
"""Losses compared with ``tests/losses/reference.py`` as well as with ``losscli.compute``."""


def check_outcome(result: Result, allowed: tuple[int, ...] = (0, *FAILURES)) -> None:
    """Exit code allowed, no traceback anywhere, and a failure is exactly one error line."""
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.exit_code in allowed, (result.exit_code, result.stderr)
    if result.exit_code in FAILURES:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("losscli: error: "), lines
        assert "internal error" not in lines[0]


NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
"""How the JSON output spells non-finite numbers (docs/output.md)."""


TEXT_FIELDS = {"inputs", "input", "columns", "column", "message", "label", "slice", "slice_label"}
"""Fields that hold names and messages: a column may be called "NaN"."""


def as_number(value: Any) -> float:
    """A JSON number, or one of the strings that stand for NaN and the infinities."""
    return NONFINITE[value] if isinstance(value, str) else float(value)


def numbers(document: Any) -> Iterator[float]:
    """Every float in a parsed JSON document (ints and booleans are counts and flags)."""
    if isinstance(document, float):
        yield document
    elif isinstance(document, str) and document in NONFINITE:
        yield NONFINITE[document]
    elif isinstance(document, dict):
        for key, value in document.items():
            if key not in TEXT_FIELDS:
                yield from numbers(value)
    elif isinstance(document, list):
        for value in document:
            yield from numbers(value)


def check_numbers(stdout: str, nonfinite_allowed: bool) -> dict[str, Any]:
    """The JSON on stdout, with every number finite unless the NaN policy lets NaN through."""
    document = json.loads(stdout)
    if not nonfinite_allowed:
        bad = [x for x in numbers(document) if not math.isfinite(x)]
        assert not bad, document
    return document


def reference_value(
    name: str,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    weights: np.ndarray | None,
    reduction: str,
    dtype: str,
) -> float | None:
    """The float64 reference on the inputs rounded to ``dtype``, or None when it has none.

    None too for non-finite inputs (the NaN policy's business) and when a per-row value comes
    near ``dtype``'s largest: losscli reports such rows as non-finite by design.
    """
    function = ROW_REFERENCES.get(name)
    if function is None or reduction == "max":
        return None
    with np.errstate(over="ignore"):
        rounded_true = y_true.astype(dtype).astype(np.float64)
        rounded_pred = y_pred.astype(dtype).astype(np.float64)
    if not (np.isfinite(rounded_true).all() and np.isfinite(rounded_pred).all()):
        return None
    rows = function(rounded_true.tolist(), rounded_pred.tolist())
    limit = float(np.finfo(dtype).max) / 1e3
    if not all(math.isfinite(v) and abs(v) < limit for v in rows):
        return None
    reduction = "sum_over_batch_size" if reduction == "mean" else reduction
    return float(ref.reduce(rows, reduction, None if weights is None else weights.tolist()))
