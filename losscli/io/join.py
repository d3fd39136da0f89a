"""Pair the rows of two prediction inputs: the public streaming join API.

Three pairings, each a context manager with ``batches()`` and ``counts``, each yielding
:class:`PairedBatch` es whose columns are renamed ``new:NAME`` and ``old:NAME``:

- :class:`KeyedJoin` matches rows by a key column, as a partitioned hash join in bounded memory
  (:mod:`losscli.io.join_keyed`, over :mod:`~losscli.io.join_partition` and
  :mod:`~losscli.io.join_match`);
- :class:`AlignedPairs` pairs row i of NEW with row i of OLD, :class:`SameFilePairs` reads both
  models from one input (:mod:`losscli.io.join_positional`).

:class:`TargetCheck` (:mod:`losscli.io.join_check`) fails a pairing whose inputs' y_true differ.
"""

from __future__ import annotations

from losscli.io.join_batch import NEW, OLD, PairCounts, PairedBatch, paired_name
from losscli.io.join_check import TARGET_RTOL, TargetCheck
from losscli.io.join_keyed import PARTITION_BYTES, KeyedJoin
from losscli.io.join_partition import (
    BUFFER_BYTES,
    HASH_COLUMN,
    KEY_COLUMN,
    MAX_PARTITIONS,
    partition_of,
)
from losscli.io.join_positional import AlignedPairs, SameFilePairs

__all__ = [
    "BUFFER_BYTES",
    "HASH_COLUMN",
    "KEY_COLUMN",
    "MAX_PARTITIONS",
    "NEW",
    "OLD",
    "PARTITION_BYTES",
    "TARGET_RTOL",
    "AlignedPairs",
    "KeyedJoin",
    "PairCounts",
    "PairedBatch",
    "SameFilePairs",
    "TargetCheck",
    "paired_name",
    "partition_of",
]
