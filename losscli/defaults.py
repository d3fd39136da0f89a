"""Defaults shared by the engines and the command-line options, importable without NumPy."""

DEFAULT_BATCH_SIZE = 65_536
"""Rows per batch: bounds memory, and is the batch of batch-scope losses."""

DEFAULT_REPLICATES = 1000
"""Bootstrap replicates of ``compare`` (its ``--replicates``)."""

DEFAULT_LEVEL = 0.95
"""Confidence level of ``compare``'s intervals and verdicts (its ``--ci``)."""

CURVE_CHECKS = ("nan", "divergence", "overfit")
"""The findings ``curve --fail-on`` can turn into a failed run."""

DEFAULT_PATIENCE = 3
"""Validated epochs without improvement that mean overfitting (``curve --patience``)."""

DEFAULT_DIVERGENCE_FACTOR = 10.0
"""A loss diverges at this many times its lowest earlier value (``curve --divergence-factor``)."""
