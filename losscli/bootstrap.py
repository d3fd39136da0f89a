"""The Poisson bootstrap inside one streaming pass.

Each row gets, for each of R replicates, a weight drawn from Poisson(1); a replicate's loss is
the ordinary reduction with those extra weights, so every replicate is just another set of
weighted sums, updated batch by batch and merged across shards like any
:class:`~losscli.state.LossState`. The weights of a row depend only on the seed and the row's
position in the data (or, with clusters, on the cluster key), never on the batch size, the
worker or the shard: the same seed gives the same intervals however the data are split.

Weights come from one generator stream per block of ``BLOCK`` rows, seeded by (seed, block)
through NumPy's SeedSequence, as 16-bit uniforms mapped through the Poisson(1) quantile
function.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

BLOCK = 1024
"""Rows per random stream: a row's weights depend on (seed, row // BLOCK, row % BLOCK)."""

_LEVELS = 1 << 16
_POISSON_CDF = np.cumsum([math.exp(-1.0) / math.factorial(k) for k in range(24)])
QUANTILES = np.searchsorted(_POISSON_CDF, (np.arange(_LEVELS) + 0.5) / _LEVELS).astype(np.uint8)
"""Poisson(1) at the midpoints of 65536 equal probability steps."""

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def row_weights(seed: int, start: int, rows: int, replicates: int) -> np.ndarray:
    """Poisson(1) weights ``[rows, replicates]`` (uint8) of rows ``start .. start + rows - 1``."""
    if rows == 0:
        return np.zeros((0, replicates), dtype=np.uint8)
    first, last = start // BLOCK, (start + rows - 1) // BLOCK
    blocks = [_block(seed, block, replicates) for block in range(first, last + 1)]
    stacked = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
    offset = start - first * BLOCK
    return stacked[offset : offset + rows]


def _block(seed: int, block: int, replicates: int) -> np.ndarray:
    generator = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, block])))
    uniforms = np.frombuffer(generator.bytes(BLOCK * replicates * 2), dtype=np.uint16)
    return QUANTILES[uniforms].reshape(BLOCK, replicates)


def key_hashes(keys: np.ndarray) -> np.ndarray:
    """A stable 64-bit hash of each cluster key (numbers by value, anything else by text)."""
    keys = np.asarray(keys)
    if keys.dtype.kind in "iub":
        return keys.astype(np.int64).view(np.uint64)
    if keys.dtype.kind == "f":
        return np.where(np.isnan(keys), 0, keys).astype(np.float64).view(np.uint64)
    unique, inverse = np.unique(keys.astype(str), return_inverse=True)
    hashed = np.array(
        [
            int.from_bytes(hashlib.blake2b(k.encode(), digest_size=8).digest(), "little")
            for k in unique
        ],
        dtype=np.uint64,
    )
    return hashed[inverse]


def cluster_weights(seed: int, hashes: np.ndarray, replicates: int) -> np.ndarray:
    """Poisson(1) weights ``[len(hashes), replicates]`` that depend only on (seed, key, r)."""
    r = np.arange(replicates, dtype=np.uint64)
    with np.errstate(over="ignore"):
        mixed = _splitmix(
            hashes.astype(np.uint64)[:, None] ^ _splitmix(r + np.uint64(seed))[None, :]
        )
    return QUANTILES[(mixed >> np.uint64(48)).astype(np.uint16)]


def _splitmix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a fast, well-mixed 64-bit hash."""
    x = (x + np.uint64(0x9E3779B97F4A7C15)) & _MASK64
    x = ((x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK64
    x = ((x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK64
    return x ^ (x >> np.uint64(31))


@dataclass
class Replicates:
    """R bootstrap replicates of one loss: weighted value sums, weight sums and valid counts."""

    replicates: int
    value_sums: np.ndarray = field(default=None)  # type: ignore[assignment]
    weight_sums: np.ndarray = field(default=None)  # type: ignore[assignment]
    counts: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        for name in ("value_sums", "weight_sums", "counts"):
            if getattr(self, name) is None:
                setattr(self, name, np.zeros(self.replicates))

    def update(
        self,
        poisson: np.ndarray,
        values: np.ndarray,
        weights: np.ndarray | None = None,
        mask: np.ndarray | None = None,
    ) -> Replicates:
        """Add rows (``values`` one per row) with their Poisson weights ``[rows, R]``."""
        return self.add_sums(weighted_sums(poisson, columns(values, weights, mask)))

    def add_sums(self, sums: np.ndarray) -> Replicates:
        """Add ``[R, 3]`` sums (value, weight, count) computed elsewhere (see :func:`columns`)."""
        self.value_sums += sums[:, 0]
        self.weight_sums += sums[:, 1]
        self.counts += sums[:, 2]
        return self

    def merge(self, other: Replicates) -> Replicates:
        """A new set equal to the replicates of both inputs' rows together."""
        if other.replicates != self.replicates:
            raise ValueError("cannot merge bootstrap states with different replicate counts")
        return Replicates(
            self.replicates,
            self.value_sums + other.value_sums,
            self.weight_sums + other.weight_sums,
            self.counts + other.counts,
        )

    def results(self, reduction: str) -> np.ndarray:
        """Each replicate's reduced loss (Keras divisors; 0/0 gives 0)."""
        if reduction == "sum":
            return self.value_sums.copy()
        divisor = self.weight_sums if reduction == "mean_with_sample_weight" else self.counts
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(divisor != 0, self.value_sums / divisor, 0.0)

    def interval(self, reduction: str, level: float) -> tuple[float, float]:
        """The percentile interval of the replicates at confidence ``level``."""
        results = self.results(reduction)
        tail = (1 - level) / 2
        low, high = np.quantile(results, [tail, 1 - tail])
        return float(low), float(high)

    def to_dict(self) -> dict[str, Any]:
        return {
            "replicates": self.replicates,
            "value_sums": self.value_sums.tolist(),
            "weight_sums": self.weight_sums.tolist(),
            "counts": self.counts.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Replicates:
        return cls(
            int(data["replicates"]),
            np.asarray(data["value_sums"], dtype=np.float64),
            np.asarray(data["weight_sums"], dtype=np.float64),
            np.asarray(data["counts"], dtype=np.float64),
        )


def columns(
    values: np.ndarray, weights: np.ndarray | None = None, mask: np.ndarray | None = None
) -> np.ndarray:
    """``[rows, 3]``: weighted value, weight and count of each row (what replicates sum)."""
    rows = len(values)
    w = np.ones(rows) if weights is None else np.asarray(weights, dtype=np.float64)
    m = np.ones(rows) if mask is None else np.asarray(mask, dtype=np.float64)
    effective = w * m
    with np.errstate(invalid="ignore"):
        weighted = np.where(effective != 0, effective * values, 0.0)
    return np.stack([weighted, effective, m], axis=1)


def weighted_sums(poisson: np.ndarray, table: np.ndarray) -> np.ndarray:
    """``poisson.T @ table`` ([R, k]) in blocks, so temporaries stay small.

    One product serves every loss and slice of a batch: their columns side by side in
    ``table`` share the one pass over the Poisson weights, the costly part.
    """
    total = np.zeros((poisson.shape[1], table.shape[1]))
    for start in range(0, len(table), 4 * BLOCK):
        part = slice(start, start + 4 * BLOCK)
        total += poisson[part].T.astype(np.float64) @ table[part]
    return total


def percentile_interval(values: Sequence[float], level: float) -> tuple[float, float]:
    """The percentile interval of plain values (for tests and in-memory checks)."""
    tail = (1 - level) / 2
    low, high = np.quantile(np.asarray(values, dtype=np.float64), [tail, 1 - tail])
    return float(low), float(high)
