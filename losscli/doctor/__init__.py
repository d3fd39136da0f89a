"""Data diagnostics: what in a prediction file would make a loss wrong or NaN, and which loss fits.

:func:`diagnose` reads record batches once, keeping only running statistics per column
(:mod:`~losscli.doctor.statistics`) and per row (:mod:`~losscli.doctor.rows`), so memory is
bounded by the batch size. At the end it infers the task (:mod:`~losscli.doctor.tasks`), turns
the statistics into findings (:mod:`~losscli.doctor.findings`, :mod:`~losscli.doctor.balance`,
:mod:`~losscli.doctor.scale`) and suggests losses (:mod:`~losscli.doctor.suggestions`), each
with the exact ``losscli compute`` command line. :func:`diagnose_input` opens files first, as
``compute`` does (:mod:`~losscli.doctor.inputs`). The result is a :class:`Diagnosis`
(:mod:`~losscli.doctor.model`).

Severities (``docs/doctor.md`` lists every code):

- ``error``: the data would make a loss NaN, infinite, wrong, or make ``compute`` refuse it
  whatever loss is chosen: missing, NaN or infinite values; labels out of range or not whole
  numbers; one-hot rows that are not one-hot; a few probabilities outside [0, 1]; all-zero
  probability rows; negative weights; y_true and y_pred widths that do not fit; no rows.
- ``warning``: the loss is well defined but probably not what was meant, or another loss or
  option fits better: logits, rows that do not sum to 1, constant columns, class imbalance,
  absent classes, large or wide-ranging targets, heavy-tailed errors.

Row numbers count data rows from 0 across all inputs (the header is not a row), as the errors
of ``compute`` do. Nothing here imports pandas or rich.
"""

from __future__ import annotations

from losscli.doctor.diagnosis import diagnose
from losscli.doctor.inputs import diagnose_input, guess_columns
from losscli.doctor.model import (
    DOCTOR_SCHEMA,
    TASKS,
    ColumnSummary,
    Diagnosis,
    Finding,
    Severity,
    Suggestion,
)

__all__ = [
    "DOCTOR_SCHEMA",
    "TASKS",
    "ColumnSummary",
    "Diagnosis",
    "Finding",
    "Severity",
    "Suggestion",
    "diagnose",
    "diagnose_input",
    "guess_columns",
]
