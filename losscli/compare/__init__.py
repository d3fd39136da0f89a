"""Paired comparison of two models' predictions against the same targets.

For each loss: both models' values (exactly as ``losscli.compute`` gives them), their difference
``new - old``, and a paired Poisson bootstrap interval of that difference: every row gets R
Poisson(1) weights, and the *same* weights weigh the row in both models' replicates, so each
replicate's difference is (reduced new loss) - (reduced old loss) over one resample of the rows.
Weights follow the row's key when there is one (:func:`~losscli.bootstrap.cluster_weights`), so
results do not depend on file order, partitioning or batch size; else the row's position
(:func:`~losscli.bootstrap.row_weights`).

The verdict at confidence level ``level``: ``better`` when the interval of the difference lies
entirely on the good side of 0 (below 0 for losses, where lower is better; above for the rare
losses where higher is better), ``worse`` when entirely on the bad side, else
``no significant difference`` (``undetermined`` when the interval is NaN).

The modules, each with one job:

- :mod:`~losscli.compare.options`, :mod:`~losscli.compare.request`: how and what to compare;
- :mod:`~losscli.compare.results`: the result and report data model (and its JSON form, with
  :mod:`~losscli.compare.jsonable`); :mod:`~losscli.compare.verdicts`: verdicts, gate lookups;
- :mod:`~losscli.compare.engine`: :class:`PairedComputation`, the streaming engine, over
  :mod:`~losscli.compare.accumulators`, :mod:`~losscli.compare.slices`,
  :mod:`~losscli.compare.poisson` and :mod:`~losscli.compare.summary`;
- :mod:`~losscli.compare.in_memory`: :func:`compare_arrays`, for in-memory arrays;
- :mod:`~losscli.compare.files`: :func:`compare_inputs`, over files paired by
  :mod:`losscli.io.join`, their columns resolved by :mod:`~losscli.compare.layout`.
"""

from __future__ import annotations

from losscli.compare.engine import PairedComputation
from losscli.compare.files import compare_inputs
from losscli.compare.in_memory import compare_arrays
from losscli.compare.options import DEFAULT_LEVEL, DEFAULT_REPLICATES, CompareOptions
from losscli.compare.request import CompareRequest
from losscli.compare.results import COMPARE_SCHEMA, ComparisonReport, ComparisonResult, ModelValue
from losscli.compare.slices import MAX_SLICES
from losscli.compare.verdicts import VERDICTS, verdict

__all__ = [
    "COMPARE_SCHEMA",
    "DEFAULT_LEVEL",
    "DEFAULT_REPLICATES",
    "MAX_SLICES",
    "VERDICTS",
    "CompareOptions",
    "CompareRequest",
    "ComparisonReport",
    "ComparisonResult",
    "ModelValue",
    "PairedComputation",
    "compare_arrays",
    "compare_inputs",
    "verdict",
]
