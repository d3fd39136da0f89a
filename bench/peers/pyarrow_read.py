"""pyarrow, read only: decode the columns the loss needs, batch by batch, and do nothing else.

A floor for any tool that reads through Arrow: ``ParquetFile.iter_batches`` over the needed
columns, or the streaming ``pyarrow.csv.open_csv`` reader. Prints nothing (no loss value).
"""

from __future__ import annotations

import sys

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

CLASSES = 10


def columns(loss: str) -> list[str]:
    if loss == "scce":
        return ["label", *(f"prob_{k}" for k in range(CLASSES))]
    return ["y_true", "y_pred"]


def main(loss: str, path: str) -> None:
    if path.endswith(".csv"):
        options = pacsv.ConvertOptions(include_columns=columns(loss))
        for _ in pacsv.open_csv(path, convert_options=options):
            pass
        return
    with pq.ParquetFile(path) as parquet:
        for _ in parquet.iter_batches(columns=columns(loss)):
            pass


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
