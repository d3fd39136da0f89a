"""What the checks establish about the data, beyond the findings, for the suggested losses.

:func:`losscli.doctor.diagnosis.diagnose` starts with an empty :class:`Facts`; the task
inference and the checks fill it in, and the suggestions read it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Facts:
    """What the checks established, for the task rules and the suggestions."""

    task: str = "unknown"
    logits: bool = False
    classes: dict[int, int] | None = None  # class -> rows, for class weights
    imbalanced: bool = False
    rarest: tuple[int, int] | None = None  # (class, rows)
    heavy: bool = False
    large: bool = False
    wide: bool = False
    counts: bool = False  # y_true holds non-negative whole numbers
    label_imbalance: bool = False
