"""Seeded data files for the peers benchmark (bench/bench_peers.py).

Each file is described by a :class:`Spec` (what it holds, how many rows, the seed). A small
JSON sidecar beside the file records the spec it was written from, so a file is written once
and rewritten only when its shape, seed or this generator's layout changed.

Only the writers import NumPy and pyarrow, so the harness can import the specs and names
without them (it stays small, and the timed processes' peak RSS is theirs alone).

Run: python bench/datagen.py DIR KIND:ROWS [KIND:ROWS ...] [--seed N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

# Bump when a writer changes what it writes, so old files are regenerated.
LAYOUT = 1
KINDS = ("mse", "bce", "scce", "mse-csv")
CLASSES = 10
CHUNK = 2_000_000  # rows generated and written at a time: bounds the generator's memory
ROW_GROUP = 1_000_000


@dataclass(frozen=True)
class Spec:
    """One data file: ``kind`` (see KINDS), its row count and the seed it is drawn from."""

    kind: str
    rows: int
    seed: int = 0

    @property
    def filename(self) -> str:
        suffix = "csv" if self.kind.endswith("-csv") else "parquet"
        return f"peers-{self.kind.removesuffix('-csv')}-{self.rows}.{suffix}"

    def sidecar(self) -> dict[str, object]:
        return {**asdict(self), "layout": LAYOUT}


def parse_spec(text: str, seed: int = 0) -> Spec:
    """``"mse:50000000"`` -> Spec("mse", 50000000, seed)."""
    kind, _, rows = text.partition(":")
    if kind not in KINDS or not rows.isdigit() or int(rows) < 1:
        raise ValueError(f"expected KIND:ROWS with KIND in {KINDS}, got {text!r}")
    return Spec(kind, int(rows), seed)


def ensure(directory: Path, spec: Spec) -> Path:
    """The file of ``spec`` under ``directory``, written unless an identical one is there."""
    path = directory / spec.filename
    stamp = path.with_name(path.name + ".spec.json")
    if path.exists() and stamp.exists() and json.loads(stamp.read_text()) == spec.sidecar():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    start = time.perf_counter()
    partial = path.with_name(path.name + ".partial")
    write(spec, partial)
    partial.replace(path)
    stamp.write_text(json.dumps(spec.sidecar()) + "\n")
    elapsed = time.perf_counter() - start
    print(f"wrote {path} ({path.stat().st_size / 1e6:.0f} MB, {elapsed:.1f} s)", flush=True)
    return path


def write(spec: Spec, path: Path) -> None:
    """Write the rows of ``spec`` to ``path`` in chunks (Parquet row groups of 1M rows)."""
    import numpy as np
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    # One independent stream per kind, so changing one kind's shape leaves the others alone.
    rng = np.random.default_rng([spec.seed, KINDS.index(spec.kind)])
    chunks = (
        chunk_table(spec.kind, min(CHUNK, spec.rows - start), rng)
        for start in range(0, spec.rows, CHUNK)
    )
    first = next(chunks)
    if spec.kind.endswith("-csv"):
        with pacsv.CSVWriter(str(path), first.schema) as writer:
            writer.write_table(first)
            for table in chunks:
                writer.write_table(table)
        return
    with pq.ParquetWriter(path, first.schema) as writer:
        writer.write_table(first, row_group_size=ROW_GROUP)
        for table in chunks:
            writer.write_table(table, row_group_size=ROW_GROUP)


def chunk_table(kind: str, n: int, rng):  # -> pyarrow.Table (pyarrow is imported lazily)
    """``n`` rows of ``kind``.

    - mse, mse-csv: float64 ``y_true`` ~ N(0, 1), ``y_pred`` = y_true + N(0, 0.3);
    - bce: float64 ``y_true`` in {0, 1}, ``y_pred`` a probability in (0, 1) that leans
      towards the label (the sigmoid of a noisy logit);
    - scce: int64 ``label`` in 0..9 and float32 ``prob_0..prob_9``, a softmax that favours
      the label, renormalized in float32 so each row sums to 1.
    """
    import numpy as np
    import pyarrow as pa

    if kind in ("mse", "mse-csv"):
        y = rng.normal(size=n)
        return pa.table({"y_true": y, "y_pred": y + rng.normal(scale=0.3, size=n)})
    if kind == "bce":
        y = rng.integers(0, 2, size=n).astype(np.float64)
        logit = (2 * y - 1) * 1.5 + rng.normal(scale=2.0, size=n)
        return pa.table({"y_true": y, "y_pred": 1 / (1 + np.exp(-logit))})
    label = rng.integers(0, CLASSES, size=n)
    logits = rng.normal(size=(n, CLASSES))
    logits[np.arange(n), label] += 2.0
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = (probs / probs.sum(axis=1, keepdims=True)).astype(np.float32)
    probs /= probs.sum(axis=1, keepdims=True, dtype=np.float32)
    columns = {f"prob_{k}": probs[:, k] for k in range(CLASSES)}
    return pa.table({"label": label, **columns})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("specs", nargs="+", metavar="KIND:ROWS")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        specs = [parse_spec(text, args.seed) for text in args.specs]
    except ValueError as error:
        parser.error(str(error))
    for spec in specs:
        ensure(args.directory, spec)


if __name__ == "__main__":
    sys.exit(main())
