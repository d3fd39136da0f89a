"""Findings about the values themselves: what would make a loss NaN, infinite or wrong.

Non-finite values and negative weights in any task; for classification, logits, probabilities
outside [0, 1], y_pred rows that are all zero or do not sum to 1, labels out of range or not
whole, y_true rows that are not one-hot; constant columns. Each function returns its findings in
a fixed order of columns; :mod:`losscli.doctor.diagnosis` calls them in a fixed order of checks.
"""

from __future__ import annotations

from losscli.doctor.accumulator import Accumulator
from losscli.doctor.facts import Facts
from losscli.doctor.model import Finding, Severity
from losscli.doctor.statistics import earliest
from losscli.doctor.tasks import has_logits, pred_out_of_unit
from losscli.doctor.text import are, g, pct, plural


def non_finite_findings(state: Accumulator) -> list[Finding]:
    """Missing, NaN and infinite values in every column, and negative sample weights."""
    found: list[Finding] = []
    for column in state.every_column:
        loss = "the weighted loss" if column.role == "sample_weight" else "the loss"
        cure = "fix or drop those rows (compute stops on them unless --nan skip)"
        if column.missing.count:
            event = column.missing
            found.append(
                Finding(
                    Severity.ERROR,
                    "missing",
                    f"{plural(event.count, 'missing value')} in {column.name} (first at row "
                    f"{event.row}): empty, NA or null cells (and nan in CSV) make {loss} NaN; "
                    f"{cure}",
                    column.name,
                    event.row,
                    event.count,
                )
            )
        if column.nan.count:
            event = column.nan
            found.append(
                Finding(
                    Severity.ERROR,
                    "nan",
                    f"{plural(event.count, 'NaN value')} in {column.name} (first at row "
                    f"{event.row}): {loss} is NaN; {cure}",
                    column.name,
                    event.row,
                    event.count,
                )
            )
        if column.inf.count:
            event = column.inf
            found.append(
                Finding(
                    Severity.ERROR,
                    "inf",
                    f"{plural(event.count, 'infinite value')} in {column.name} (first "
                    f"{g(event.value)} at row {event.row}): {loss} is infinite or NaN; {cure}",
                    column.name,
                    event.row,
                    event.count,
                )
            )
    if state.weight is not None and state.weight.below0.count:
        event = state.weight.below0
        found.append(
            Finding(
                Severity.ERROR,
                "negative_weight",
                f"{plural(event.count, 'negative weight')} in {state.weight.name} (first "
                f"{g(event.value)} at row {event.row}): sample weights must be >= 0",
                state.weight.name,
                event.row,
                event.count,
            )
        )
    return found


def prediction_findings(state: Accumulator, facts: Facts) -> list[Finding]:
    """Classification y_pred: logits (setting ``facts.logits``) or probabilities out of range.

    For multiclass tasks also rows of y_pred that are all zero or do not sum to 1.
    """
    found: list[Finding] = []
    out, finite = pred_out_of_unit(state)
    if has_logits(state):
        facts.logits = True
        low = min(column.moments.min for column in state.pred if column.finite)
        high = max(column.moments.max for column in state.pred if column.finite)
        found.append(
            Finding(
                Severity.WARNING,
                "logits",
                f"y_pred looks like logits: {out.count} of {finite} values "
                f"({pct(out.count / finite)}) are outside [0, 1], from {g(low)} to "
                f"{g(high)}; pass --param from_logits=true",
                state.pred[0].name if len(state.pred) == 1 else None,
                out.row,
                out.count,
            )
        )
        return found
    if out.count:
        column = next(c.name for c in state.pred if out.row in (c.below0.row, c.above1.row))
        found.append(
            Finding(
                Severity.ERROR,
                "probability_out_of_range",
                f"{out.count} of {finite} y_pred values are outside [0, 1] (first "
                f"{g(out.value)} in {column} at row {out.row}): probabilities must be in "
                f"[0, 1], and too few are outside for these to be logits",
                column,
                out.row,
                out.count,
            )
        )
    if len(state.pred) >= 2 and facts.task in ("multiclass_sparse", "multiclass_onehot"):
        rows = state.pred_rows
        if rows.zero.count:
            found.append(
                Finding(
                    Severity.ERROR,
                    "zero_sum_rows",
                    f"{plural(rows.zero.count, 'row')} of y_pred {are(rows.zero.count)} all "
                    f"zero (first at row {rows.zero.row}): categorical losses divide each row "
                    "by its sum, so the loss is NaN",
                    None,
                    rows.zero.row,
                    rows.zero.count,
                )
            )
        if rows.off.count:
            found.append(
                Finding(
                    Severity.WARNING,
                    "rows_not_normalised",
                    f"{rows.off.count} of {rows.rows} rows of y_pred do not sum to 1 (first at "
                    f"row {rows.off.row}; worst: row {rows.worst_row} sums to "
                    f"{g(rows.worst_sum)}): probably not softmax output; categorical losses "
                    "divide each row by its sum",
                    None,
                    rows.off.row,
                    rows.off.count,
                )
            )
    return found


def binary_label_findings(state: Accumulator) -> list[Finding]:
    """Binary labels outside [0, 1]."""
    true = state.true[0]
    out = earliest(true.below0, true.above1)
    if not out.count:
        return []
    return [
        Finding(
            Severity.ERROR,
            "labels_out_of_range",
            f"{plural(out.count, 'value')} of {true.name} {are(out.count)} outside [0, 1] "
            f"(first {g(out.value)} at row {out.row}): binary labels are 0 or 1 (or soft "
            "labels between them)",
            true.name,
            out.row,
            out.count,
        )
    ]


def sparse_label_findings(state: Accumulator) -> list[Finding]:
    """Sparse labels that are not whole numbers or not class ids 0..K-1."""
    true, k = state.true[0], len(state.pred)
    found: list[Finding] = []
    if true.fraction.count:
        event = true.fraction
        found.append(
            Finding(
                Severity.ERROR,
                "labels_not_integer",
                f"{plural(event.count, 'label')} in {true.name} {are(event.count)} not "
                f"{'a whole number' if event.count == 1 else 'whole numbers'} (first "
                f"{g(event.value)} at row {event.row}): sparse labels are class ids "
                f"0..{k - 1}",
                true.name,
                event.row,
                event.count,
            )
        )
    out = state.labels_out
    if out.count:
        hint = ""
        if true.distinct is not None:
            outside = [v for v in true.distinct if v < 0 or v >= k]
            if len(outside) == 1:
                hint = (
                    f"; if {g(outside[0])} marks rows to ignore, pass "
                    f"--param ignore_class={g(outside[0])}"
                )
        found.append(
            Finding(
                Severity.ERROR,
                "labels_out_of_range",
                f"{plural(out.count, 'label')} in {true.name} {are(out.count)} outside "
                f"0..{k - 1} (first {g(out.value)} at row {out.row}): y_pred has {k} columns, "
                f"one per class{hint}",
                true.name,
                out.row,
                out.count,
            )
        )
    return found


def one_hot_findings(state: Accumulator) -> list[Finding]:
    """0/1 y_true rows with several 1s or none."""
    rows = state.true_rows
    bad = rows.several.count + rows.empty.count
    if not bad:
        return []
    parts = []
    if rows.several.count:
        parts.append(f"{rows.several.count} with several 1s (first at row {rows.several.row})")
    if rows.empty.count:
        parts.append(f"{rows.empty.count} with no 1 (first at row {rows.empty.row})")
    first = earliest(rows.several, rows.empty)
    return [
        Finding(
            Severity.ERROR,
            "not_one_hot",
            f"{bad} of {rows.rows} rows of y_true are not one-hot: {', '.join(parts)}; "
            "each row needs exactly one 1",
            None,
            first.row,
            bad,
        )
    ]


def constant_findings(state: Accumulator, task: str) -> list[Finding]:
    """y_pred columns (and in regression y_true columns) with one value in every row."""
    found: list[Finding] = []
    checked = list(state.pred)
    if task == "regression":
        checked = [*state.true, *checked]
    for column in checked:
        m = column.moments
        if m.count >= 2 and m.min == m.max:
            what = (
                "the model predicts a constant"
                if column.role == "y_pred"
                else "every target is the same"
            )
            found.append(
                Finding(
                    Severity.WARNING,
                    "constant_column",
                    f"{column.name} is {g(m.min)} in every row: {what}",
                    column.name,
                    None,
                    m.count,
                )
            )
    return found
