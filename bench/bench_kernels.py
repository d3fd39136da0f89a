"""Benchmark the Python API's loss computation against plain NumPy baselines, same run.

Each row times ``losscli.compute`` (validation, float32 Keras arithmetic, float64 sums) and a
baseline written the obvious way in NumPy on the same in-memory arrays, and reports medians
and their ratio. The baselines are what a user would type; for sparse cross-entropy the
baseline is Keras's own formulation (log of every class times a one-hot mask), which shows
what gathering the true class before the log saves.

Run: make bench-kernels   (rewrites its section of docs/benchmarks.md; --rows changes the size)
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from bench_stream import DOCS, replace_section

import losscli

MARKER = "## Loss kernels through the Python API"


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up: page in the arrays, import lazily loaded code
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cases(rows: int, rng: np.random.Generator) -> list[tuple[str, Callable, Callable]]:
    y = rng.normal(size=(rows, 1)).astype(np.float32)
    p = (y + rng.normal(scale=0.3, size=(rows, 1))).astype(np.float32)
    labels = rng.integers(0, 2, size=(rows, 1)).astype(np.float32)
    probs = rng.uniform(0.001, 0.999, size=(rows, 1)).astype(np.float32)
    classes = 10
    crow = rows // 4
    sparse = rng.integers(0, classes, size=crow)
    dist = rng.dirichlet(np.ones(classes), size=crow).astype(np.float32)

    def mse_baseline() -> float:
        return float(np.mean((y.astype(np.float64) - p) ** 2))

    def huber_baseline() -> float:
        e = np.abs(p.astype(np.float64) - y)
        return float(np.mean(np.where(e <= 1.0, 0.5 * e**2, e - 0.5)))

    def bce_baseline() -> float:
        q = np.clip(probs.astype(np.float64), 1e-7, 1 - 1e-7)
        return float(np.mean(-(labels * np.log(q) + (1 - labels) * np.log(1 - q))))

    def scce_keras_style() -> float:
        q = np.clip(dist / dist.sum(axis=1, keepdims=True), 1e-7, 1 - 1e-7)
        one_hot = np.eye(classes, dtype=np.float32)[sparse]
        return float(np.mean(-np.sum(one_hot * np.log(q), axis=1)))

    return [
        (f"mse, {rows:,} rows", lambda: losscli.compute("mse", y, p), mse_baseline),
        (f"huber, {rows:,} rows", lambda: losscli.compute("huber", y, p), huber_baseline),
        (f"bce, {rows:,} rows", lambda: losscli.compute("bce", labels, probs), bce_baseline),
        (
            f"sparse CE, {crow:,} rows x {classes} classes",
            lambda: losscli.compute("sparse_categorical_crossentropy", sparse, dist),
            scce_keras_style,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--output", type=Path, default=DOCS)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    lines = [
        "| work | losscli.compute | NumPy baseline | ratio (baseline / losscli) |",
        "|---|---|---|---|",
    ]
    for name, ours, baseline in cases(args.rows, rng):
        t_ours = median_seconds(ours, args.repeats)
        t_base = median_seconds(baseline, args.repeats)
        lines.append(
            f"| {name} | {t_ours * 1e3:.1f} ms | {t_base * 1e3:.1f} ms | {t_base / t_ours:.2f} |"
        )
        print(lines[-1], flush=True)

    environment = (
        f"Python {platform.python_version()}, NumPy {np.__version__}, {os.cpu_count()} cores, "
        f"{platform.machine()}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}"
    )
    section = "\n".join(
        [
            f"{MARKER} (`make bench-kernels`)",
            "",
            f"`python {' '.join(sys.argv)}` — medians of {args.repeats} runs after a warm-up, "
            "in one process, in-memory float32 arrays. The baseline is the obvious NumPy "
            "expression (float64, no validation); for sparse cross-entropy it is Keras's "
            "formulation (log of every class times a one-hot mask).",
            "",
            environment,
            "",
            *lines,
            "",
        ]
    )
    text = args.output.read_text() if args.output.exists() else "# Benchmarks\n\n"
    args.output.write_text(replace_section(text, MARKER, section))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
