"""Python values as JSON data for the ``compare`` document: NaN and infinities as strings."""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["json_float", "json_value", "jsonable"]


def json_float(value: float) -> float | str:
    """A float, or ``"NaN"``, ``"Infinity"``, ``"-Infinity"`` (as ``compute``'s JSON)."""
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def json_value(value: Any) -> Any:
    """A slice value as JSON: numbers, strings, booleans and null as themselves, else text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return json_float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)  # Decimal, timestamps with zones, anything else


def jsonable(value: Any) -> Any:
    """Mappings, sequences and arrays (loss parameters) as JSON data, recursively."""
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [jsonable(item) for item in value]
    if hasattr(value, "tolist"):
        return jsonable(value.tolist())
    return json_value(value)
