"""Python values as JSON data for the ``compare`` document: NaN and infinities as strings."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from losscli.render import json_float

__all__ = ["json_float", "json_value", "jsonable"]


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
