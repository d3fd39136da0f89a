"""Numbers and counts as the doctor's messages and command lines write them."""

from __future__ import annotations

import math
from collections.abc import Mapping


def g(value: float | None) -> str:
    """A number for people: up to 6 significant digits (``none`` for None)."""
    if value is None:
        return "none"
    return f"{value:.6g}"


def pct(share: float) -> str:
    """A share as a percentage with 3 significant digits."""
    return f"{100 * share:.3g}%"


def plural(count: int, noun: str) -> str:
    """``1 row``, ``2 rows``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def are(count: int) -> str:
    """``is`` or ``are``, agreeing with ``count``."""
    return "is" if count == 1 else "are"


def round_sig(value: float, digits: int = 2) -> float:
    """``value`` rounded to ``digits`` significant digits (zero and non-finite unchanged)."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{digits}g}")


def weights_text(weights: Mapping[int, float]) -> str:
    """Class weights as ``--class-weight`` takes them: ``0=0.5,1=5``."""
    return ",".join(f"{k}={g(w)}" for k, w in sorted(weights.items()))
