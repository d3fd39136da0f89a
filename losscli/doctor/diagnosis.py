""":func:`diagnose`: one streaming pass over the batches, then the task, findings and losses.

The checks run in a fixed order (non-finite values, then those of the inferred task), so the
findings, sorted errors first, come in the same order for any batching.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pyarrow as pa

from losscli.doctor.accumulator import Accumulator
from losscli.doctor.balance import balance_findings, label_balance_findings
from losscli.doctor.commands import Commands
from losscli.doctor.facts import Facts
from losscli.doctor.findings import (
    binary_label_findings,
    constant_findings,
    non_finite_findings,
    one_hot_findings,
    prediction_findings,
    sparse_label_findings,
)
from losscli.doctor.model import Diagnosis, Finding, Severity
from losscli.doctor.scale import scale_findings
from losscli.doctor.suggestions import suggestions
from losscli.doctor.tasks import infer_task
from losscli.io.columns import ColumnSpec


def diagnose(
    source_batches: Iterable[pa.RecordBatch | pa.Table],
    columns: ColumnSpec,
    *,
    inputs: Sequence[str] = (),
    all_columns: Sequence[str] | None = None,
) -> Diagnosis:
    """Diagnose predictions streamed as record batches, reading each batch once.

    Args:
        source_batches: record batches (or tables) holding the columns of ``columns``, e.g.
            ``source.batches(columns.needed)`` of :func:`losscli.io.sources.open_source`.
        columns: the y_true, y_pred and optional sample weight columns (keep/extra are ignored).
        inputs: the inputs as a user would type them, for the suggested command lines
            (``INPUT`` when empty).
        all_columns: every column name of the input; lets the command lines name several
            columns by a glob such as ``'prob_*'`` when that glob matches exactly those.

    Returns:
        A :class:`Diagnosis`; its ``ok`` is False when a finding is an error.

    Raises:
        InputDataError: a column cannot be read as numbers (nested lists, ragged lists).
    """
    state = Accumulator(columns)
    with np.errstate(all="ignore"):
        for batch in source_batches:
            state.update(batch)
        return _conclude(state, tuple(inputs), all_columns)


def _conclude(
    state: Accumulator, inputs: tuple[str, ...], all_columns: Sequence[str] | None
) -> Diagnosis:
    findings: list[Finding] = []
    facts = Facts()
    if state.rows == 0:
        findings.append(Finding(Severity.ERROR, "no_rows", "the input has no rows"))
    else:
        findings.extend(non_finite_findings(state))
        facts.task = infer_task(state)
        findings.extend(_task_findings(state, facts))
    order = {Severity.ERROR: 0, Severity.WARNING: 1}
    findings.sort(key=lambda finding: order[finding.severity])
    commands = Commands(state.columns, inputs, all_columns)
    suggested = (
        suggestions(state, facts, commands)
        if not any(f.code in ("no_rows", "shape_mismatch") for f in findings)
        else []
    )
    return Diagnosis(
        task=facts.task,
        findings=tuple(findings),
        suggestions=tuple(suggested),
        rows=state.rows,
        columns=state.columns,
        inputs=inputs,
        statistics=tuple(column.summary() for column in state.every_column),
    )


def _task_findings(state: Accumulator, facts: Facts) -> list[Finding]:
    """The checks of ``facts.task``, in a fixed order; they fill in the rest of ``facts``."""
    task = facts.task
    kt, kp = len(state.true), len(state.pred)
    found: list[Finding] = []
    if task == "unknown" and kt >= 2 and kt != kp:
        found.append(
            Finding(
                Severity.ERROR,
                "shape_mismatch",
                f"y_true has {kt} columns but y_pred has {kp}: give one y_true column of class "
                "ids (sparse labels) or one y_pred column per y_true column",
            )
        )
        return found
    if task != "regression" and task != "unknown":
        found.extend(prediction_findings(state, facts))
    if task == "binary":
        found.extend(binary_label_findings(state))
    elif task == "multiclass_sparse":
        found.extend(sparse_label_findings(state))
    elif task == "multiclass_onehot":
        found.extend(one_hot_findings(state))
    found.extend(constant_findings(state, task))
    if task in ("binary", "multiclass_sparse", "multiclass_onehot"):
        found.extend(balance_findings(state, facts))
    elif task == "multilabel":
        found.extend(label_balance_findings(state, facts))
    elif task == "regression":
        found.extend(scale_findings(state, facts))
    return found
