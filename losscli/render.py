"""Turn a :class:`~losscli.report.ComputeReport` into text: a rich table, JSON, CSV or Markdown.

Renderers see only the report, never arrays, so every format carries the same numbers. JSON and
CSV print every float at full precision (``repr``, which round-trips exactly); the table and
Markdown print up to 8 significant digits. Non-finite floats are written as ``"NaN"``,
``"Infinity"`` and ``"-Infinity"`` strings in JSON (strict JSON has no such numbers) and as
``nan``, ``inf`` and ``-inf`` in CSV (what Python's ``float()`` parses back).

The JSON, CSV and Markdown paths do not import rich; only :func:`render_table` does.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from losscli.errors import UsageError
from losscli.report import REPORT_SCHEMA, ComputeReport, LossSummary

if TYPE_CHECKING:
    from rich.console import Console

FORMATS = ("table", "json", "csv", "markdown")
"""The summary formats :func:`render` accepts."""

SUMMARY_COLUMNS = ("label", "reduction", "value", "rows", "weight_sum", "min", "max", "mean", "std")
"""The columns of the CSV and Markdown summaries, in order."""

_FLOAT_COLUMNS = frozenset(("value", "weight_sum", "min", "max", "mean", "std"))
_MARKERS = ("†", "‡", "§", "¶", "#", "**", "††", "‡‡")


# --------------------------------------------------------------------------------------------
# JSON


def json_float(value: float) -> float | str:
    """A float for JSON: itself when finite (repr round-trips), else a named string."""
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _jsonable(value: Any) -> Any:
    """Parameter values as JSON: tuples become lists, NumPy scalars Python numbers."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return json_float(value)
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [_jsonable(item) for item in value]
    if hasattr(value, "tolist"):  # NumPy scalar or array, without importing NumPy here
        return _jsonable(value.tolist())
    return str(value)


def _optional_float(value: float | None) -> float | str | None:
    return None if value is None else json_float(value)


def _result_dict(summary: LossSummary) -> dict[str, Any]:
    return {
        "loss": summary.loss,
        "label": summary.label,
        "params": _jsonable(dict(summary.params)),
        "reduction": summary.reduction,
        "value": json_float(summary.value),
        "rows": int(summary.rows),
        "weight_sum": json_float(summary.weight_sum),
        "min": _optional_float(summary.min),
        "max": _optional_float(summary.max),
        "mean": _optional_float(summary.mean),
        "std": _optional_float(summary.std),
        "nonfinite": int(summary.nonfinite),
        "scope": summary.scope,
        "batch_size": None if summary.batch_size is None else int(summary.batch_size),
    }


def report_dict(report: ComputeReport) -> dict[str, Any]:
    """The JSON summary document as Python data (what :func:`render_json` serialises)."""
    return {
        "schema": REPORT_SCHEMA,
        "inputs": list(report.inputs),
        "columns": {
            "y_true": list(report.y_true),
            "y_pred": list(report.y_pred),
            "sample_weight": report.sample_weight,
        },
        "dtype": report.dtype,
        "rows": {
            "read": int(report.rows_read),
            "used": int(report.rows_used),
            "skipped": int(report.rows_skipped),
        },
        "clipped": int(report.clipped),
        "notes": list(report.notes),
        "results": [_result_dict(summary) for summary in report.results],
    }


def render_json(report: ComputeReport) -> str:
    """The report as one JSON object, indented by 2, with a trailing newline.

    Finite floats are written with ``repr`` and parse back to the identical float; NaN and
    infinities are the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``.
    """
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


# --------------------------------------------------------------------------------------------
# CSV and Markdown


def _full(value: float | None) -> str:
    """Full precision for CSV: ``repr`` of the float (``nan``/``inf``/``-inf`` when non-finite)."""
    return "" if value is None else repr(float(value))


def _short(value: float | None) -> str:
    """Up to 8 significant digits for people: the table and Markdown."""
    return "—" if value is None else f"{float(value):.8g}"


def _formatted(summary: LossSummary, number: Callable[[float | None], str]) -> list[str]:
    """The :data:`SUMMARY_COLUMNS` cells of one result, floats formatted by ``number``."""
    cells = _cells(summary)
    return [number(cells[c]) if c in _FLOAT_COLUMNS else str(cells[c]) for c in SUMMARY_COLUMNS]


def _cells(summary: LossSummary) -> dict[str, Any]:
    return {
        "label": summary.label,
        "reduction": summary.reduction,
        "value": summary.value,
        "rows": int(summary.rows),
        "weight_sum": summary.weight_sum,
        "min": summary.min,
        "max": summary.max,
        "mean": summary.mean,
        "std": summary.std,
    }


def render_csv(report: ComputeReport) -> str:
    """A header and one row per loss, in :data:`SUMMARY_COLUMNS`; floats at full precision."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for summary in report.results:
        writer.writerow(_formatted(summary, _full))
    return out.getvalue()


def _footnotes(report: ComputeReport) -> tuple[dict[int, str], list[str]]:
    """A marker for each batch-scope result (by index) and the footnote lines they refer to."""
    markers: dict[int, str] = {}
    lines: list[str] = []
    by_size: dict[int | None, str] = {}
    for index, summary in enumerate(report.results):
        if summary.scope != "batch":
            continue
        size = summary.batch_size
        if size not in by_size:
            by_size[size] = _MARKERS[len(by_size) % len(_MARKERS)]
            rows = "" if size is None else f" of {size} row{'s' if size != 1 else ''}"
            lines.append(f"{by_size[size]} computed per batch{rows}")
        markers[index] = by_size[size]
    return markers, lines


def _rows_line(report: ComputeReport) -> str:
    line = f"rows read {report.rows_read}, used {report.rows_used}, skipped {report.rows_skipped}"
    if report.clipped > 0:
        line += f"; probabilities clipped {report.clipped}"
    return line


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(report: ComputeReport) -> str:
    """A GitHub-flavoured Markdown table for a CI step summary, then the row counts.

    Batch-scope losses get a footnote marker; notes, if any, follow as lines of their own.
    """
    markers, footnotes = _footnotes(report)
    header = "| " + " | ".join(SUMMARY_COLUMNS) + " |"
    rule = "| " + " | ".join(
        "---" if c in ("label", "reduction") else "---:" for c in SUMMARY_COLUMNS
    )
    lines = [header, rule + " |"]
    for index, summary in enumerate(report.results):
        row = _formatted(summary, _short)
        if index in markers:
            row[0] += f" {markers[index]}"
        lines.append("| " + " | ".join(_markdown_cell(cell) for cell in row) + " |")
    lines.append("")
    lines.append(_rows_line(report))
    lines.extend(f"\n{line}" for line in footnotes)
    lines.extend(f"\n{_markdown_cell(note)}" for note in report.notes)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# rich table


_DROPPABLE = ("std", "mean", "max", "min", "weight_sum")  # hidden in this order when too narrow
# Below these widths a name would wrap into an unreadable column: statistics go first.
_NAME_WIDTH = {"label": 32, "reduction": len("mean_with_sample_weight")}
_NAME_FLOOR = 5


def _layout(rows: list[list[str]], width: int) -> dict[str, int]:
    """The summary columns that fit in ``width``, each with its text width.

    Descriptive statistics are dropped first. A numeric column is as wide as its widest cell
    (a minimum); the label and the reduction get their widest cell when there is room and
    wrap within a narrower, exact width only on a console too narrow for them.
    """
    from rich.cells import cell_len  # terminal cells, not characters: labels may be CJK

    longest = {  # a column is at least as wide as its header (numeric headers do not wrap)
        column: max([cell_len(column), *(cell_len(row[position]) for row in rows)])
        for position, column in enumerate(SUMMARY_COLUMNS)
    }
    columns = list(SUMMARY_COLUMNS)
    for dropped in (None, *_DROPPABLE):
        if dropped is not None:
            columns.remove(dropped)
        minimum = {c: min(longest[c], _NAME_WIDTH.get(c, longest[c])) for c in columns}
        # each column: its text and one space of padding either side, plus one border
        slack = width - sum(w + 3 for w in minimum.values()) - 1
        if slack >= 0:
            break
    for name in ("label", "reduction"):  # tiny console: squeeze the names, not the numbers
        give = max(0, min(-slack, minimum[name] - _NAME_FLOOR))
        minimum[name] -= give
        slack += give
    for name in ("reduction", "label"):  # hand the room left to the names
        grow = max(0, min(longest[name] - minimum[name], slack))
        minimum[name] += grow
        slack -= grow
    return minimum


def render_table(report: ComputeReport, console: Console) -> None:
    """Print the report as a rich table on ``console``.

    The title names the inputs, the caption gives the row counts (and the clipped
    probabilities, when any), the footnotes for batch-scope losses, and the notes. Numbers are
    never wrapped or cut short: on a console too narrow for every column, the descriptive
    statistics (std, mean, max, min, weight sum) are left out, and the caption says so. Colour
    and ``NO_COLOR`` are the console's business.
    """
    from rich.table import Table
    from rich.text import Text

    markers, footnotes = _footnotes(report)
    rows = [_formatted(summary, _short) for summary in report.results]
    for index, marker in markers.items():
        rows[index][0] += f" {marker}"
    layout = _layout(rows, console.width)
    hidden = [c.replace("_", " ") for c in SUMMARY_COLUMNS if c not in layout]
    caption_lines = [_rows_line(report), *footnotes, *report.notes]
    if hidden:
        caption_lines.append(
            f"{', '.join(hidden)} not shown: the terminal is too narrow (use --format json)"
        )
    table = Table(
        title=Text(", ".join(report.inputs) if report.inputs else "losscli"),
        caption=Text("\n".join(caption_lines)),
        title_justify="left",
        caption_justify="left",
    )
    for column, min_width in layout.items():
        header = column.replace("_", " ")
        if column in _NAME_WIDTH:
            table.add_column(header, overflow="fold", width=min_width)
        else:
            table.add_column(header, justify="right", no_wrap=True, min_width=min_width)
    positions = [SUMMARY_COLUMNS.index(column) for column in layout]
    for row in rows:
        # Text, not str: labels and file names may hold "[...]", which is not rich markup here.
        table.add_row(*(Text(row[p]) for p in positions))
    console.print(table)


# --------------------------------------------------------------------------------------------
# dispatch


def render(report: ComputeReport, fmt: str, *, console: Console | None = None) -> str | None:
    """Render ``report`` as ``fmt`` (one of :data:`FORMATS`).

    Returns the text for ``json``, ``csv`` and ``markdown``; prints the ``table`` on
    ``console`` (a new ``rich.console.Console()`` on stdout when not given) and returns ``None``.
    """
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "table":
        if console is None:
            from rich.console import Console

            console = Console()
        render_table(report, console)
        return None
    raise UsageError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
