"""What to compare, as the user named it: the inputs, how their rows pair up, and the columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from losscli.errors import UsageError

__all__ = ["CompareRequest"]


@dataclass(frozen=True)
class CompareRequest:
    """What to compare, as the user named it.

    Two inputs (``old`` given) are paired by ``key`` or, with ``aligned``, by position; one
    input (``old`` None) holds both models' predictions, in ``y_pred_new`` and ``y_pred_old``.
    ``y_pred`` names the prediction columns of both files; ``y_pred_new``/``y_pred_old``
    override it per file. ``y_true``, ``sample_weight`` and the ``group_by`` columns are read
    from NEW (a group column NEW lacks is read from OLD). Either input may be a URI
    (``s3://...``), reached with ``storage_options``.
    """

    new: str
    old: str | None = None
    key: str | None = None
    aligned: bool = False
    y_true: str | None = None
    y_pred: str | None = None
    y_pred_new: str | None = None
    y_pred_old: str | None = None
    sample_weight: str | None = None
    group_by: tuple[str, ...] = ()
    # How to reach remote inputs (KEY=VALUE strings or a mapping); left out of repr: secrets.
    storage_options: Sequence[str] | Mapping[str, object] | None = field(default=None, repr=False)

    @property
    def mode(self) -> str:
        """``"same-file"`` (one input), ``"aligned"`` (by position) or ``"key"``."""
        if self.old is None:
            return "same-file"
        return "aligned" if self.aligned else "key"

    def validate(self) -> None:
        """Raise :class:`UsageError` for a request that names no pairing or two at once."""
        if len(set(self.group_by)) != len(self.group_by):
            raise UsageError("the same --group-by column is given twice")
        if self.old is None:
            if self.aligned:
                raise UsageError("--aligned pairs the rows of two files; one file was given")
            if not (self.y_pred_new and self.y_pred_old):
                raise UsageError(
                    "one input holds both models: name their columns with --y-pred-new COLS "
                    "and --y-pred-old COLS (or give two files, NEW and OLD)"
                )
            if self.y_pred:
                raise UsageError("--y-pred is ambiguous with one input; use --y-pred-new/-old")
            return
        if self.new == "-" and self.old == "-":
            raise UsageError("only one of NEW and OLD can be stdin ('-')")
        if self.key and self.aligned:
            raise UsageError("give either --key COL (match rows by key) or --aligned, not both")
        if not self.key and not self.aligned:
            raise UsageError(
                "two files need --key COL to match their rows (a column in both), or --aligned "
                "when row i of NEW and row i of OLD are the same sample"
            )
