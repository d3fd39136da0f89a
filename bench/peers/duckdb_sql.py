"""DuckDB: one SQL aggregate straight over the file (``FROM 'file.parquet'``)."""

from __future__ import annotations

import sys

import duckdb

CLASSES = 10
CLIP = "greatest(least({}, 1 - 1e-7), 1e-7)"


def query(loss: str, path: str) -> str:
    """The SQL computing ``loss`` over the file at ``path``."""
    source = "'" + path.replace("'", "''") + "'"
    if loss == "mse":
        return f"SELECT avg((y_true - y_pred) ^ 2) FROM {source}"
    if loss == "bce":
        p = CLIP.format("y_pred")
        return f"SELECT avg(-(y_true * ln({p}) + (1 - y_true) * ln(1 - {p}))) FROM {source}"
    cases = " ".join(f"WHEN {k} THEN prob_{k}" for k in range(CLASSES))
    p = CLIP.format(f"CASE label {cases} END")
    return f"SELECT avg(-ln({p})) FROM {source}"


def main(loss: str, path: str) -> float:
    row = duckdb.execute(query(loss, path)).fetchone()
    assert row is not None
    return float(row[0])


if __name__ == "__main__":
    print(repr(main(sys.argv[1], sys.argv[2])))
