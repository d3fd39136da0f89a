"""Suggested losses: which losses fit the inferred task and the facts the checks established.

The first suggestion fits best; later ones answer a warning (class weights or a focal loss for
imbalance, msle or poisson for wide-ranging targets, huber for heavy-tailed errors). Each comes
with the ``losscli compute`` command line that computes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from losscli.doctor.accumulator import Accumulator
from losscli.doctor.balance import inverse_frequency
from losscli.doctor.commands import Commands
from losscli.doctor.facts import Facts
from losscli.doctor.model import Suggestion
from losscli.doctor.text import pct, round_sig


def suggestions(state: Accumulator, facts: Facts, command: Commands) -> list[Suggestion]:
    """The losses that fit, best first, each with its command line (none for an unknown task)."""
    task = facts.task
    logit = {"from_logits": True} if facts.logits else {}
    what, one = ("logits", "logit") if facts.logits else ("probabilities", "probability")
    made: list[Suggestion] = []

    def add(
        loss: str,
        params: Mapping[str, Any],
        reason: str,
        class_weight: Mapping[int, float] | None = None,
    ) -> None:
        made.append(
            Suggestion(
                loss, dict(params), reason, command(loss, params, class_weight), class_weight
            )
        )

    weights = inverse_frequency(facts.classes) if facts.imbalanced and facts.classes else None
    rare = ""
    if facts.rarest is not None and facts.classes:
        share = facts.rarest[1] / sum(facts.classes.values())
        rare = f"class {facts.rarest[0]} is only {pct(share)} of rows"
    k = len(state.pred)
    if task == "binary":
        add(
            "binary_crossentropy",
            logit,
            f"y_true is 0/1 and y_pred one {one} per row",
        )
        if weights:
            add(
                "binary_crossentropy",
                logit,
                f"{rare}: inverse-frequency class weights make both classes count equally",
                weights,
            )
            add(
                "binary_focal_crossentropy",
                logit,
                f"{rare}: focal loss down-weights the many easy examples of the commonest class",
            )
    elif task == "multiclass_sparse":
        add(
            "sparse_categorical_crossentropy",
            logit,
            f"y_true holds one class id (0..{k - 1}) per row and y_pred {k} columns of {what}",
        )
        if weights:
            add(
                "sparse_categorical_crossentropy",
                logit,
                f"{rare}: inverse-frequency class weights make every class count equally",
                weights,
            )
    elif task == "multiclass_onehot":
        add(
            "categorical_crossentropy",
            logit,
            f"y_true is one-hot (or soft) over {k} classes and y_pred {k} columns of {what}",
        )
        if weights:
            add(
                "categorical_crossentropy",
                logit,
                f"{rare}: inverse-frequency class weights make every class count equally",
                weights,
            )
            add(
                "categorical_focal_crossentropy",
                logit,
                f"{rare}: focal loss down-weights the many easy examples of the common classes",
            )
    elif task == "multilabel":
        add(
            "binary_crossentropy",
            logit,
            f"several of the {k} labels can be 1 in a row: binary cross-entropy per label, "
            f"averaged over the labels (y_pred holds {what})",
        )
        if facts.label_imbalance:
            add(
                "binary_focal_crossentropy",
                logit,
                "some labels are rarely (or almost always) 1: focal loss down-weights the easy "
                "examples",
            )
    elif task == "regression":
        _regression_suggestions(state, facts, add)
    return made


def _regression_suggestions(state: Accumulator, facts: Facts, add: Callable[..., None]) -> None:
    if facts.counts and (facts.large or facts.wide):
        add(
            "poisson",
            {},
            "y_true holds counts over a wide range: poisson models counts whose spread grows "
            "with the mean",
        )
    non_negative = all(column.moments.min >= 0 for column in state.true if column.finite)
    if facts.wide and non_negative:
        add(
            "mean_squared_logarithmic_error",
            {},
            "the targets span several decades: msle compares log(1 + y), so relative errors "
            "count rather than the largest values",
        )
    if facts.heavy:
        errors = state.errors
        scale = 1.2533 * errors.abs_sum / errors.count if errors.count else 0.0
        params = {"delta": round_sig(1.345 * scale)} if scale > 0 else {}
        add(
            "huber",
            params,
            "errors are heavy-tailed: huber is squared within delta (about 1.35 robust "
            "standard deviations of the errors) and linear beyond, so a few large misses do "
            "not dominate",
        )
    add(
        "mean_squared_error",
        {},
        "real-valued targets: the standard regression loss"
        + (" (for comparison)" if facts.heavy or facts.wide else ""),
    )
