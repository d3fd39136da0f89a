"""Fuzzed training logs through ``losscli curve``.

Logs of random length with NaN, inf, nulls, extreme values, odd epoch columns and extra
columns of any type: the command reports (exit 0) or refuses with one error line (2 or 3);
a report echoes the drawn series and its best epoch holds the best finite value.
"""

from __future__ import annotations

import csv
import math
import tempfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from hypothesis import event, given
from hypothesis import strategies as st

from tests.cli.conftest import invoke
from tests.fuzz.budget import budget
from tests.fuzz.oracle import as_number, check_numbers, check_outcome
from tests.fuzz.scenarios import NUMERIC, ODD
from tests.fuzz.tables import Column, Table, columns, csv_cell, names

EPOCHS = ("range", "none", "drawn")


@st.composite
def logs(draw: st.DrawFn) -> tuple[Table, str]:
    """A training log (loss, often val_loss, maybe an epoch column and extras) and a format."""
    rows = draw(st.integers(0, 30))
    kinds = draw(st.sampled_from([("float64", "float32"), NUMERIC, NUMERIC + ODD]))
    metrics = ["loss", *draw(st.sampled_from([["val_loss"], [], ["val_loss", "accuracy"]]))]
    extra = draw(
        st.lists(names, max_size=2, unique=True).map(
            lambda n: [x for x in n if x not in metrics and x != "epoch"]
        )
    )
    drawn = [draw(columns(name, rows, kinds)) for name in [*metrics, *extra]]
    epochs = draw(st.sampled_from(EPOCHS))
    if epochs == "range":
        drawn.insert(0, Column("epoch", "int64", tuple(range(rows))))
    elif epochs == "drawn":
        drawn.insert(0, draw(columns("epoch", rows, ("int64", "float64", "int8", "null"))))
    return Table(tuple(drawn)), draw(st.sampled_from(["csv", "parquet"]))


def write(table: Table, file_format: str, directory: Path) -> Path:
    path = directory / f"log.{file_format}"
    if file_format == "parquet":
        pq.write_table(table.arrow(), path)
        return path
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.name for c in table.columns])
        for row in range(table.rows):
            writer.writerow([csv_cell(c.values[row]) for c in table.columns])
    return path


def check_report(table: Table, document: dict) -> None:
    """Series as drawn (when epochs are 0..n-1), and the best value the best finite one."""
    names_ = [c.name for c in table.columns]
    plain = "epoch" not in names_ or table.column("epoch").values == tuple(range(table.rows))
    if plain:
        for name, series in document["series"].items():
            drawn = table.column(name).floats()
            if drawn is None:  # text a CSV reader may read as numbers or nulls: unchecked
                continue
            got = np.array([math.nan if v is None else as_number(v) for v in series])
            np.testing.assert_array_equal(got, drawn)
    best = (document.get("findings") or {}).get("best")
    if best and plain and document["mode"] == "min":
        values = table.column(best["column"]).floats()
        if values is not None:
            assert as_number(best["value"]) == values[np.isfinite(values)].min()


@budget(60)
@given(log=logs())
def test_fuzzed_training_logs(log: tuple[Table, str]) -> None:
    table, file_format = log
    with tempfile.TemporaryDirectory() as directory:
        path = write(table, file_format, Path(directory))
        result = invoke("curve", "--format", "json", "-q", str(path))
    check_outcome(result)
    event(f"curve exit {result.exit_code}")
    if result.exit_code == 0:
        # The series echo the log, NaN included; only the findings must be finite.
        document = check_numbers(result.stdout, nonfinite_allowed=True)
        check_report(table, document)
