"""The demo run by `make demo`: evaluate the sample predictions with the Python API.

(`losscli compute` will do this from the shell; until then this shows the API it will call.)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

import losscli

HERE = Path(__file__).parent


def main() -> None:
    regression = pd.read_csv(HERE / "regression.csv")
    binary = pd.read_csv(HERE / "binary.csv")
    multiclass = pd.read_csv(HERE / "multiclass.csv")
    probs = multiclass[["prob_0", "prob_1", "prob_2"]]

    jobs = [
        ("regression.csv", "mse", regression.y_true, regression.y_pred, {}),
        ("regression.csv", "mae", regression.y_true, regression.y_pred, {}),
        ("regression.csv", "huber", regression.y_true, regression.y_pred, {"delta": 0.5}),
        ("regression.csv", "log_cosh", regression.y_true, regression.y_pred, {}),
        ("binary.csv", "bce", binary.y_true, binary.y_pred, {}),
        ("binary.csv", "binary_focal_crossentropy", binary.y_true, binary.y_pred, {}),
        ("binary.csv", "hinge", binary.y_true, binary.y_pred, {}),
        ("multiclass.csv", "sparse_categorical_crossentropy", multiclass.label, probs, {}),
    ]
    table = Table(title="losscli demo: sample_data/")
    for column in ("file", "loss", "reduction", "value", "rows"):
        table.add_column(column, justify="right" if column in ("value", "rows") else "left")
    for file, name, y_true, y_pred, params in jobs:
        result = losscli.compute(name, y_true, y_pred, **params)
        table.add_row(
            file, str(result.loss), result.reduction, f"{result.value:.6f}", str(result.rows)
        )
    Console().print(table)


if __name__ == "__main__":
    main()
