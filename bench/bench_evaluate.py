"""Benchmark `losscli evaluate` (3 losses, a group-by, 95% bootstrap intervals) against
`losscli compute` with one loss, on the same 10M-row Parquet file, as whole processes.

Run: python bench/bench_evaluate.py [--rows 10000000] [--repeats 3]   (results go to
docs/benchmarks.md). The data file is generated once (seeded) under bench/data/.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from bench_stream import DOCS, measure, replace_section

HERE = Path(__file__).resolve().parent
MARKER = "## evaluate with slices and bootstrap intervals"

MAKE = """
import sys, numpy as np, pyarrow as pa, pyarrow.parquet as pq
rows, path = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(0)
schema = pa.schema([("y_true", pa.float64()), ("y_pred", pa.float64()), ("region", pa.string())])
with pq.ParquetWriter(path, schema) as writer:
    for start in range(0, rows, 2_000_000):
        n = min(2_000_000, rows - start)
        y = rng.normal(size=n)
        region = rng.choice(["north", "south", "east", "west", "centre"], n)
        writer.write_table(pa.table({"y_true": y, "y_pred": y + rng.normal(scale=0.3, size=n),
                                     "region": region}, schema=schema), row_group_size=1_000_000)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, default=DOCS)
    args = parser.parse_args()
    data = HERE / "data" / f"evaluate_{args.rows}.parquet"
    data.parent.mkdir(exist_ok=True)
    if not data.exists():
        subprocess.run([sys.executable, "-c", MAKE, str(args.rows), str(data)], check=True)
    losscli = str(Path(sys.executable).parent / "losscli")
    commands = {
        "compute -l mse": [losscli, "compute", "-l", "mse", "--format", "json", str(data)],
        "evaluate -l mse -l mae -l huber --group-by region --ci 0.95 (1000 replicates)": [
            *(losscli, "evaluate", "-l", "mse", "-l", "mae", "-l", "huber"),
            *("--group-by", "region", "--ci", "0.95", "--format", "json", str(data)),
        ],
        "evaluate -l mse -l mae -l huber --group-by region (no intervals)": [
            *(losscli, "evaluate", "-l", "mse", "-l", "mae", "-l", "huber"),
            *("--group-by", "region", "--format", "json", str(data)),
        ],
    }
    results = {}
    for name, command in commands.items():
        runs = [measure(command) for _ in range(args.repeats)]
        results[name] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs))
        print(f"{name}: {results[name][0]:.2f} s, {results[name][1]:.0f} MB", flush=True)
    reference = results["compute -l mse"][0]
    lines = [
        MARKER,
        "",
        f"`python bench/bench_evaluate.py --rows {args.rows} --repeats {args.repeats}`: "
        f"{args.rows:,} rows (two float64 columns and a 5-value string column), whole processes, "
        f"median wall time of {args.repeats} runs and the largest peak RSS, one run of this "
        "machine (2 cores, shared).",
        "",
        "| command | median wall | peak RSS | time / compute -l mse |",
        "|---|---|---|---|",
        *(
            f"| `losscli {name}` | {wall:.2f} s | {rss:.0f} MB | {wall / reference:.1f} |"
            for name, (wall, rss) in results.items()
        ),
        "",
        "The bootstrap's cost is drawing 1000 Poisson weights per row (16-bit uniforms through "
        "a quantile table) and one matrix product per batch shared by every loss and slice.",
        "",
    ]
    args.output.write_text(replace_section(args.output.read_text(), MARKER, "\n".join(lines)))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
