"""Diagnosing an input as ``compute`` would read it: open it, then find its columns.

Besides the column rules of ``compute``, :func:`guess_columns` takes numbered families such as
``prob_0, prob_1, ...`` when no column has one of the usual names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import pyarrow as pa

from losscli.doctor.diagnosis import diagnose
from losscli.doctor.model import Diagnosis
from losscli.io.columns import (
    PRED_FALLBACKS,
    TRUE_FALLBACKS,
    ColumnRequest,
    ColumnSpec,
    natural_key,
    resolve_columns,
)
from losscli.io.sources import InputSpec, open_source


def diagnose_input(
    spec: InputSpec,
    request: ColumnRequest | None = None,
    *,
    note: Callable[[str], None] = lambda _: None,
    stdin: Any = None,
) -> Diagnosis:
    """Open the input ``spec`` describes, find its columns, and :func:`diagnose` it.

    Raises:
        UsageError: no input, an unknown format, stdin on a terminal.
        InputDataError: a missing or unreadable file, no usable columns, non-numeric columns.
    """
    request = request or ColumnRequest()
    with open_source(spec, note=note, stdin=stdin) as source:
        columns = guess_columns(request, source.schema, note, source=source.description)
        with source.naming_errors():
            return diagnose(
                source.batches(columns.needed),
                columns,
                inputs=tuple(spec.paths),
                all_columns=source.schema.names,
            )


def guess_columns(
    request: ColumnRequest,
    schema: pa.Schema,
    note: Callable[[str], None] = lambda _: None,
    *,
    source: str | None = None,
) -> ColumnSpec:
    """Resolve columns as ``compute`` does, also finding numbered families such as ``prob_0..2``.

    When y_true or y_pred is not named and none of the usual names is a column, a family of at
    least two columns named a usual name plus a number (``prob_0``, ``prob_1``, ...;
    ``onehot_0``, ... for y_true) is taken instead, with a note. ``source`` names the input in
    errors.
    """
    names = list(schema.names)
    lowered = {name.lower() for name in names}
    if request.y_true is None and not lowered & set(TRUE_FALLBACKS):
        family = _family(names, (*TRUE_FALLBACKS, "onehot", "one_hot"))
        if family:
            request = replace(request, y_true=",".join(family))
            note(f"using columns {_span(family)} as y_true (set --y-true to choose)")
    if request.y_pred is None and not lowered & set(PRED_FALLBACKS):
        family = _family(names, PRED_FALLBACKS)
        if family:
            request = replace(request, y_pred=",".join(family))
            note(f"using columns {_span(family)} as y_pred (set --y-pred to choose)")
    return resolve_columns(request, schema, note, source=source)


def _family(names: Sequence[str], stems: Sequence[str]) -> list[str] | None:
    """The first stem's columns ``stem<n>`` (``_``, ``-`` or ``.`` between), if at least two."""
    for stem in stems:
        pattern = re.compile(re.escape(stem) + r"[_\-.]?\d+", re.IGNORECASE)
        members = [name for name in names if pattern.fullmatch(name)]
        if len(members) >= 2:
            return sorted(members, key=natural_key)
    return None


def _span(names: Sequence[str]) -> str:
    return f"{names[0]}..{names[-1]}" if len(names) > 2 else ", ".join(names)
