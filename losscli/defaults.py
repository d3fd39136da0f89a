"""Defaults shared by the pipeline and the command-line options, importable without NumPy."""

DEFAULT_BATCH_SIZE = 65_536
"""Rows per batch: bounds memory, and is the batch of batch-scope losses."""
