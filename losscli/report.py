"""What a computation over a dataset produced: tidy result rows for the renderers.

Renderers (``losscli.render``) see only these objects, never arrays, so every output format
carries the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

REPORT_SCHEMA = 1
"""Version of the JSON summary document; bumped on any incompatible change."""


@dataclass(frozen=True)
class LossSummary:
    """One loss over the data: its reduced value and descriptive statistics of its rows.

    ``min``/``max``/``mean``/``std`` describe the per-row values (weighted mean and standard
    deviation); they are ``None`` for a dataset-scope loss, which has no per-row values.
    """

    loss: str
    label: str
    params: Mapping[str, Any]
    reduction: str
    value: float
    rows: int
    weight_sum: float
    scope: str
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    std: float | None = None
    nonfinite: int = 0
    batch_size: int | None = None  # for batch-scope losses: the batch each value came from


@dataclass(frozen=True)
class ComputeReport:
    """Everything the summary output shows."""

    inputs: tuple[str, ...]
    rows_read: int
    rows_used: int
    rows_skipped: int
    results: tuple[LossSummary, ...]
    y_true: tuple[str, ...] = ()
    y_pred: tuple[str, ...] = ()
    sample_weight: str | None = None
    clipped: int = 0
    dtype: str = "float32"
    notes: tuple[str, ...] = field(default=())
