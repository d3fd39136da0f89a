"""The summary renderers: JSON, CSV, Markdown and the rich table carry the same numbers."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from losscli.errors import UsageError
from losscli.render import (
    FORMATS,
    SUMMARY_COLUMNS,
    render,
    render_csv,
    render_json,
    render_markdown,
    render_table,
)
from losscli.report import REPORT_SCHEMA, ComputeReport, LossSummary

ROOT = Path(__file__).resolve().parent.parent

HUBER = LossSummary(
    loss="huber",
    label="huber(delta=2.0)",
    params={"delta": 2.0, "axes": (1, 2), "nested": {"pair": (0.25, float("inf"))}},
    reduction="sum_over_batch_size",
    value=0.1 + 0.2,  # 0.30000000000000004: only repr keeps every digit
    rows=1000,
    weight_sum=1000.0,
    scope="row",
    min=5e-324,
    max=1.7976931348623157e308,
    mean=1 / 3,
    std=0.12345678901234568,
    nonfinite=0,
)
BCE = LossSummary(
    loss="binary_crossentropy",
    label="binary_crossentropy | from_logits [x]",
    params={},
    reduction="mean_with_sample_weight",
    value=float("nan"),
    rows=998,
    weight_sum=1234.5678901234567,
    scope="row",
    min=0.0,
    max=float("inf"),
    mean=float("nan"),
    std=float("-inf"),
    nonfinite=2,
)
TRIPLET = LossSummary(
    loss="triplet_semihard_loss",
    label="triplet_semihard_loss",
    params={"margin": 1.0},
    reduction="sum_over_batch_size",
    value=0.7071067811865476,
    rows=1000,
    weight_sum=1000.0,
    scope="batch",
    min=0.0,
    max=2.5,
    mean=0.7071067811865476,
    std=0.5,
    batch_size=256,
)
DICE = LossSummary(
    loss="dice",
    label="dice",
    params={},
    reduction="sum_over_batch_size",
    value=0.123456789012345,
    rows=1000,
    weight_sum=1000.0,
    scope="dataset",
)
REPORT = ComputeReport(
    inputs=("preds.parquet", "more[1].csv"),
    rows_read=1002,
    rows_used=1000,
    rows_skipped=2,
    results=(HUBER, BCE, TRIPLET, DICE),
    y_true=("y_true",),
    y_pred=("p0", "p1"),
    sample_weight="w",
    clipped=3,
    dtype="float32",
    notes=("2 rows with NaN were skipped",),
)


def same(a: object, b: object) -> bool:
    """Equal, counting NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def from_json_number(value: object) -> object:
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(value, value)  # type: ignore[call-overload]


# -- JSON --------------------------------------------------------------------------------------


def test_json_document_round_trips_every_field() -> None:
    text = render_json(REPORT)
    assert text.endswith("}\n")
    assert text.startswith('{\n  "schema"')  # indent 2

    def no_bare_constants(token: str) -> None:
        raise AssertionError(f"bare {token} in the JSON document")

    doc = json.loads(text, parse_constant=no_bare_constants)
    assert doc["schema"] == REPORT_SCHEMA
    assert doc["inputs"] == ["preds.parquet", "more[1].csv"]
    assert doc["columns"] == {"y_true": ["y_true"], "y_pred": ["p0", "p1"], "sample_weight": "w"}
    assert doc["dtype"] == "float32"
    assert doc["rows"] == {"read": 1002, "used": 1000, "skipped": 2}
    assert doc["clipped"] == 3
    assert doc["notes"] == ["2 rows with NaN were skipped"]
    assert len(doc["results"]) == 4
    keys = [
        "loss", "label", "params", "reduction", "value", "rows", "weight_sum",
        "min", "max", "mean", "std", "nonfinite", "scope", "batch_size",
    ]  # fmt: skip
    for parsed, summary in zip(doc["results"], REPORT.results, strict=True):
        assert list(parsed) == keys
        for key in keys:
            if key == "params":
                continue
            expected = getattr(summary, key)
            assert same(from_json_number(parsed[key]), expected), (key, parsed[key], expected)
            if isinstance(expected, float) and math.isfinite(expected):
                assert type(parsed[key]) is float  # exact, not a string


def test_json_floats_are_exact_and_nonfinite_are_named() -> None:
    doc = json.loads(render_json(REPORT))
    huber, bce, _, dice = doc["results"]
    assert huber["value"] == 0.30000000000000004
    assert huber["min"] == 5e-324
    assert huber["max"] == 1.7976931348623157e308
    assert bce["value"] == "NaN"
    assert bce["max"] == "Infinity"
    assert bce["std"] == "-Infinity"
    assert bce["nonfinite"] == 2
    assert dice["min"] is None and dice["std"] is None  # dataset scope: no per-row values
    assert doc["results"][2]["batch_size"] == 256
    assert huber["batch_size"] is None


def test_json_params_tuples_become_lists() -> None:
    params = json.loads(render_json(REPORT))["results"][0]["params"]
    assert params == {"delta": 2.0, "axes": [1, 2], "nested": {"pair": [0.25, "Infinity"]}}


def test_json_accepts_numpy_scalars() -> None:
    np = pytest.importorskip("numpy")
    summary = LossSummary(
        loss="mse",
        label="mse",
        params={"w": np.float32(0.5), "k": np.int64(3), "v": np.array([1.0, 2.0])},
        reduction="sum",
        value=np.float32(0.1),  # type: ignore[arg-type]
        rows=np.int64(4),  # type: ignore[arg-type]
        weight_sum=np.float64(4.0),
        scope="row",
    )
    doc = json.loads(render_json(ComputeReport(("a",), 4, 4, 0, (summary,))))
    result = doc["results"][0]
    assert result["value"] == float(np.float32(0.1))  # the float32's exact value
    assert result["rows"] == 4
    assert result["params"] == {"w": 0.5, "k": 3, "v": [1.0, 2.0]}


def test_json_of_an_empty_report() -> None:
    doc = json.loads(render_json(ComputeReport((), 0, 0, 0, ())))
    assert doc["results"] == []
    assert doc["columns"] == {"y_true": [], "y_pred": [], "sample_weight": None}


# -- CSV ---------------------------------------------------------------------------------------


def test_csv_parses_back_at_full_precision() -> None:
    text = render_csv(REPORT)
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == SUMMARY_COLUMNS
    assert len(rows) == 1 + len(REPORT.results)
    records = list(csv.DictReader(io.StringIO(text)))
    for record, summary in zip(records, REPORT.results, strict=True):
        assert record["label"] == summary.label
        assert record["reduction"] == summary.reduction
        assert int(record["rows"]) == summary.rows
        for column in ("value", "weight_sum", "min", "max", "mean", "std"):
            expected = getattr(summary, column)
            if expected is None:
                assert record[column] == ""
            else:
                assert same(float(record[column]), float(expected)), column
    assert records[0]["value"] == "0.30000000000000004"
    assert records[1]["value"] == "nan"
    assert records[1]["max"] == "inf"
    assert records[1]["std"] == "-inf"


def test_csv_quotes_a_label_with_a_comma() -> None:
    summary = LossSummary("huber", "huber(delta=1.0, x=2)", {}, "sum", 1.0, 1, 1.0, "row")
    text = render_csv(ComputeReport(("a",), 1, 1, 0, (summary,)))
    assert '"huber(delta=1.0, x=2)"' in text
    assert next(csv.DictReader(io.StringIO(text)))["label"] == "huber(delta=1.0, x=2)"


# -- Markdown ----------------------------------------------------------------------------------


def test_markdown_has_the_header_one_row_per_result_and_the_counts() -> None:
    lines = render_markdown(REPORT).splitlines()
    assert lines[0] == "| " + " | ".join(SUMMARY_COLUMNS) + " |"
    assert lines[1] == "| --- | --- | " + " | ".join(["---:"] * 7) + " |"
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 2 + len(REPORT.results)
    assert table[2].startswith("| huber(delta=2.0) | sum_over_batch_size | 0.3 | 1000 |")
    assert "| 0.33333333 |" in table[2]  # 8 significant digits
    assert r"binary_crossentropy \| from_logits [x]" in table[3]  # the pipe cannot split a cell
    assert "| nan |" in table[3] and "| inf |" in table[3]
    assert table[4].startswith("| triplet_semihard_loss † |")
    assert table[5].endswith("| — | — | — | — |")  # dataset scope: no per-row statistics
    assert "rows read 1002, used 1000, skipped 2; probabilities clipped 3" in lines
    assert "† computed per batch of 256 rows" in lines
    assert "2 rows with NaN were skipped" in lines


def test_markdown_without_clipping_or_batches() -> None:
    report = ComputeReport(("a",), 3, 3, 0, (HUBER,))
    text = render_markdown(report)
    assert "clipped" not in text
    assert "†" not in text
    assert text.endswith("\nrows read 3, used 3, skipped 0\n")


# -- rich table --------------------------------------------------------------------------------


def table_text(report: ComputeReport, width: int = 160) -> str:
    console = Console(file=io.StringIO(), width=width)
    render_table(report, console)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_table_shows_the_numbers_the_counts_and_the_batch_footnote() -> None:
    huber = replace(HUBER, min=0.0012345678901, max=12.5)  # everyday numbers: every column fits
    text = table_text(replace(REPORT, results=(huber, BCE, TRIPLET, DICE)))
    assert "preds.parquet, more[1].csv" in text  # the title, markup-like text printed as is
    for summary in (HUBER, TRIPLET, DICE):
        assert f"{summary.value:.8g}" in text
    for number in ("0.33333333", "0.12345679", "1234.5679", "0.0012345679", "12.5", "-inf"):
        assert number in text
    assert "from_logits [x]" in text
    assert "rows read 1002, used 1000, skipped 2; probabilities clipped 3" in text
    assert text.count("†") == 2  # the triplet loss's row and its footnote
    assert "† computed per batch of 256 rows" in text
    assert "2 rows with NaN were skipped" in text
    assert "not shown" not in text
    assert "\x1b[" not in text  # not a terminal: no styling
    assert "…" not in text  # nothing cut short


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120])
def test_a_narrow_table_leaves_out_statistics_never_cuts_a_number(width: int) -> None:
    text = table_text(REPORT, width)
    assert "…" not in text
    assert all(len(line) <= width for line in text.splitlines())
    for number in ("0.3", "0.70710678", "0.12345679"):  # the values are always there
        assert number in text
    assert ("4.9406565e-324" in text) == (width >= 120)
    words = " ".join(text.split())
    assert "std not shown: the terminal is too narrow (use --format json)" in words
    assert "rows read 1002, used 1000, skipped 2; probabilities clipped 3" in words
    assert "† computed per batch of 256 rows" in words


def test_a_wide_table_shows_every_column() -> None:
    assert "not shown" not in table_text(REPORT, 160)


def test_table_marks_each_batch_size_with_its_own_footnote() -> None:
    other = LossSummary(
        "npairs_loss", "npairs_loss", {}, "sum", 1.0, 10, 10.0, "batch", batch_size=32
    )
    text = table_text(ComputeReport(("a",), 10, 10, 0, (TRIPLET, other)))
    assert "† computed per batch of 256 rows" in text
    assert "‡ computed per batch of 32 rows" in text
    assert "npairs_loss ‡" in text


def test_table_caption_omits_clipping_when_none() -> None:
    text = table_text(ComputeReport(("a.csv",), 5, 5, 0, (HUBER,)))
    assert "rows read 5, used 5, skipped 0" in text
    assert "clipped" not in text


# -- dispatch ----------------------------------------------------------------------------------


def test_render_dispatches_every_format() -> None:
    assert render(REPORT, "json") == render_json(REPORT)
    assert render(REPORT, "csv") == render_csv(REPORT)
    assert render(REPORT, "markdown") == render_markdown(REPORT)
    console = Console(file=io.StringIO(), width=120)
    assert render(REPORT, "table", console=console) is None
    assert "computed per batch of 256 rows" in console.file.getvalue()  # type: ignore[attr-defined]
    assert set(FORMATS) == {"table", "json", "csv", "markdown"}


def test_render_rejects_an_unknown_format() -> None:
    with pytest.raises(UsageError, match="unknown output format 'yaml'"):
        render(REPORT, "yaml")


def test_json_csv_and_markdown_do_not_need_rich() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["rich"] = None  # any `import rich...` now raises ImportError
        from losscli.render import render
        from losscli.report import ComputeReport, LossSummary
        s = LossSummary("mse", "mse", {}, "sum", 0.5, 2, 2.0, "row", 0.0, 1.0, 0.25, 0.5)
        report = ComputeReport(("a.csv",), 2, 2, 0, (s,))
        for fmt in ("json", "csv", "markdown"):
            assert render(report, fmt)
        try:
            render(report, "table")
        except ImportError:
            print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"
