"""Reading comparison results: the verdict of an interval, and the number a gate names.

A verdict is the plain reading of the interval of ``new - old`` (:func:`verdict`); a
``--fail-if`` gate such as ``ci_low(delta(bce)) > 0`` picks one number out of the results
(:func:`gate_number`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from losscli.errors import UsageError
from losscli.losses import get_spec

if TYPE_CHECKING:
    from losscli.compare.results import ComparisonResult

__all__ = ["VERDICTS", "gate_number", "verdict"]

VERDICTS = ("better", "worse", "no significant difference", "undetermined")


def verdict(ci_low: float, ci_high: float, *, higher_is_better: bool = False) -> str:
    """The plain reading of an interval of ``new - old``.

    Lower is better for a loss: an interval entirely below 0 is ``better``, entirely above 0
    ``worse``; one that touches or contains 0 is ``no significant difference``. A NaN bound
    gives ``undetermined``.
    """
    if math.isnan(ci_low) or math.isnan(ci_high):
        return "undetermined"
    if ci_high < 0:
        return "worse" if higher_is_better else "better"
    if ci_low > 0:
        return "better" if higher_is_better else "worse"
    return "no significant difference"


def gate_number(
    results: Sequence[ComparisonResult], level: float, functions: tuple[str, ...], name: str
) -> tuple[str, float, str]:
    """The number a gate names: the loss's label, the value, and what the value is.

    ``new(L)``, ``old(L)`` and ``delta(L)`` are the values over all rows;
    ``ci_low(...)``/``ci_high(...)`` around one of them give its interval bound (at ``level``);
    ``max_slice(...)``/``min_slice(...)`` outermost give the largest/smallest over the slices.
    """
    rest = list(functions)
    pick = rest.pop(0) if rest and rest[0] in ("max_slice", "min_slice") else None
    bound = rest.pop(0) if rest and rest[0] in ("ci_low", "ci_high") else None
    if len(rest) != 1 or rest[0] not in ("new", "old", "delta"):
        raise UsageError(
            f"a compare gate names new(LOSS), old(LOSS) or delta(LOSS), optionally inside "
            f"ci_low/ci_high and max_slice/min_slice, e.g. 'ci_low(delta({name})) > 0'; "
            f"got {_call_text(functions, name)!r}"
        )
    quantity = rest[0]
    label = _find_label(results, name)
    chosen = [r for r in results if r.label == label and (r.slice is None) == (not pick)]
    if pick and not chosen:
        raise UsageError(f"{pick}(...) needs slices: pass --group-by")

    def number(result: ComparisonResult) -> float:
        if quantity == "delta":
            low, value, high = result.ci_low, result.delta, result.ci_high
        else:
            model = result.new if quantity == "new" else result.old
            low, value, high = model.ci_low, model.value, model.ci_high
        return {None: value, "ci_low": low, "ci_high": high}[bound]

    if pick == "max_slice":
        result = max(chosen, key=lambda r: _nan_low(number(r)))
    elif pick == "min_slice":
        result = min(chosen, key=lambda r: _nan_high(number(r)))
    else:
        result = chosen[0]
    what = result.reduction
    if bound:
        what += f", {level * 100:g}% interval"
    if pick:
        what += f", slice {result.slice_text}"
    return label, number(result), what


def _call_text(functions: Sequence[str], name: str) -> str:
    text = name
    for function in reversed(functions):
        text = f"{function}({text})"
    return text


def _nan_low(value: float) -> float:
    return -math.inf if math.isnan(value) else value


def _nan_high(value: float) -> float:
    return math.inf if math.isnan(value) else value


def _find_label(results: Sequence[ComparisonResult], name: str) -> str:
    labels = list(dict.fromkeys(result.label for result in results))
    if name in labels:
        return name
    try:
        canonical = get_spec(name).name
    except UsageError:
        canonical = name
    matches = list(dict.fromkeys(r.label for r in results if r.loss == canonical))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UsageError(f"gate names no compared loss {name!r} (compared: {', '.join(labels)})")
    raise UsageError(f"gate name {name!r} is ambiguous; name one of: {', '.join(matches)}")
