"""CI gates: ``huber>0.3`` fails the run when a computed loss crosses a threshold."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from losscli.errors import UsageError
from losscli.losses import get_spec
from losscli.report import ComputeReport, LossSummary

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}
_GATE = re.compile(r"^\s*(?P<name>.+?)\s*(?P<op><=|>=|<|>)\s*(?P<threshold>[^<>=]+?)\s*$")


@dataclass(frozen=True)
class Gate:
    """``name op threshold``: the run fails when the condition holds."""

    name: str
    op: str
    threshold: float

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
        return cls(match["name"], match["op"], threshold)

    def __str__(self) -> str:
        return f"{self.name} {self.op} {self.threshold:g}"

    def target(self, results: Sequence[LossSummary]) -> LossSummary:
        """The computed loss this gate refers to: by label, or by any name of its loss."""
        for result in results:
            if result.label == self.name:
                return result
        try:
            name = get_spec(self.name).name
        except UsageError:
            name = self.name
        matches = [result for result in results if result.loss == name]
        if len(matches) == 1:
            return matches[0]
        labels = ", ".join(result.label for result in results)
        if not matches:
            raise UsageError(f"gate '{self}' names no computed loss (computed: {labels})")
        raise UsageError(f"gate '{self}' is ambiguous; name one of: {labels}")

    def failure(self, report: ComputeReport) -> str | None:
        """A one-line description when the gate fails, else None."""
        result = self.target(report.results)
        if not _OPERATORS[self.op](result.value, self.threshold):
            return None
        by = abs(result.value - self.threshold)
        return (
            f"gate failed: {result.label} = {result.value:.8g} {self.op} {self.threshold:g} "
            f"(by {by:.3g}, {result.reduction})"
        )


def check_gates(gates: Sequence[Gate], report: ComputeReport) -> list[str]:
    """Every failed gate's message; all gates are resolved first so a typo fails loudly."""
    for gate in gates:
        gate.target(report.results)
    return [message for gate in gates if (message := gate.failure(report)) is not None]
