"""The in-memory join of one partition pair: each NEW row with the OLD row of the same key.

Matching uses ``pyarrow.compute.index_in`` and ``take``, which, unlike ``Table.join``, carry list
columns (multi-class predictions). A key repeated within one input is a data error naming it.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from losscli.errors import InputDataError
from losscli.io.join_batch import NEW, OLD
from losscli.io.join_partition import HASH_COLUMN, KEY_COLUMN, Part

__all__ = ["join_partition_pair"]


def join_partition_pair(
    new_part: Part, old_part: Part, descriptions: Mapping[str, str]
) -> pa.Table | None:
    """NEW's matched rows (in NEW's order) with OLD's columns appended; None when none match.

    ``descriptions`` name the inputs (by side) in the error for a repeated key.
    """
    if new_part.path is None or old_part.path is None:
        for side, part in ((NEW, new_part), (OLD, old_part)):
            if part.path is not None:
                keys = pq.read_table(part.path, columns=[KEY_COLUMN]).column(KEY_COLUMN)
                _check_unique(keys, side, descriptions[side])
        return None
    new = pq.read_table(new_part.path)
    old = pq.read_table(old_part.path)
    new_keys = new.column(KEY_COLUMN).combine_chunks()
    old_keys = old.column(KEY_COLUMN).combine_chunks()
    _check_unique(new_keys, NEW, descriptions[NEW])
    _check_unique(old_keys, OLD, descriptions[OLD])
    positions = pc.index_in(new_keys, value_set=old_keys)
    found = positions.is_valid()
    if not pc.any(found).as_py():
        return None
    del new_keys, old_keys
    new = new.filter(found)
    old = old.drop_columns([KEY_COLUMN, HASH_COLUMN]).take(pc.drop_null(positions))
    for name in old.column_names:
        new = new.append_column(name, old.column(name))
    return new


def _check_unique(keys: pa.Array | pa.ChunkedArray, side: str, description: str) -> None:
    if pc.count_distinct(keys).as_py() == len(keys):
        return
    counts = pc.value_counts(keys)
    repeated = counts.filter(pc.greater(counts.field("counts"), 1))
    value = repeated.field("values")[0].as_py()
    times = repeated.field("counts")[0].as_py()
    raise InputDataError(
        f"key {value!r} appears {times} times in {side.upper()} ({description}); --key must name "
        "a column whose values are unique within each input"
    )
