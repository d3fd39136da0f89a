"""Regenerate the sample prediction files (seeded: the same bytes every time).

Run from the repository root: python sample_data/make_samples.py

- regression.{csv,parquet}: house prices in 100k; id, y_true, y_pred, a weight column and the
  predictions of a baseline model, y_pred_baseline.
- binary.{csv,parquet}: a churn classifier; id, y_true (0/1), y_pred (probability), logit.
- multiclass.{csv,parquet}: a 3-class classifier; id, label (sparse), onehot_0..2,
  prob_0..2, and (Parquet only, CSV has no lists) a list column `probs`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

HERE = Path(__file__).parent
ROWS = 200


def regression(rng: np.random.Generator) -> pa.Table:
    """A good model on average, with a few large misses; recent sales weigh more."""
    y_true = np.round(rng.gamma(4.0, 0.8, ROWS), 3)
    noise = rng.normal(0, 0.25, ROWS) + (rng.random(ROWS) < 0.05) * rng.normal(0, 2.0, ROWS)
    y_pred = np.round(np.clip(y_true + noise, 0.05, None), 3)
    weight = np.round(rng.uniform(0.5, 2.0, ROWS), 2)
    # A baseline model to compare against: noisier, and biased low.
    baseline = np.round(np.clip(y_true * 0.9 + rng.normal(0, 0.45, ROWS), 0.05, None), 3)
    return pa.table(
        {
            "id": np.arange(ROWS),
            "y_true": y_true,
            "y_pred": y_pred,
            "weight": weight,
            "y_pred_baseline": baseline,
        }
    )


def binary(rng: np.random.Generator) -> pa.Table:
    """Labels and the classifier's logit and probability."""
    truth = rng.normal(0, 1.6, ROWS)
    label = (rng.random(ROWS) < 1 / (1 + np.exp(-truth))).astype(np.int64)
    logit = np.round(truth + rng.normal(0, 0.6, ROWS), 4)
    prob = np.round(1 / (1 + np.exp(-logit)), 6)
    return pa.table({"id": np.arange(ROWS), "y_true": label, "y_pred": prob, "logit": logit})


def multiclass(rng: np.random.Generator) -> pa.Table:
    """Sparse labels, their one-hot columns and the predicted class probabilities."""
    scores = rng.normal(0, 1.0, (ROWS, 3))
    label = np.argmax(scores + rng.gumbel(0, 0.7, (ROWS, 3)), axis=1)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    probs = np.round(probs, 5)
    columns: dict[str, object] = {"id": np.arange(ROWS), "label": label}
    for k in range(3):
        columns[f"onehot_{k}"] = (label == k).astype(np.int64)
    for k in range(3):
        columns[f"prob_{k}"] = probs[:, k]
    return pa.table(columns)


def main() -> None:
    rng = np.random.default_rng(20261123)
    tables = {"regression": regression(rng), "binary": binary(rng), "multiclass": multiclass(rng)}
    for name, table in tables.items():
        pacsv.write_csv(table, HERE / f"{name}.csv")
        if name == "multiclass":
            probs = np.stack([table[f"prob_{k}"].to_numpy() for k in range(3)], axis=1)
            list_column = pa.FixedSizeListArray.from_arrays(pa.array(probs.ravel()), 3)
            table = table.append_column("probs", list_column)
        pq.write_table(table, HERE / f"{name}.parquet")


if __name__ == "__main__":
    main()
