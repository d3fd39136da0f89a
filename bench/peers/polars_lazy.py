"""polars, lazy: ``scan_parquet``/``scan_csv``, one ``select`` of the loss, ``collect``."""

from __future__ import annotations

import sys

import polars as pl

EPSILON = 1e-7
CLASSES = 10


def expression(loss: str) -> pl.Expr:
    """The polars expression of ``loss`` (a mean over rows)."""
    if loss == "mse":
        return ((pl.col("y_true") - pl.col("y_pred")) ** 2).mean()
    if loss == "bce":
        p = pl.col("y_pred").clip(EPSILON, 1 - EPSILON)
        y = pl.col("y_true")
        return (-(y * p.log() + (1 - y) * (1 - p).log())).mean()
    chosen = pl.coalesce(
        [pl.when(pl.col("label") == k).then(pl.col(f"prob_{k}")) for k in range(CLASSES)]
    )
    return (-chosen.cast(pl.Float64).clip(EPSILON, 1 - EPSILON).log()).mean()


def main(loss: str, path: str) -> float:
    frame = pl.scan_csv(path) if path.endswith(".csv") else pl.scan_parquet(path)
    return float(frame.select(expression(loss)).collect().item())


if __name__ == "__main__":
    print(repr(main(sys.argv[1], sys.argv[2])))
