"""Parallel reading and computing: the same numbers, errors and order as one sequential pass."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from losscli.allocator import keep_freed_buffers
from losscli.io.sources import InputSpec, open_source
from losscli.parallel import default_threads, map_ordered
from tests.cli.conftest import invoke

ROWS = 30_000
ROW_GROUP = 4_000


def _table(rows: int = ROWS, seed: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed)
    y_true = (rng.random(rows) < 0.4).astype(np.float64)
    return pa.table(
        {
            "y_true": y_true,
            "y_pred": np.clip(rng.beta(2, 3, rows), 1e-6, 1 - 1e-6),
            "weight": rng.uniform(0.0, 3.0, rows),
            "region": rng.choice(["north", "south", "east"], rows),
        }
    )


@pytest.fixture(scope="module")
def parquet_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("parallel") / "preds.parquet"
    pq.write_table(_table(), path, row_group_size=ROW_GROUP)
    return path


# ---------------------------------------------------------------------------- map_ordered


def test_results_come_in_input_order_whatever_finishes_first() -> None:
    def slow_for_small(item: int) -> int:
        time.sleep(0.002 * (10 - item))  # the first items finish last
        return item * item

    assert list(map_ordered(slow_for_small, range(10), threads=3)) == [i * i for i in range(10)]


def test_one_thread_runs_on_the_callers_thread() -> None:
    seen = list(map_ordered(lambda _: threading.get_ident(), range(3), threads=1))
    assert seen == [threading.get_ident()] * 3


def test_the_first_error_in_input_order_is_raised() -> None:
    def fail_on_odd(item: int) -> int:
        if item % 2:
            time.sleep(0.01 if item == 1 else 0)  # item 3 fails before item 1 does
            raise ValueError(f"item {item}")
        return item

    results = map_ordered(fail_on_odd, range(6), threads=4)
    assert next(results) == 0
    with pytest.raises(ValueError, match="item 1"):
        next(results)


def test_items_are_taken_no_further_ahead_than_asked() -> None:
    taken: list[int] = []

    def items():
        for item in range(100):
            taken.append(item)
            yield item

    results = map_ordered(lambda item: item, items(), threads=2, ahead=3)
    assert next(results) == 0
    assert len(taken) <= 3
    results.close()  # stopping early cancels the rest and returns
    assert len(taken) <= 4


def test_default_threads_is_at_least_one() -> None:
    assert default_threads() >= 1


def test_the_allocator_tuning_is_idempotent() -> None:
    assert keep_freed_buffers() == keep_freed_buffers()


# ---------------------------------------------------------------------------- parts


def test_parquet_parts_are_its_row_groups_with_their_first_rows(parquet_file: Path) -> None:
    with open_source(InputSpec((str(parquet_file),), batch_size=1_500)) as source:
        parts = list(source.parts(["y_pred", "y_true"]))
        assert [part.offset for part in parts] == list(range(0, ROWS, ROW_GROUP))
        assert [part.rows for part in parts] == [ROW_GROUP] * 7 + [ROWS - 7 * ROW_GROUP]
        tables = [pa.Table.from_batches(list(part.read())) for part in reversed(parts)]
        assert all(b.num_rows <= 1_500 for t in tables for b in t.to_batches())
    joined = pa.concat_tables(reversed(tables))
    assert joined.column_names == ["y_pred", "y_true"]
    assert joined.equals(pq.read_table(parquet_file, columns=["y_pred", "y_true"]))


def test_without_row_groups_each_batch_is_a_part(parquet_file: Path, tmp_path: Path) -> None:
    csv_path = tmp_path / "preds.csv"
    pacsv.write_csv(_table(5_000), csv_path)
    for path, split in ((parquet_file, False),):
        with open_source(InputSpec((str(path),), batch_size=1_000)) as source:
            parts = list(source.parts(["y_true"], split=split))
        offsets = np.cumsum([0] + [part.rows for part in parts[:-1]])
        assert [part.offset for part in parts] == offsets.tolist()
        assert all(part.rows <= 1_000 for part in parts)


def test_parts_of_several_files_number_rows_across_files(tmp_path: Path) -> None:
    for index in range(3):
        pq.write_table(
            _table(2_500, seed=index), tmp_path / f"p{index}.parquet", row_group_size=1_000
        )
    with open_source(InputSpec((str(tmp_path),))) as source:
        parts = list(source.parts(["y_true"]))
    assert [part.offset for part in parts] == [0, 1000, 2000, 2500, 3500, 4500, 5000, 6000, 7000]


# ---------------------------------------------------------------------------- commands


def _compute(*args: str) -> dict:
    result = invoke("compute", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "losses",
    [
        ("mse", "bce", "huber:delta=0.3", "binary_focal_crossentropy"),
        ("hinge", "poisson", "dice"),
    ],
)
def test_threads_do_not_change_compute(parquet_file: Path, losses: tuple[str, ...]) -> None:
    options = [arg for loss in losses for arg in ("-l", loss)]
    options += ["--sample-weight", "weight", "--reduction", "mean_with_sample_weight"]
    one = _compute(*options, "--threads", "1", "--batch-size", "999", str(parquet_file))
    two = _compute(*options, "--threads", "2", "--batch-size", "999", str(parquet_file))
    four = _compute(*options, "--threads", "4", str(parquet_file))
    for a, b, c in zip(one["results"], two["results"], four["results"], strict=True):
        assert a["value"] == pytest.approx(b["value"], rel=1e-12)
        assert a["value"] == pytest.approx(c["value"], rel=1e-12)
        assert (a["rows"], a["min"], a["max"]) == (c["rows"], c["min"], c["max"])


def test_per_sample_rows_keep_their_order_with_threads(parquet_file: Path) -> None:
    args = ["compute", "-l", "bce", "--reduction", "none", "--batch-size", "700"]
    one = invoke(*args, "--threads", "1", str(parquet_file))
    four = invoke(*args, "--threads", "4", str(parquet_file))
    assert one.exit_code == four.exit_code == 0
    assert one.stdout == four.stdout
    assert len(four.stdout.splitlines()) == ROWS + 1


def test_the_error_names_the_same_row_with_threads(tmp_path: Path) -> None:
    table = _table()
    y_pred = table["y_pred"].to_numpy().copy()
    y_pred[[9_123, 21_000]] = np.nan  # in the third and the sixth row groups
    path = tmp_path / "nan.parquet"
    pq.write_table(table.set_column(1, "y_pred", pa.array(y_pred)), path, row_group_size=ROW_GROUP)
    messages = set()
    for threads in ("1", "2", "3"):
        result = invoke("compute", "-l", "mse", "--threads", threads, str(path))
        assert result.exit_code == 3
        messages.add(result.stderr)
    assert len(messages) == 1
    assert "the first at row 9123" in messages.pop()


def test_evaluate_and_its_intervals_do_not_depend_on_parts(
    parquet_file: Path, tmp_path: Path
) -> None:
    """Row groups on two threads give what one CSV stream in other batches gives.

    The bootstrap weights are keyed by row position, so this fails if a part is given the
    wrong first row.
    """
    csv_path = tmp_path / "same.csv"
    pacsv.write_csv(pq.read_table(parquet_file), csv_path)
    args = ["evaluate", "--format", "json", "-l", "mse", "-l", "bce", "--group-by", "region"]
    args += ["--ci", "0.9", "--replicates", "200", "--sample-weight", "weight"]
    one = invoke(*args, "--threads", "1", "--batch-size", "1234", str(csv_path))
    two = invoke(*args, "--threads", "2", str(parquet_file))
    assert one.exit_code == two.exit_code == 0, one.stderr + two.stderr
    first, second = json.loads(one.stdout), json.loads(two.stdout)
    first.pop("inputs", None), second.pop("inputs", None)
    assert _numbers(first) == pytest.approx(_numbers(second), rel=1e-10)


def _numbers(document: object) -> list[float]:
    """Every number in a JSON document, in order."""
    if isinstance(document, bool) or document is None or isinstance(document, str):
        return []
    if isinstance(document, (int, float)):
        return [float(document)]
    if isinstance(document, dict):
        return [n for value in document.values() for n in _numbers(value)]
    if isinstance(document, list):
        return [n for value in document for n in _numbers(value)]
    return []
