"""Regenerate the sample prediction files (seeded, so the files are reproducible).

Run: python sample_data/make_samples.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent


def main() -> None:
    rng = np.random.default_rng(20261123)

    # House prices (in 100k): a model that is good on average with a few large misses.
    n = 200
    y_true = np.round(rng.gamma(4.0, 0.8, n), 3)
    noise = rng.normal(0, 0.25, n) + (rng.random(n) < 0.05) * rng.normal(0, 2.0, n)
    y_pred = np.round(np.clip(y_true + noise, 0.05, None), 3)
    pd.DataFrame({"id": np.arange(n), "y_true": y_true, "y_pred": y_pred}).to_csv(
        HERE / "regression.csv", index=False
    )

    # Churn classifier: labels and a calibrated-ish probability.
    logits = rng.normal(0, 1.6, n)
    label = (rng.random(n) < 1 / (1 + np.exp(-logits))).astype(int)
    prob = np.round(1 / (1 + np.exp(-(logits + rng.normal(0, 0.6, n)))), 4)
    pd.DataFrame({"id": np.arange(n), "y_true": label, "y_pred": prob}).to_csv(
        HERE / "binary.csv", index=False
    )

    # Three-class classifier: integer label and one probability column per class.
    scores = rng.normal(0, 1.0, (n, 3))
    label3 = np.argmax(scores + rng.gumbel(0, 0.7, (n, 3)), axis=1)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    frame = pd.DataFrame({"id": np.arange(n), "label": label3})
    for k in range(3):
        frame[f"prob_{k}"] = np.round(probs[:, k], 5)
    frame.to_csv(HERE / "multiclass.csv", index=False)


if __name__ == "__main__":
    main()
