"""Benchmark start-up: whole-process wall time of short losscli commands against Python itself.

Each row is the median of several runs of a fresh ``python`` process (stdout to a pipe), so it
includes interpreter start-up and every import. The baselines are ``python -c pass`` and
``python -c "import numpy, pyarrow.csv"`` (what computing a loss on a CSV file cannot avoid).
The machine is shared and noisy: compare ratios within one run, not across runs.

Run: python bench/bench_startup.py [--repeats 7] [--pythonpath DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_csv(path: Path, rows: int) -> None:
    """A regression CSV of ``rows`` rows (y_true, y_pred)."""
    rng = random.Random(0)
    lines = ["y_true,y_pred"]
    for _ in range(rows):
        value = rng.random()
        lines.append(f"{value:.6f},{value + rng.gauss(0, 0.1):.6f}")
    path.write_text("\n".join(lines) + "\n")


def median_seconds(argv: list[str], env: dict[str, str], repeats: int) -> float:
    """The median wall time of ``argv`` after one warm-up run (page cache, .pyc files)."""
    subprocess.run(argv, env=env, capture_output=True, check=True)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--pythonpath", default=str(ROOT), help="where losscli is imported from")
    args = parser.parse_args()

    env = {**os.environ, "PYTHONPATH": args.pythonpath}
    # Measure what an installed losscli costs: with PYTHONDONTWRITEBYTECODE set, every run would
    # compile losscli from source (~50 ms). The bytecode goes to a temporary prefix, not the tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        csv = Path(tmp) / "small.csv"
        write_csv(csv, args.rows)
        cases = [
            ("python -c pass", [python, "-c", "pass"]),
            ("python -c 'import numpy, pyarrow.csv'", [python, "-c", "import numpy, pyarrow.csv"]),
            ("losscli --help", [python, "-m", "losscli", "--help"]),
            ("losscli list", [python, "-m", "losscli", "list"]),
            ("losscli compute --help", [python, "-m", "losscli", "compute", "--help"]),
            (
                f"losscli compute -l mse ({args.rows:,}-row CSV)",
                [python, "-m", "losscli", "compute", "-l", "mse", str(csv)],
            ),
        ]
        print(f"medians of {args.repeats} runs, losscli from {args.pythonpath}")
        print("| command | median wall |")
        print("|---|---|")
        for label, argv in cases:
            seconds = median_seconds(argv, env, args.repeats)
            print(f"| {label} | {seconds * 1000:.0f} ms |", flush=True)


if __name__ == "__main__":
    main()
