"""Measure ``--engine dask`` against the local engine, and what one task sends over the network.

    python bench/bench_dask.py [--files 50] [--rows-per-file 1000000] [--data DIR]

It writes a dataset of ``files`` Parquet files (y_true, y_pred; 4 row groups each) once, then
times ``losscli compute -l mse -l bce`` over it: the local engine, then ``--engine dask`` on a
cluster of 1 and of 2 single-threaded worker processes (started before the clock starts, as an
existing cluster would be). It measures the pickled size of one task's state for parts of
growing size (it must not grow with rows) and the time of one merge, then projects the time of
10 billion rows on 100 workers from the measured per-worker rate (a model, printed as such).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
LOSSES = ["-l", "mse", "-l", "bce"]


def make_dataset(directory: Path, files: int, rows: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for index in range(files):
        path = directory / f"part-{index:03d}.parquet"
        if path.exists():
            continue
        table = pa.table(
            {"y_true": rng.integers(0, 2, rows).astype(np.float64), "y_pred": rng.random(rows)}
        )
        pq.write_table(table, path, row_group_size=max(1, rows // 4))


def run(*args: str) -> tuple[float, dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "losscli", "compute", "-q", "--format", "json", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return time.perf_counter() - start, json.loads(done.stdout)


def state_sizes(path: Path) -> list[tuple[int, int]]:
    """(rows, pickled bytes) of the state of parts of growing size."""
    from losscli.cli.options import parse_losses
    from losscli.io.columns import ColumnSpec
    from losscli.io.sources import Part
    from losscli.pipeline import ComputeOptions, DatasetComputation, make_jobs

    table = pq.read_table(path)
    computation = DatasetComputation(
        make_jobs(parse_losses(["mse", "bce"], ())),
        ColumnSpec(("y_true",), ("y_pred",)),
        ComputeOptions(),
    )
    sizes = []
    for rows in (1_000, 100_000, table.num_rows):
        piece = table.slice(0, rows)
        progress = computation.compute_part(Part(0, rows, lambda p=piece: iter(p.to_batches())))
        sizes.append((rows, len(pickle.dumps(progress))))
    return sizes


def merge_seconds(path: Path) -> float:
    """Seconds of one merge of two task states (the tree's unit of work)."""
    from losscli.cli.options import parse_losses
    from losscli.distributed.tasks import merge_progress
    from losscli.io.columns import ColumnSpec
    from losscli.io.sources import Part
    from losscli.pipeline import ComputeOptions, DatasetComputation, make_jobs

    table = pq.read_table(path).slice(0, 10_000)
    computation = DatasetComputation(
        make_jobs(parse_losses(["mse", "bce"], ())),
        ColumnSpec(("y_true",), ("y_pred",)),
        ComputeOptions(),
    )
    state = computation.compute_part(Part(0, 10_000, lambda: iter(table.to_batches())))
    loops = 2_000
    start = time.perf_counter()
    for _ in range(loops):
        merge_progress(state, state)
    return (time.perf_counter() - start) / loops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--rows-per-file", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/losscli-bench-dask"))
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    make_dataset(args.data, args.files, args.rows_per_file)
    total = args.files * args.rows_per_file
    data = str(args.data)

    rows_out = []
    seconds, local = run(*LOSSES, data)
    rows_out.append(("local engine (2 threads)", seconds))
    from distributed import LocalCluster

    per_worker = {}
    for workers in (1, 2):
        with LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
            env={"PYTHONPATH": str(ROOT)},
        ) as cluster:
            seconds, result = run(
                *LOSSES, "--engine", "dask", "--scheduler", cluster.scheduler_address, data
            )
        for ours, theirs in zip(result["results"], local["results"], strict=True):
            assert abs(ours["value"] - theirs["value"]) <= 1e-12 * abs(theirs["value"])
        rows_out.append((f"--engine dask, {workers} worker(s)", seconds))
        per_worker[workers] = total / seconds / workers

    print(f"{total:,} rows in {args.files} Parquet files, losses mse + bce\n")
    print("| engine | seconds | rows/s |")
    print("|---|---:|---:|")
    for name, seconds in rows_out:
        print(f"| {name} | {seconds:.2f} | {total / seconds:,.0f} |")

    first = sorted(args.data.glob("*.parquet"))[0]
    print("\n| rows in the task's part | pickled state (bytes) |")
    print("|---:|---:|")
    for rows, size in state_sizes(first):
        print(f"| {rows:,} | {size:,} |")
    merge = merge_seconds(first)
    print(f"\none merge of two task states: {merge * 1e6:.0f} µs")

    rate = per_worker[1]
    target, workers, task_rows = 10_000_000_000, 100, 1_000_000
    tasks = target // task_rows
    compute = target / (rate * workers)
    levels = int(np.ceil(np.log2(tasks)))
    merging = tasks / workers * merge + levels * merge
    print(
        f"\nmodel: 10e9 rows on {workers} workers at {rate:,.0f} rows/s per worker "
        f"(measured, 1 worker, includes the command's start): {compute:,.0f} s computing + "
        f"{tasks:,} merges ({merging:.2f} s spread over the workers, {levels} levels) "
        f"= about {compute + merging:,.0f} s"
    )


if __name__ == "__main__":
    main()
