"""CI gates: ``huber>0.3``, ``ci_high(mse) > 0.3``, ``ci_low(delta(bce)) > 0`` fail the run.

A gate is ``[FUNCTION(...)]NAME OP NUMBER``. ``NAME`` is a computed loss (its label, or any
name of its loss); the functions pick another number about it from the report:
``ci_low``/``ci_high`` (interval bounds, with ``--ci``), ``max_slice``/``min_slice`` (the worst
and best slice, with ``--group-by``), ``delta`` (new minus old, in ``compare``). Each report
type answers the lookups it can (:class:`Lookup`) and says which it cannot.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from losscli.errors import UsageError
from losscli.losses import get_spec
from losscli.report import ComputeReport, LossSummary

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}
FUNCTIONS = ("ci_low", "ci_high", "max_slice", "min_slice", "delta", "new", "old")
_GATE = re.compile(r"^\s*(?P<target>.+?)\s*(?P<op><=|>=|<|>)\s*(?P<threshold>[^<>=]+?)\s*$")
_CALL = re.compile(r"^(?P<function>[a-z_]+)\s*\((?P<inner>.*)\)$")


class Lookup(Protocol):
    """A report that can answer a gate: the number for ``functions`` applied to ``name``."""

    def lookup(self, functions: tuple[str, ...], name: str) -> tuple[str, float, str]:
        """``(label, value, what)``: the loss's label, the number, and how it was reduced."""
        ...


@dataclass(frozen=True)
class Gate:
    """``functions(name) op threshold``: the run fails when the condition holds."""

    name: str
    op: str
    threshold: float
    functions: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Gate:
        match = _GATE.match(text)
        if not match:
            raise UsageError(
                f"cannot read gate {text!r}; write it as LOSS OP NUMBER, e.g. 'huber>0.3' "
                "(OP is one of < <= > >=)"
            )
        try:
            threshold = float(match["threshold"])
        except ValueError:
            raise UsageError(f"gate {text!r}: {match['threshold']!r} is not a number") from None
        if not math.isfinite(threshold):  # a comparison with NaN is never true: no gate at all
            raise UsageError(f"gate {text!r}: the threshold must be a finite number")
        target, functions = match["target"].strip(), []
        while call := _CALL.match(target):
            if call["function"] not in FUNCTIONS:
                raise UsageError(
                    f"gate {text!r}: unknown function {call['function']!r}; "
                    f"use {', '.join(FUNCTIONS)}"
                )
            functions.append(call["function"])
            target = call["inner"].strip()
        return cls(target, match["op"], threshold, tuple(functions))

    def __str__(self) -> str:
        target = self.name
        for function in reversed(self.functions):
            target = f"{function}({target})"
        return f"{target} {self.op} {self.threshold:g}"

    def failure(self, report: Lookup) -> str | None:
        """A one-line description when the gate fails, else None."""
        label, value, what = report.lookup(self.functions, self.name)
        if not _OPERATORS[self.op](value, self.threshold):
            return None
        shown = label
        for function in reversed(self.functions):
            shown = f"{function}({shown})"
        by = abs(value - self.threshold)
        return (
            f"gate failed: {shown} = {value:.8g} {self.op} {self.threshold:g} (by {by:.3g}, {what})"
        )


def find_result(results: Sequence[LossSummary], name: str) -> LossSummary:
    """The result a gate names: by label, or by any name of its loss."""
    return results[_find([(result.label, result.loss) for result in results], name)]


def check_gate_names(gates: Sequence[Gate], computed: Sequence[tuple[str, str]]) -> None:
    """Before any work: every gate names one of ``computed`` ``(label, loss name)`` pairs.

    A misspelt gate would otherwise fail only once the whole input has been read.
    """
    for gate in gates:
        _find(computed, gate.name)


def _find(computed: Sequence[tuple[str, str]], name: str) -> int:
    """The index of the ``(label, loss name)`` pair a gate's ``name`` names."""
    for index, (label, _) in enumerate(computed):
        if label == name:
            return index
    try:
        canonical = get_spec(name).name
    except UsageError:
        canonical = name
    matches = [index for index, (_, loss) in enumerate(computed) if loss == canonical]
    if len(matches) == 1:
        return matches[0]
    labels = ", ".join(label for label, _ in computed)
    if not matches:
        raise UsageError(f"gate names no computed loss {name!r} (computed: {labels})")
    raise UsageError(f"gate name {name!r} is ambiguous; name one of: {labels}")


@dataclass(frozen=True)
class ComputeLookup:
    """Gates over a ``compute`` summary: point values only."""

    report: ComputeReport

    def lookup(self, functions: tuple[str, ...], name: str) -> tuple[str, float, str]:
        if functions:
            raise UsageError(
                f"{functions[0]}(...) needs `losscli evaluate` (intervals and slices) or "
                "`losscli compare` (deltas)"
            )
        result = find_result(self.report.results, name)
        return result.label, result.value, result.reduction


def check_gates(gates: Sequence[Gate], report: Lookup | ComputeReport) -> list[str]:
    """Every failed gate's message; all gates are resolved first so a typo fails loudly."""
    lookup = ComputeLookup(report) if isinstance(report, ComputeReport) else report
    for gate in gates:
        lookup.lookup(gate.functions, gate.name)
    return [message for gate in gates if (message := gate.failure(lookup)) is not None]
