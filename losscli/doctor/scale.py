"""Findings about the scale of regression targets and errors: large, wide-ranging, heavy-tailed.

They also record in :class:`~losscli.doctor.facts.Facts` what the regression suggestions need:
whether the targets are counts, large or wide-ranging, and whether the errors are heavy-tailed.
"""

from __future__ import annotations

import math

from losscli.doctor.accumulator import Accumulator
from losscli.doctor.facts import Facts
from losscli.doctor.model import Finding, Severity
from losscli.doctor.text import g
from losscli.doctor.thresholds import (
    HEAVY_KURTOSIS,
    LARGE_VALUE,
    MIN_ROWS_FOR_TAILS,
    WIDE_RANGE_DECADES,
)


def scale_findings(state: Accumulator, facts: Facts) -> list[Finding]:
    """Large and wide-ranging y_true columns, then heavy-tailed errors y_pred - y_true."""
    found: list[Finding] = []
    true = [column for column in state.true if column.finite]
    facts.counts = (
        all(c.moments.min >= 0 and c.whole for c in true)
        and any(c.moments.max > 1 for c in true)
        and all(c.moments.min >= 0 for c in state.pred if c.finite)
    )
    for column in true:
        m = column.moments
        largest = max(abs(m.min), abs(m.max))
        if largest > LARGE_VALUE:
            facts.large = True
            unit = 10 ** math.floor(math.log10(largest))
            found.append(
                Finding(
                    Severity.WARNING,
                    "large_values",
                    f"{column.name} reaches {g(largest)} (mean {g(m.mean)}, std {g(m.std)}): "
                    f"squared errors of this size dominate training and lose precision in "
                    f"float32; scale the targets (e.g. divide by {unit:g})",
                    column.name,
                    None,
                    None,
                )
            )
        if m.min >= 0 and m.min_positive < math.inf and m.max > 0:
            # A difference of logarithms: max / min_positive can overflow.
            decades = math.log10(m.max) - math.log10(m.min_positive)
            if decades > WIDE_RANGE_DECADES:
                facts.wide = True
                found.append(
                    Finding(
                        Severity.WARNING,
                        "wide_range",
                        f"{column.name} spans {decades:.1f} decades ({g(m.min_positive)} to "
                        f"{g(m.max)}): errors on the largest values dominate a squared loss; "
                        "mean_squared_logarithmic_error compares relative errors"
                        + (" (poisson suits counts)" if column.whole else ""),
                        column.name,
                        None,
                        None,
                    )
                )
    found.extend(_tail_findings(state, facts))
    return found


def _tail_findings(state: Accumulator, facts: Facts) -> list[Finding]:
    errors = state.errors
    kurtosis = errors.kurtosis
    if errors.count < MIN_ROWS_FOR_TAILS or kurtosis is None or kurtosis <= HEAVY_KURTOSIS:
        return []
    facts.heavy = True
    mean, std = errors.mean or 0.0, errors.std or 0.0
    extreme = max(abs(errors.max - mean), abs(errors.min - mean)) / std if std else 0.0
    return [
        Finding(
            Severity.WARNING,
            "heavy_tailed_errors",
            f"errors (y_pred - y_true) are heavy-tailed: kurtosis {kurtosis:.3g} (normal: "
            f"3), the largest {extreme:.3g} standard deviations from the mean; a few rows "
            "dominate a squared loss: consider huber",
            None,
            None,
            None,
        )
    ]
