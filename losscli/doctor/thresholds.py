"""The thresholds of the doctor's rules, in one place; docs/doctor.md states each one."""

from __future__ import annotations

SUM_TOLERANCE = 1e-3
"""A row of probabilities sums to 1 when it is within this of 1."""
LOGIT_SHARE = 0.05
"""y_pred holds logits when at least this share of its values is outside [0, 1]."""
BINARY_SHARE = 0.99
"""One y_true column is binary when at least this share of its values is 0 or 1."""
SOFTMAX_SHARE = 0.99
"""Several y_pred columns are softmax output when at least this share of rows sums to 1."""
ONE_HOT_SHARE = 0.95
"""With logits, 0/1 y_true columns are one-hot when at least this share of rows is."""
IMBALANCE_RATIO = 10.0
"""Classes are imbalanced when the commonest has at least this many times the rows of the rarest."""
LARGE_VALUE = 1e4
"""Targets are large when some |y| exceeds this."""
WIDE_RANGE_DECADES = 4.0
"""Positive targets range widely when max / smallest positive exceeds 10 ** this."""
HEAVY_KURTOSIS = 6.0
"""Errors are heavy-tailed when their kurtosis exceeds this (normal: 3, Laplace: 6)."""
MIN_ROWS_FOR_TAILS = 30
"""Kurtosis is not judged on fewer rows."""
MAX_DISTINCT = 1000
"""Distinct whole values counted per column; beyond this a column's value counts are dropped."""
