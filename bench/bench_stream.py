"""Benchmark `losscli compute` on a large Parquet file: wall time and peak memory.

Each run is a whole process (start-up included), timed with its peak resident set size from
``os.wait4``. Baselines measured in the same run on the same file:

- ``pyarrow read``: only decoding the two columns with ``ParquetFile.iter_batches``;
- ``naive loop``: the obvious hand-written pyarrow + NumPy loop (default ``ParquetFile``
  options, float64 arithmetic).

Run: make bench-stream   (or python bench/bench_stream.py --rows 50000000 --repeats 5)
The data file is generated once (seeded) under bench/data/, which git ignores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs" / "benchmarks.md"
MARKER = "## Streaming a large Parquet file"

READ_ONLY = """
import sys, pyarrow.parquet as pq
with pq.ParquetFile(sys.argv[1], pre_buffer=False) as f:
    for batch in f.iter_batches(batch_size=65536, columns=["y_true", "y_pred"]):
        pass
"""
NAIVE = """
import sys, numpy as np, pyarrow.parquet as pq
total = 0.0
count = 0
with pq.ParquetFile(sys.argv[1]) as f:
    for batch in f.iter_batches(columns=["y_true", "y_pred"]):
        y = batch.column(0).to_numpy()
        p = batch.column(1).to_numpy()
        total += float(np.sum((y - p) ** 2))
        count += len(y)
print(total / count)
"""


def make_file(path: Path, rows: int) -> None:
    """Two float64 columns, row groups of 1M rows, written in 5M-row chunks."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    schema = pa.schema([("y_true", pa.float64()), ("y_pred", pa.float64())])
    chunk = 5_000_000
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            y = rng.normal(size=n)
            writer.write_table(
                pa.table({"y_true": y, "y_pred": y + rng.normal(scale=0.3, size=n)}),
                row_group_size=1_000_000,
            )


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one process.

    A child's peak RSS starts from its parent's at fork, so this process stays small: it
    never imports NumPy or pyarrow (the data file is written by a child process).
    """
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(
            f"{command} failed: {process.stderr.read().decode() if process.stderr else ''}"
        )
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", type=Path, default=DOCS)
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        make_file(args.make, args.rows)
        return

    data = HERE / "data" / f"mse_{args.rows}.parquet"
    data.parent.mkdir(exist_ok=True)
    if not data.exists():
        print(f"writing {data} ...", flush=True)
        subprocess.run(
            [sys.executable, __file__, "--make", str(data), "--rows", str(args.rows)], check=True
        )
    losscli = str(Path(sys.executable).parent / "losscli")
    commands = {
        "losscli compute -l mse": [losscli, "compute", "-l", "mse", "--format", "json", str(data)],
        "losscli compute -l mse -l mae -l huber -l log_cosh (one pass)": [
            losscli,
            "compute",
            "-l",
            "mse",
            "-l",
            "mae",
            "-l",
            "huber",
            "-l",
            "log_cosh",
            "--format",
            "json",
            str(data),
        ],
        "baseline: pyarrow read only": [sys.executable, "-c", READ_ONLY, str(data)],
        "baseline: naive pyarrow + NumPy loop": [sys.executable, "-c", NAIVE, str(data)],
    }
    results: dict[str, tuple[float, float]] = {}
    for name, command in commands.items():
        runs = [measure(command) for _ in range(args.repeats)]
        results[name] = (
            statistics.median(r[0] for r in runs),
            max(r[1] for r in runs),
        )
        print(f"{name}: {results[name][0]:.2f} s, {results[name][1]:.0f} MB", flush=True)

    reference = results["losscli compute -l mse"][0]
    lines = [
        MARKER,
        "",
        f"`python bench/bench_stream.py --rows {args.rows} --repeats {args.repeats}`: a "
        f"{args.rows:,}-row Parquet file of two float64 columns "
        f"({data.stat().st_size / 1e6:.0f} MB, row groups of 1M rows), whole processes "
        f"(start-up included), warm page cache, median wall time of {args.repeats} runs and "
        "the largest peak RSS. Measured on this project's 2-core machine; the machine is "
        "shared, so compare ratios within one run.",
        "",
        "| command | median wall | peak RSS | time / losscli mse |",
        "|---|---|---|---|",
        *(
            f"| {name} | {wall:.2f} s | {rss:.0f} MB | {wall / reference:.2f} |"
            for name, (wall, rss) in results.items()
        ),
        "",
    ]
    text = args.output.read_text() if args.output.exists() else "# Benchmarks\n\n"
    args.output.write_text(replace_section(text, MARKER, "\n".join(lines)))
    print(f"wrote {args.output}")


def replace_section(text: str, marker: str, section: str) -> str:
    """``text`` with the section headed ``marker`` replaced (or appended); others kept."""
    if marker not in text:
        return text.rstrip() + "\n\n" + section
    before, _, rest = text.partition(marker)
    following = rest.find("\n## ")
    after = rest[following:] if following >= 0 else ""
    return before.rstrip() + "\n\n" + section.rstrip() + "\n" + after


if __name__ == "__main__":
    main()
