"""The ``losscli compute`` command line that computes a suggested loss on the diagnosed input.

Columns are named as the user would: left out when they are the defaults, and a glob such as
``'prob_*'`` when it matches exactly the chosen columns, in order.
"""

from __future__ import annotations

import fnmatch
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from losscli.doctor.text import g, weights_text
from losscli.io.columns import ColumnSpec, natural_key


class Commands:
    """Builds ``losscli compute`` command lines for the diagnosed input and columns."""

    def __init__(
        self, columns: ColumnSpec, inputs: tuple[str, ...], all_columns: Sequence[str] | None
    ) -> None:
        self.columns = columns
        self.inputs = inputs or ("INPUT",)
        self.all_columns = list(all_columns) if all_columns is not None else None

    def __call__(
        self, loss: str, params: Mapping[str, Any], class_weight: Mapping[int, float] | None
    ) -> str:
        """The shell-quoted command line computing ``loss`` with these parameters."""
        parts = ["losscli", "compute", "--loss", loss]
        for name, value in params.items():
            parts += ["-p", f"{name}={_param_text(value)}"]
        if class_weight:
            parts += ["--class-weight", weights_text(class_weight)]
        if self.columns.y_true != ("y_true",):
            parts += ["--y-true", self._names(self.columns.y_true)]
        if self.columns.y_pred != ("y_pred",):
            parts += ["--y-pred", self._names(self.columns.y_pred)]
        if self.columns.sample_weight:
            parts += ["--sample-weight", self.columns.sample_weight]
        parts += self.inputs
        return " ".join(shlex.quote(part) for part in parts)

    def _names(self, names: tuple[str, ...]) -> str:
        if len(names) > 1 and self.all_columns is not None:
            prefix = _common_prefix(names)
            if prefix and not any(ch in prefix for ch in "*?[],"):
                glob = prefix + "*"
                matches = sorted(fnmatch.filter(self.all_columns, glob), key=natural_key)
                if matches == list(names):
                    return glob
        return ",".join(names)


def _common_prefix(names: Sequence[str]) -> str:
    first, last = min(names), max(names)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return g(value)
    return str(value)
