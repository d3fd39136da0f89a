"""Group-by values as slice keys that are equal when the values are, and that JSON can hold.

``evaluate --group-by`` keys its slices by the values of the group-by columns. Those keys must
be equal for equal values in every batch and every shard (NaN is not equal to itself, so each
batch's NaN would start a slice of its own), and they go into JSON reports and state files,
which cannot hold dates, decimals or bytes. :func:`slice_value` makes both true.
"""

from __future__ import annotations

import datetime
import math
from typing import Any


def slice_value(value: Any) -> Any:
    """A group-by value as a slice key: a JSON scalar that equals itself.

    NaN joins null (as in ``compare``); dates and times become ISO 8601 text, bytes become text
    (undecodable bytes as ``\\x..`` escapes), and decimals, durations and anything else their
    ``str``.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date too
        return value.isoformat()
    return str(value)
