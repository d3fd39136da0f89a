"""Renderers of an :class:`~losscli.evaluate.EvaluationReport`: table, JSON, CSV, Markdown.

JSON is tidy (one object per loss x slice) with a schema version; the table is a report for a
person (slices worst first, the worst marked, intervals shown as numbers and a bar); Markdown
fits a pull-request comment. The JSON and CSV paths do not import rich.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from losscli.evaluate import EvaluationReport, LossEvaluation, SliceResult

EVALUATION_SCHEMA = 1


def _number(value: float | None) -> float | str | None:
    if value is None:
        return None
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _records(report: EvaluationReport) -> list[dict[str, Any]]:
    records = []
    for evaluation in report.losses:
        summary = evaluation.summary
        for result in (evaluation.overall, *evaluation.slices):
            records.append(
                {
                    "loss": summary.loss,
                    "label": summary.label,
                    "params": {
                        k: list(v) if isinstance(v, tuple) else v for k, v in summary.params.items()
                    },
                    "reduction": summary.reduction,
                    "slice": None
                    if result.key is None
                    else dict(zip(report.group_by, result.key, strict=True)),
                    "slice_label": result.label,
                    "value": _number(result.value),
                    "ci_low": None if result.interval is None else _number(result.interval[0]),
                    "ci_high": None if result.interval is None else _number(result.interval[1]),
                    "rows": result.rows,
                    "weight_sum": _number(result.weight_sum),
                    "small": result.small,
                }
            )
    return records


def _extremes(evaluation: LossEvaluation) -> dict[str, Any]:
    worst, best = evaluation.worst, evaluation.best
    return {
        "label": evaluation.summary.label,
        "worst_slice": None if worst is None else worst.label,
        "worst_value": None if worst is None else _number(worst.value),
        "best_slice": None if best is None else best.label,
        "best_value": None if best is None else _number(best.value),
        "gap": _number(evaluation.gap),
    }


def render_json(report: EvaluationReport) -> str:
    """One JSON object: inputs, row counts, the CI method, tidy results, per-loss extremes."""
    document = {
        "schema": EVALUATION_SCHEMA,
        "kind": "evaluate",
        "inputs": list(report.inputs),
        "rows": {
            "read": report.rows_read,
            "used": report.rows_used,
            "skipped": report.rows_skipped,
        },
        "group_by": list(report.group_by),
        "ci": None if report.ci is None else dict(report.ci),
        "notes": list(report.notes),
        "results": _records(report),
        "slices": [_extremes(e) for e in report.losses] if report.group_by else [],
    }
    return json.dumps(document, indent=2) + "\n"


def render_csv(report: EvaluationReport) -> str:
    """One row per loss x slice."""
    out = io.StringIO()
    columns = ["label", "reduction", "slice", "value", "ci_low", "ci_high", "rows", "weight_sum"]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in _records(report):
        writer.writerow(
            [
                record["label"],
                record["reduction"],
                record["slice_label"],
                *(
                    ""
                    if record[c] is None
                    else repr(record[c])
                    if isinstance(record[c], float)
                    else record[c]
                    for c in ("value", "ci_low", "ci_high", "rows", "weight_sum")
                ),
            ]
        )
    return out.getvalue()


def _interval_text(result: SliceResult) -> str:
    if result.interval is None:
        return ""
    low, high = result.interval
    return f"[{low:.6g}, {high:.6g}]"


def _ordered_slices(evaluation: LossEvaluation) -> list[SliceResult]:
    return sorted(
        evaluation.slices, key=lambda s: -s.value if not math.isnan(s.value) else math.inf
    )


def render_markdown(report: EvaluationReport) -> str:
    """A compact report for a pull-request comment."""
    level = "" if report.ci is None else f" ({report.ci['level']:.0%} CI)"
    lines = [
        f"**losscli evaluate** on {', '.join(report.inputs)}: {report.rows_used} rows used"
        + (f", {report.rows_skipped} skipped" if report.rows_skipped else ""),
        "",
        f"| loss | slice | value{level} | rows |",
        "|---|---|---|---|",
    ]
    for evaluation in report.losses:
        worst = evaluation.worst
        for result in (evaluation.overall, *_ordered_slices(evaluation)):
            flag = " ⚠ small" if result.small else ""
            mark = " (worst)" if worst is not None and result is worst else ""
            value = f"{result.value:.6g} {_interval_text(result)}".strip()
            lines.append(
                f"| {evaluation.summary.label} | {result.label}{mark}{flag} | {value} | "
                f"{result.rows} |"
            )
    if report.ci is not None:
        lines += ["", _ci_line(report)]
    return "\n".join(lines) + "\n"


def _ci_line(report: EvaluationReport) -> str:
    ci = report.ci or {}
    cluster = f", clustered by {ci['cluster_by']}" if ci.get("cluster_by") else ""
    return f"Intervals: {ci['method']}, {ci['replicates']} replicates, seed {ci['seed']}{cluster}."


def render_table(report: EvaluationReport, console: Any) -> None:
    """A rich report: per loss, the overall value then slices worst first, with bars."""
    from rich.table import Table
    from rich.text import Text

    if not report.group_by:
        _render_overall_table(report, console)
        return
    for evaluation in report.losses:
        summary = evaluation.summary
        table = Table(
            title=Text(f"{summary.label} ({summary.reduction})"),
            title_justify="left",
            caption=Text(_caption(report, evaluation)),
            caption_justify="left",
        )
        table.add_column("slice", no_wrap=True)
        table.add_column("value", justify="right", no_wrap=True)
        if report.ci is not None:
            table.add_column(f"{report.ci['level']:.0%} interval", no_wrap=True)
        table.add_column("rows", justify="right", no_wrap=True)
        if evaluation.slices:
            table.add_column("", no_wrap=True)
        results = [evaluation.overall, *_ordered_slices(evaluation)]
        top = max((abs(r.value) for r in results if math.isfinite(r.value)), default=0.0)
        worst = evaluation.worst
        for result in results:
            style = "bold red" if worst is not None and result is worst else None
            label = result.label + (" (small)" if result.small else "")
            cells = [Text(label, style=style or ""), f"{result.value:.6g}"]
            if report.ci is not None:
                cells.append(_interval_text(result))
            cells.append(str(result.rows))
            if evaluation.slices:
                cells.append(_bar(result.value, top))
            table.add_row(*cells)
        console.print(table)


def _render_overall_table(report: EvaluationReport, console: Any) -> None:
    """Without slices: one table, a row per loss (the reduction in the caption when shared)."""
    from rich.table import Table
    from rich.text import Text

    reductions = {evaluation.summary.reduction for evaluation in report.losses}
    shared = next(iter(reductions)) if len(reductions) == 1 else None
    caption = [
        f"rows read {report.rows_read}, used {report.rows_used}, skipped {report.rows_skipped}"
    ]
    if shared:
        caption.append(f"reduction: {shared}")
    if report.ci is not None:
        caption.append(_ci_line(report))
    caption.extend(report.notes)
    table = Table(
        title=Text(", ".join(report.inputs)),
        title_justify="left",
        caption=Text("\n".join(caption)),
        caption_justify="left",
    )
    table.add_column("loss", no_wrap=True)
    if not shared:
        table.add_column("reduction", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    if report.ci is not None:
        table.add_column(f"{report.ci['level']:.0%} interval", no_wrap=True)
    table.add_column("rows", justify="right", no_wrap=True)
    for evaluation in report.losses:
        overall = evaluation.overall
        cells = [Text(evaluation.summary.label)]
        if not shared:
            cells.append(evaluation.summary.reduction)
        cells.append(f"{overall.value:.6g}")
        if report.ci is not None:
            cells.append(_interval_text(overall))
        cells.append(str(overall.rows))
        table.add_row(*cells)
    console.print(table)


def _bar(value: float, top: float, width: int = 12) -> str:
    if not math.isfinite(value) or top <= 0:
        return ""
    return "█" * max(0, round(width * abs(value) / top))


def _caption(report: EvaluationReport, evaluation: LossEvaluation) -> str:
    parts = [
        f"rows read {report.rows_read}, used {report.rows_used}, skipped {report.rows_skipped}"
    ]
    if evaluation.slices:
        worst, best = evaluation.worst, evaluation.best
        assert worst is not None and best is not None
        parts.append(
            f"worst {worst.label} ({worst.value:.6g}), best {best.label} ({best.value:.6g}), "
            f"gap {evaluation.gap:.6g}"
        )
    if report.ci is not None:
        parts.append(_ci_line(report))
    parts.extend(report.notes)
    return "\n".join(parts)


def render(report: EvaluationReport, fmt: str, *, console: Any = None) -> str | None:
    """Dispatch on ``fmt`` (table prints to ``console`` and returns None)."""
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "markdown":
        return render_markdown(report)
    render_table(report, console)
    return None
