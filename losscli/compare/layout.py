"""Where each role's columns are: resolved against the inputs' schemas before any row is read.

A :class:`Layout` says which columns each input carries into the pairing, and under which paired
names (``new:NAME``, ``old:NAME``) the comparison finds y_true, both predictions, the weights
and the ``--group-by`` columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from losscli.compare.request import CompareRequest
from losscli.errors import ColumnError
from losscli.io.columns import (
    PRED_FALLBACKS,
    ColumnRequest,
    check_numeric_type,
    columns_to_array,
    expand_columns,
    require_columns,
    resolve_columns,
)
from losscli.io.join import NEW, OLD, TargetCheck, paired_name
from losscli.io.sources import BatchSource

__all__ = ["Layout", "resolve_layout"]


@dataclass(frozen=True)
class Layout:
    """The resolved columns: what each input carries and where each role is when paired."""

    new: tuple[str, ...]  # NEW input columns carried
    old: tuple[str, ...]  # OLD input columns carried
    y_true: tuple[str, ...]  # paired names from here on
    y_pred_new: tuple[str, ...]
    y_pred_old: tuple[str, ...]
    sample_weight: str | None
    group_by: tuple[str, ...]
    check: TargetCheck | None
    shown: Mapping[str, Any]

    def same_file_columns(self) -> list[tuple[str, str]]:
        """With one input: ``(input column, paired name)`` of every column carried."""
        columns = [(name, paired_name(NEW, name)) for name in self.new]
        return columns + [(name, paired_name(OLD, name)) for name in self.old]

    def arrays(
        self, batch: pa.RecordBatch, *, pad_ragged_true: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """A paired batch's ``(y_true, y_pred_new, y_pred_old, sample_weight)``."""
        y_true = columns_to_array(batch, self.y_true, pad_ragged=pad_ragged_true)
        new = columns_to_array(batch, self.y_pred_new)
        old = columns_to_array(batch, self.y_pred_old)
        weights = None
        if self.sample_weight:
            weights = columns_to_array(batch, (self.sample_weight,)).astype(np.float64)
        return y_true, new, old, weights


def resolve_layout(
    request: CompareRequest,
    new: BatchSource,
    old: BatchSource | None,
    note: Callable[[str], None],
) -> Layout:
    """Resolve every column of ``request`` against the inputs' schemas (``old`` None: one input)."""
    pad = "" if old is None else "NEW: "
    new_spec = resolve_columns(
        ColumnRequest(request.y_true, request.y_pred_new or request.y_pred, request.sample_weight),
        new.schema,
        lambda message: note(pad + message),
        source=_named("NEW", new, old),
    )
    weight = (new_spec.sample_weight,) if new_spec.sample_weight else ()
    groups_new, groups_old = [], []
    for name in request.group_by:
        if name in new.schema.names:
            require_columns([name], new.schema, "--group-by", source=new.description, grouped=True)
            groups_new.append(name)
        elif old is not None and name in old.schema.names:
            require_columns([name], old.schema, "--group-by", source=old.description, grouped=True)
            groups_old.append(name)
        else:
            where = "either input" if old is not None else new.description
            raise ColumnError(f"no --group-by column {name!r} in {where}")
    group_names = {name: paired_name(NEW, name) for name in groups_new}
    group_names.update({name: paired_name(OLD, name) for name in groups_old})
    if old is None:
        old_pred = _prediction_columns(
            request.y_pred_old, new.schema, note, "--y-pred-old", new.description
        )
        carried_old: tuple[str, ...] = old_pred
        check = None
    else:
        option = "--y-pred-old" if request.y_pred_old else "--y-pred"
        old_pred = _prediction_columns(
            request.y_pred_old or request.y_pred,
            old.schema,
            lambda m: note("OLD: " + m),
            option,
            f"OLD ({old.description})",
        )
        check = None
        carried_old = old_pred
        if all(name in old.schema.names for name in new_spec.y_true):
            for name in new_spec.y_true:
                check_numeric_type(name, old.schema.field(name).type, source=old.description)
            carried_old = (*old_pred, *new_spec.y_true)
            check = TargetCheck(
                tuple(paired_name(NEW, n) for n in new_spec.y_true),
                tuple(paired_name(OLD, n) for n in new_spec.y_true),
            )
        else:
            note(
                f"OLD has no y_true column {', '.join(new_spec.y_true)}: the targets are taken "
                "from NEW and not checked against OLD"
            )
    carried_new = (*new_spec.y_true, *new_spec.y_pred, *weight, *groups_new)
    return Layout(
        new=tuple(dict.fromkeys(carried_new)),
        old=tuple(dict.fromkeys((*carried_old, *groups_old))),
        y_true=tuple(paired_name(NEW, n) for n in new_spec.y_true),
        y_pred_new=tuple(paired_name(NEW, n) for n in new_spec.y_pred),
        y_pred_old=tuple(paired_name(OLD, n) for n in old_pred),
        sample_weight=None if not weight else paired_name(NEW, weight[0]),
        group_by=tuple(group_names[name] for name in request.group_by),
        check=check,
        shown={
            "y_true": list(new_spec.y_true),
            "y_pred_new": list(new_spec.y_pred),
            "y_pred_old": list(old_pred),
            "sample_weight": new_spec.sample_weight,
            "group_by": list(request.group_by),
        },
    )


def _prediction_columns(
    text: str | None, schema: pa.Schema, note: Callable[[str], None], option: str, where: str
) -> tuple[str, ...]:
    """Prediction columns named by ``text`` (names, comma lists, globs), or found by name.

    ``option`` is the option that names them, ``where`` the input, for errors.
    """
    if text is None:
        lowered = {name.lower(): name for name in schema.names}
        found = next((lowered[c] for c in PRED_FALLBACKS if c in lowered), None)
        if found is None:
            raise ColumnError(
                f"no y_pred column in {where}: none of {', '.join(PRED_FALLBACKS[:4])}, ... is a "
                f"column; name it with {option}"
            )
        if found != "y_pred":
            note(f"using column {found!r} as y_pred (set --y-pred to choose)")
        text = found
    names = list(schema.names)
    chosen = expand_columns(text, names, option, f" in {where}")
    for name in chosen:
        check_numeric_type(name, schema.field(name).type, source=where, option=option)
    return chosen


def _named(role: str, source: BatchSource, old: BatchSource | None) -> str:
    """How errors name an input: ``NEW (path)`` when there are two, else its description."""
    return f"{role} ({source.description})" if old is not None else source.description
