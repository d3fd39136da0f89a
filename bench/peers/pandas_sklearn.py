"""pandas + scikit-learn: read the whole file into a DataFrame, then a sklearn metric.

Binary and sparse categorical cross-entropy use ``log_loss`` on probabilities clipped to
[1e-7, 1 - 1e-7] first, which is then exactly Keras's formula (sklearn's own clip, at float64
machine epsilon, no longer changes anything).
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd
from sklearn.metrics import log_loss, mean_squared_error

EPSILON = 1e-7
CLASSES = 10


def main(loss: str, path: str) -> float:
    frame = pd.read_csv(path) if path.endswith(".csv") else pd.read_parquet(path)
    if loss == "mse":
        return float(mean_squared_error(frame["y_true"], frame["y_pred"]))
    if loss == "bce":
        probs = np.clip(frame["y_pred"].to_numpy(), EPSILON, 1 - EPSILON)
        return float(log_loss(frame["y_true"], probs, labels=[0.0, 1.0]))
    probs = frame[[f"prob_{k}" for k in range(CLASSES)]].to_numpy(np.float64)
    probs = np.clip(probs, EPSILON, 1 - EPSILON)
    with warnings.catch_warnings():
        # float32 rows sum to 1 only to ~1e-7, which sklearn's float64 check calls "not one".
        warnings.simplefilter("ignore", UserWarning)
        return float(log_loss(frame["label"], probs, labels=list(range(CLASSES))))


if __name__ == "__main__":
    print(repr(main(sys.argv[1], sys.argv[2])))
