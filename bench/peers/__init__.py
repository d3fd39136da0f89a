"""Peer programs for bench/bench_peers.py: one script per tool, run as its own process.

Each script takes ``LOSS FILE`` (LOSS: mse, bce or scce; FILE: .parquet or .csv), computes the
loss the Keras way (probabilities clipped to [1e-7, 1 - 1e-7], mean over rows) the way a user
of that tool would write it, and prints the value (``pyarrow_read`` only reads the columns).
They run in the benchmark environment (.venv-bench), never in the project's.
"""
