"""Findings about class balance: absent classes, imbalanced classes, rarely positive labels.

They also record in :class:`~losscli.doctor.facts.Facts` the class counts (for inverse-frequency
class weights) and whether classes or labels are imbalanced (for focal losses).
"""

from __future__ import annotations

from collections.abc import Mapping

from losscli.doctor.accumulator import Accumulator
from losscli.doctor.facts import Facts
from losscli.doctor.model import Finding, Severity
from losscli.doctor.text import pct, round_sig, weights_text
from losscli.doctor.thresholds import IMBALANCE_RATIO


def balance_findings(state: Accumulator, facts: Facts) -> list[Finding]:
    """Absent and imbalanced classes of a binary or multiclass task."""
    counts = _class_counts(state, facts.task)
    if counts is None:
        return []
    found: list[Finding] = []
    absent = [k for k, n in counts.items() if n == 0]
    present = {k: n for k, n in counts.items() if n > 0}
    if absent and present:
        classes = ", ".join(str(k) for k in absent)
        found.append(
            Finding(
                Severity.WARNING,
                "absent_class",
                f"class{'es' if len(absent) > 1 else ''} {classes} never "
                f"occur{'' if len(absent) > 1 else 's'} in y_true ({len(counts)} classes): the "
                "loss says nothing about predicting "
                f"{'them' if len(absent) > 1 else 'it'}",
                None,
                None,
                len(absent),
            )
        )
    if len(present) < 2:
        return found
    total = sum(present.values())
    rare = min(present, key=lambda k: (present[k], k))
    common = max(present, key=lambda k: (present[k], -k))
    facts.classes = present
    facts.rarest = (rare, present[rare])
    if present[common] >= IMBALANCE_RATIO * present[rare]:
        facts.imbalanced = True
        weights = inverse_frequency(present)
        found.append(
            Finding(
                Severity.WARNING,
                "class_imbalance",
                f"classes are imbalanced: the rarest, class {rare}, is "
                f"{pct(present[rare] / total)} of rows ({present[rare]} of {total}), the "
                f"commonest, class {common}, {pct(present[common] / total)}; consider "
                f"--class-weight {weights_text(weights)} or a focal loss",
                None,
                None,
                present[rare],
            )
        )
    return found


def label_balance_findings(state: Accumulator, facts: Facts) -> list[Finding]:
    """Multilabel labels that are rarely (or almost always) 1."""
    found: list[Finding] = []
    for column in state.true:
        positives, negatives = column.ones, column.zeros
        low, high = min(positives, negatives), max(positives, negatives)
        if high and high >= IMBALANCE_RATIO * low:
            facts.label_imbalance = True
            total = positives + negatives
            found.append(
                Finding(
                    Severity.WARNING,
                    "label_imbalance",
                    f"label {column.name} is 1 in {pct(positives / total)} of rows "
                    f"({positives} of {total}): consider binary_focal_crossentropy",
                    column.name,
                    None,
                    low,
                )
            )
    return found


def inverse_frequency(counts: Mapping[int, int]) -> dict[int, float]:
    """Keras/scikit-learn "balanced" weights: rows / (classes * rows of the class), 4 digits."""
    total, classes = sum(counts.values()), len(counts)
    return {k: round_sig(total / (classes * n), 4) for k, n in sorted(counts.items()) if n}


def _class_counts(state: Accumulator, task: str) -> dict[int, int] | None:
    """Rows per class; None when a sparse y_true has too many distinct values to count."""
    if task == "binary":
        true = state.true[0]
        return {0: true.zeros, 1: true.ones}
    if task == "multiclass_sparse":
        distinct = state.true[0].distinct
        if distinct is None:
            return None
        return {k: int(distinct.get(float(k), 0)) for k in range(len(state.pred))}
    return {k: column.ones for k, column in enumerate(state.true)}
