"""Combined objectives: a weighted total of reduced losses, as Keras ``loss_weights`` gives.

``--objective 'bce*0.7 + dice*0.3'`` (or ``--loss-weight`` per ``--loss``) computes each term
with its own reduction and reports ``total = sum(weight_k * loss_k)`` beside the terms. A term
``col:NAME`` is a precomputed per-row column (a penalty saved at inference, say), reduced the
same way as the losses.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from losscli.errors import UsageError
from losscli.report import LossSummary

COLUMN_PREFIX = "col:"
_MANTISSA = r"[-+]?(?:\d+\.?\d*|\.\d+)"
_NUMBER = _MANTISSA + r"(?:[eE][-+]?\d+)?"
_WEIGHT_FIRST = re.compile(rf"^\s*(?P<weight>{_NUMBER})\s*\*\s*(?P<term>.+?)\s*$")
_WEIGHT_LAST = re.compile(rf"^\s*(?P<term>.+?)\s*\*\s*(?P<weight>{_NUMBER})\s*$")


@dataclass(frozen=True)
class Term:
    """One weighted term: a loss (as written on the command line) or ``col:NAME``."""

    source: str
    weight: float

    def __post_init__(self) -> None:
        # A NaN or infinite weight makes the total NaN or infinite whatever the losses are.
        if not math.isfinite(self.weight):
            raise UsageError(
                f"the weight of {self.source} in the objective must be a finite number, "
                f"not {self.weight}"
            )

    @property
    def column(self) -> str | None:
        """The column name of a precomputed term, else None."""
        return self.source[len(COLUMN_PREFIX) :] if self.source.startswith(COLUMN_PREFIX) else None


@dataclass(frozen=True)
class Objective:
    """A weighted sum of terms."""

    terms: tuple[Term, ...]

    @classmethod
    def parse(cls, text: str) -> Objective:
        """``0.7*bce + dice*0.3 + col:penalty*0.01``; a term without a weight weighs 1."""
        terms = []
        for part in _split_plus(text):
            match = _WEIGHT_FIRST.match(part) or _WEIGHT_LAST.match(part)
            if match:
                terms.append(Term(match["term"], float(match["weight"])))
            elif part.strip():
                terms.append(Term(part.strip(), 1.0))
            else:
                raise UsageError(f"objective {text!r} has an empty term")
        if not terms:
            raise UsageError("the objective has no terms")
        return cls(tuple(terms))

    @classmethod
    def from_weights(cls, losses: Sequence[str], weights: Sequence[float]) -> Objective:
        """``--loss A --loss B --loss-weight 0.7 --loss-weight 0.3``."""
        if len(losses) != len(weights):
            raise UsageError(
                f"--loss-weight is given {len(weights)} time(s) for {len(losses)} --loss; "
                "give one weight per loss"
            )
        return cls(tuple(Term(loss, weight) for loss, weight in zip(losses, weights, strict=True)))

    @property
    def loss_sources(self) -> list[str]:
        return [term.source for term in self.terms if term.column is None]

    @property
    def columns(self) -> list[str]:
        return [term.column for term in self.terms if term.column is not None]

    def text(self, labels: Mapping[str, str]) -> str:
        """The objective written with each term's label."""
        return " + ".join(f"{term.weight:g}*{labels[term.source]}" for term in self.terms)

    def summary(self, results: Mapping[str, LossSummary], labels: Mapping[str, str]) -> LossSummary:
        """The total as one more result row; ``results`` maps each term's label to its result."""
        parts = [results[labels[term.source]] for term in self.terms]
        reductions = {part.reduction for part in parts}
        total = sum(term.weight * part.value for term, part in zip(self.terms, parts, strict=True))
        return LossSummary(
            loss="objective",
            label=f"objective = {self.text(labels)}",
            params={labels[term.source]: term.weight for term in self.terms},
            reduction=" + ".join(sorted(reductions)) if len(reductions) > 1 else parts[0].reduction,
            value=total,
            rows=max(part.rows for part in parts),
            weight_sum=max(part.weight_sum for part in parts),
            scope="objective",
        )


def _split_plus(text: str) -> list[str]:
    """Split on ``+`` between terms, not inside brackets, JSON or an exponent (``1e+3``)."""
    parts, depth, current = [], 0, ""
    for index, char in enumerate(text):
        if char in "[({":
            depth += 1
        elif char in "])}":
            depth -= 1
        exponent = char == "+" and index > 0 and text[index - 1] in "eE" and _after_number(current)
        if char == "+" and depth == 0 and not exponent:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _after_number(text: str) -> bool:
    """Whether ``text`` ends in a number's mantissa and an ``e`` (so a ``+`` is an exponent)."""
    return re.search(_MANTISSA + "[eE]$", text) is not None
