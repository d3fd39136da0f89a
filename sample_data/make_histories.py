"""Regenerate the sample training logs (seeded: the same bytes every time).

Run from the repository root: python sample_data/make_histories.py

The CSV files are written as Keras's ``CSVLogger`` writes them: columns ``epoch`` (from 0) and
the logged metrics in sorted order, by Python's ``csv`` module with the excel dialect (CRLF line
ends), each value the Python float of a float32 metric, NaN as ``nan``.

- history.csv: a healthy 30-epoch run of a 10-class classifier; loss and val_loss fall with
  noise, accuracy and val_accuracy rise.
- history.jsonl: the same run as JSON Lines with the same keys.
- history_nan.csv: a learning rate too high: the loss improves for a few epochs, then blows up
  (more than 10x its best by epoch 9) and is NaN from epoch 12 on; accuracy falls to chance.
- history_overfit.csv: validation loss is best around epoch 12 and rises after it while the
  training loss keeps falling; val_accuracy peaks and slips.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
KEYS = ("accuracy", "loss", "val_accuracy", "val_loss")  # CSVLogger sorts the log keys

Log = dict[str, list[float]]


def as_logged(values: np.ndarray | list[float]) -> list[float]:
    """What Keras logs: the Python float of each float32 metric."""
    return [float(value) for value in np.asarray(values, dtype=np.float32)]


def healthy(rng: np.random.Generator) -> Log:
    """Both losses fall towards a floor; accuracy rises; mild noise."""
    epoch = np.arange(30)
    loss = (0.21 + 1.95 * np.exp(-epoch / 6.0)) * (1 + rng.normal(0, 0.012, 30))
    val_loss = 0.27 + 1.75 * np.exp(-epoch / 8.0) + rng.normal(0, 0.002, 30)
    accuracy = 0.93 - 0.62 * np.exp(-epoch / 5.0) + rng.normal(0, 0.004, 30)
    val_accuracy = 0.905 - 0.58 * np.exp(-epoch / 6.5) + rng.normal(0, 0.005, 30)
    return {
        "accuracy": as_logged(accuracy),
        "loss": as_logged(loss),
        "val_accuracy": as_logged(val_accuracy),
        "val_loss": as_logged(val_loss),
    }


def diverging(rng: np.random.Generator) -> Log:
    """Good first epochs, then the loss explodes and becomes NaN (no TerminateOnNaN)."""
    loss = np.array([2.18, 1.46, 1.09, 0.88, 0.76, 0.69, 0.66, 0.98, 3.9, 27.5, 912.0, 3.1e4])
    val_loss = np.array([1.71, 1.24, 0.97, 0.83, 0.74, 0.7, 0.71, 1.35, 6.2, 88.0, 2.4e3, 1.9e5])
    accuracy = np.array([0.31, 0.52, 0.63, 0.7, 0.74, 0.77, 0.78, 0.69, 0.41, 0.17, 0.11, 0.1])
    val_accuracy = np.array([0.45, 0.6, 0.67, 0.72, 0.75, 0.76, 0.76, 0.6, 0.28, 0.12, 0.1, 0.1])
    jitter = 1 + rng.normal(0, 0.01, len(loss))
    nan_epochs = 20 - len(loss)
    # With NaN weights every prediction's argmax is class 0: accuracy is that class's share.
    return {
        "accuracy": as_logged(accuracy * jitter) + as_logged([0.0998] * nan_epochs),
        "loss": as_logged(loss * jitter) + [math.nan] * nan_epochs,
        "val_accuracy": as_logged(val_accuracy) + as_logged([0.1012] * nan_epochs),
        "val_loss": as_logged(val_loss * jitter) + [math.nan] * nan_epochs,
    }


def overfitting(rng: np.random.Generator) -> Log:
    """Training loss keeps falling; validation loss bottoms out near epoch 12, then rises."""
    epoch = np.arange(30)
    after = np.maximum(epoch - 12, 0)
    loss = (0.03 + 1.9 * np.exp(-epoch / 5.0)) * (1 + rng.normal(0, 0.015, 30))
    val_trend = 0.52 + 1.5 * np.exp(-epoch / 3.5) + 0.012 * after + 0.0009 * after**2
    val_loss = val_trend + rng.normal(0, 0.004, 30)
    accuracy = 0.995 - 0.66 * np.exp(-epoch / 5.0) + rng.normal(0, 0.003, 30)
    val_accuracy = 0.86 - 0.5 * np.exp(-epoch / 3.5) - 0.0025 * after + rng.normal(0, 0.004, 30)
    return {
        "accuracy": as_logged(np.minimum(accuracy, 1.0)),
        "loss": as_logged(loss),
        "val_accuracy": as_logged(val_accuracy),
        "val_loss": as_logged(val_loss),
    }


def write_csv(path: Path, log: Log) -> None:
    """As keras.callbacks.CSVLogger: csv.DictWriter, excel dialect, epoch first."""
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=["epoch", *KEYS], dialect=csv.excel)
        writer.writeheader()
        for epoch in range(len(log["loss"])):
            writer.writerow({"epoch": epoch, **{key: log[key][epoch] for key in KEYS}})


def write_jsonl(path: Path, log: Log) -> None:
    """One JSON object per epoch with the same keys (finite values only: JSON has no NaN)."""
    with path.open("w") as file:
        for epoch in range(len(log["loss"])):
            row = {"epoch": epoch, **{key: log[key][epoch] for key in KEYS}}
            file.write(json.dumps(row) + "\n")


def main() -> None:
    rng = np.random.default_rng(20240612)
    run = healthy(rng)
    write_csv(HERE / "history.csv", run)
    write_jsonl(HERE / "history.jsonl", run)
    write_csv(HERE / "history_nan.csv", diverging(rng))
    write_csv(HERE / "history_overfit.csv", overfitting(rng))


if __name__ == "__main__":
    main()
