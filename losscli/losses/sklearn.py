"""scikit-learn's losses and error metrics (``sklearn.metrics``, 1.9.1), computed in float64.

Conventions shared by every loss here (LOSS_SEMANTICS.md section 6):

* The default reduction is scikit-learn's weighted mean ``sum(w l) / sum(w)``
  (``mean_with_sample_weight``); scikit-learn's ``normalize=False`` is losscli's ``sum``.
* Class labels are integer ids. For ``log_loss`` and ``brier_score`` they index the columns of
  y_pred (scikit-learn with ``labels=range(C)``); string labels are not supported: map them to
  0..C-1 in sorted order, which is the column order scikit-learn uses.
* Multi-output regression ``[n, K]``: the kernel averages the K outputs of a row, so the weighted
  mean over rows is scikit-learn's ``multioutput="uniform_average"``. RMSE and RMSLE take the
  square root per output first, so they are dataset-scope ratios of weighted sums; the Tweedie
  deviances and ``max_error`` accept one output only, as in scikit-learn.
* Inputs outside a loss's domain raise :class:`InputDataError` naming the row, where
  scikit-learn raises ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from losscli.arrays import Batch, RowIds, as_columns, float_array, labels_array, row_number
from losscli.errors import InputDataError, LabelError, ParameterError, ShapeError, WeightError
from losscli.lazy_numpy import lazy_numpy
from losscli.losses.loss import Loss
from losscli.losses.spec import LossSpec, Param, ParamKind, RatioOfSums, Scope, Target

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy(globals())

# ------------------------------------------------------------------------------- parameters


class _TweediePower(Param):
    """The Tweedie ``power``: any real number except the gap (0, 1), where no distribution exists.

    A declared :class:`Param` has one interval; this one rejects the gap as well, so a bad power
    fails when the loss is looked up, as scikit-learn's ``InvalidParameterError`` does.
    """

    def validate(self, value: Any, loss: str) -> Any:
        power = super().validate(value, loss)
        if 0 < power < 1:
            raise ParameterError(
                f"{loss}: parameter power={power} is out of range; it must be in "
                f"{self.range_text} (no Tweedie distribution has 0 < power < 1)"
            )
        return power

    @property
    def range_text(self) -> str:
        return "(-inf, 0.0] or [1.0, inf)"


class _AutoOrBool(Param):
    """A choice of ``auto``, ``true`` or ``false`` that also takes a Python bool.

    scikit-learn's ``scale_by_half`` is ``"auto"``, ``True`` or ``False``; the command line gives
    text, the Python API may give a bool.
    """

    def validate(self, value: Any, loss: str) -> Any:
        if isinstance(value, (bool, np.bool_)):
            value = "true" if value else "false"
        return super().validate(value, loss)


POWER = _TweediePower(
    "power",
    ParamKind.FLOAT,
    0.0,
    "Tweedie power: 0 normal, 1 Poisson, (1, 2) compound Poisson, 2 gamma, 3 inverse Gaussian",
)
ALPHA = Param(
    "alpha",
    ParamKind.FLOAT,
    0.5,
    "the quantile: under-predictions cost alpha, over-predictions 1 - alpha",
    low=0.0,
    high=1.0,
)
SCALE_BY_HALF = _AutoOrBool(
    "scale_by_half",
    ParamKind.CHOICE,
    "auto",
    "halve the score; auto: only for binary input (one column, or two classes)",
    choices=("auto", "true", "false"),
)

# ----------------------------------------------------------------------- input preparation


def _real_columns(
    loss: Loss, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: RowIds
) -> tuple[np.ndarray, np.ndarray]:
    """y_true and y_pred as ``[n, K]`` arrays of ``dtype`` with the same shape."""
    true = as_columns(float_array(y_true, dtype, "y_true", loss, row_ids), "y_true", loss)
    pred = as_columns(float_array(y_pred, dtype, "y_pred", loss, row_ids), "y_pred", loss)
    if true.ndim != 2 or true.shape != pred.shape:
        raise ShapeError(
            f"{loss.name}: y_true has shape {true.shape} but y_pred has shape {pred.shape}; "
            "they must be the same [rows, outputs]"
        )
    return true, pred


def _single_output(loss: Loss, pred: np.ndarray) -> None:
    """scikit-learn raises for multi-output input to the deviances and ``max_error``."""
    if pred.shape[1] != 1:
        raise ShapeError(
            f"{loss.name}: takes one output column (as scikit-learn), got shape {pred.shape}; "
            "compute each output separately"
        )


def _reject(
    loss: Loss,
    what: str,
    values: np.ndarray,
    bad: np.ndarray,
    need: str,
    row_ids: RowIds,
    error: type[InputDataError] = InputDataError,
) -> None:
    """Raise ``error`` naming the first flagged value and its row, if any value is flagged."""
    if not np.any(bad):
        return
    first = tuple(np.argwhere(bad)[0])
    raise error(
        f"{loss.name}: {what} must be {need}; found {float(values[first]):g} at row "
        f"{row_number(first[0], row_ids)} ({int(np.count_nonzero(bad))} such value(s))"
    )


def tweedie_domain(power: float) -> tuple[str | None, str | None]:
    """What y_true and y_pred must be for the Tweedie deviance of ``power`` (None: anything)."""
    if power == 0:
        return None, None
    if power < 0:
        return None, "> 0"
    if power < 2:
        return ">= 0", "> 0"
    return "> 0", "> 0"


def _check_tweedie_domain(
    loss: Loss, power: float, true: np.ndarray, pred: np.ndarray, row_ids: RowIds
) -> None:
    with np.errstate(invalid="ignore"):
        for what, values, need in zip(
            ("y_true", "y_pred"), (true, pred), tweedie_domain(power), strict=True
        ):
            if need is not None:
                bad = values < 0 if need == ">= 0" else values <= 0
                _reject(loss, what, values, bad, f"{need} for power={power:g}", row_ids)


def _deviance_inputs(power: float | None) -> Callable[..., Batch]:
    """A ``prepare`` for a Tweedie deviance: one output, values in the power's domain.

    ``power=None`` reads the power from the loss's parameters (``mean_tweedie_deviance``).
    """

    def prepare(
        loss: Loss, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: RowIds = None
    ) -> Batch:
        true, pred = _real_columns(loss, y_true, y_pred, dtype, row_ids)
        _single_output(loss, pred)
        chosen = loss.params["power"] if power is None else power
        _check_tweedie_domain(loss, chosen, true, pred, row_ids)
        return Batch(true, pred)

    return prepare


def _one_output_inputs(
    loss: Loss, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: RowIds = None
) -> Batch:
    """Real values with one output column (``max_error``)."""
    true, pred = _real_columns(loss, y_true, y_pred, dtype, row_ids)
    _single_output(loss, pred)
    return Batch(true, pred)


def _log1p_inputs(
    loss: Loss, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: RowIds = None
) -> Batch:
    """Real values above -1, where ``log1p`` is defined (RMSLE); scikit-learn raises otherwise."""
    true, pred = _real_columns(loss, y_true, y_pred, dtype, row_ids)
    with np.errstate(invalid="ignore"):
        for what, values in (("y_true", true), ("y_pred", pred)):
            _reject(loss, what, values, values <= -1, "> -1", row_ids)
    return Batch(true, pred)


def _class_ids(loss: Loss, y_true: Any, rows: int, row_ids: RowIds) -> np.ndarray:
    """One integer class id per row (a 1-D array or a single column)."""
    raw = np.asarray(y_true)
    if raw.ndim == 2 and raw.shape[1] == 1:
        raw = raw[:, 0]
    if raw.ndim != 1 or raw.shape[0] != rows:
        raise ShapeError(
            f"{loss.name}: y_true must be one integer class id per row ({rows} rows), got shape "
            f"{raw.shape}; one-hot rows are not accepted, pass the class ids"
        )
    if raw.dtype.kind in "OUS":
        raise LabelError(
            f"{loss.name}: y_true holds strings; map the labels to class ids 0..C-1 in sorted "
            "order (scikit-learn's column order of y_pred)"
        )
    return labels_array(raw, "y_true", loss, row_ids)


def _probability_inputs(
    loss: Loss, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: RowIds = None
) -> Batch:
    """Class ids and probabilities ``[n, C]``, or ``[n, 1]`` = probability of class 1.

    Ids index the columns of y_pred (0..C-1; 0 or 1 for a single column) and probabilities lie
    in [0, 1]. Rows are not renormalised (scikit-learn only warns when they do not sum to 1).
    """
    pred = as_columns(float_array(y_pred, dtype, "y_pred", loss, row_ids), "y_pred", loss)
    if pred.ndim != 2:
        raise ShapeError(
            f"{loss.name}: y_pred must be [rows, classes] probabilities, got shape {pred.shape}"
        )
    labels = _class_ids(loss, y_true, pred.shape[0], row_ids)
    classes = max(pred.shape[1], 2)
    out_of_range = (labels < 0) | (labels >= classes)
    if np.any(out_of_range):
        first = int(np.flatnonzero(out_of_range)[0])
        rule = (
            "a single y_pred column is the probability of class 1, so labels are 0 or 1"
            if pred.shape[1] == 1
            else f"class ids index y_pred's {classes} columns, 0..{classes - 1}"
        )
        raise LabelError(
            f"{loss.name}: label {labels[first]} at row {row_number(first, row_ids)} is out of "
            f"range: {rule} ({int(np.count_nonzero(out_of_range))} label(s) out of range)"
        )
    with np.errstate(invalid="ignore"):
        _reject(loss, "y_pred", pred, (pred < 0) | (pred > 1), "probabilities in [0, 1]", row_ids)
    return Batch(labels, pred)


def _label_inputs(
    loss: Loss, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: RowIds = None
) -> Batch:
    """Predicted against true labels, ``[n, L]``: one column of class ids, or 0/1 multilabel.

    One y_true column against C >= 2 y_pred columns means class scores (probabilities): the
    predicted class is the column of the highest score, the first on a tie (what a classifier's
    ``predict`` returns). scikit-learn rejects that mix of shapes, so no valid input changes.
    """
    true, pred = (np.asarray(y) for y in (y_true, y_pred))
    true, pred = as_columns(true, "y_true", loss), as_columns(pred, "y_pred", loss)
    if true.ndim == 2 and true.shape[1] == 1 and pred.ndim == 2 and pred.shape[1] >= 2:
        scores = float_array(pred, dtype, "y_pred", loss, row_ids)
        pred = np.argmax(scores, axis=1)[:, None]
    if true.ndim != 2 or true.shape != pred.shape:
        raise ShapeError(
            f"{loss.name}: y_true has shape {true.shape} but y_pred has shape {pred.shape}; "
            "expected labels of the same shape (one column of class ids, or L 0/1 columns), "
            "or one y_true column with one y_pred score column per class"
        )
    for what, array in (("y_true", true), ("y_pred", pred)):
        if array.dtype.kind in "OUS":
            raise LabelError(f"{loss.name}: {what} holds strings; pass integer class ids")
    true = labels_array(true, "y_true", loss, row_ids)
    pred = labels_array(pred, "y_pred", loss, row_ids)
    if true.shape[1] > 1:
        for what, labels in (("y_true", true), ("y_pred", pred)):
            need = "0 or 1 (multilabel indicators, one column per label)"
            _reject(loss, what, labels, (labels != 0) & (labels != 1), need, row_ids, LabelError)
    return Batch(true, pred)


# ---------------------------------------------------------------------------- classification


def _two_columns(y_pred: np.ndarray) -> np.ndarray:
    """A single probability column p becomes ``[1 - p, p]`` (p is the probability of class 1)."""
    if y_pred.shape[1] == 1:
        return np.concatenate([1 - y_pred, y_pred], axis=1)
    return y_pred


def log_loss(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """``-log p`` of the true class, p clipped to ``[eps, 1 - eps]`` (eps of the dtype)."""
    probabilities = _two_columns(y_pred)
    eps = np.finfo(probabilities.dtype).eps
    true_class = np.take_along_axis(probabilities, y_true[:, None], axis=1)[:, 0]
    return -np.log(np.clip(true_class, eps, probabilities.dtype.type(1) - eps))


def brier_score(
    y_true: np.ndarray, y_pred: np.ndarray, *, scale_by_half: str = "auto"
) -> np.ndarray:
    """``sum_c (Y_c - P_c)^2`` over one-hot Y, halved for binary input unless told otherwise.

    A single column is expanded to ``[1 - p, p]`` first, as scikit-learn does, so the halved
    binary score is the classic ``(y - p)^2`` up to rounding.
    """
    probabilities = _two_columns(y_pred)
    classes = probabilities.shape[1]
    one_hot = (y_true[:, None] == np.arange(classes)).astype(probabilities.dtype)
    score = np.sum(np.square(one_hot - probabilities), axis=1)
    halve = scale_by_half == "true" or (scale_by_half == "auto" and classes < 3)
    return score * probabilities.dtype.type(0.5) if halve else score


def zero_one(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """1 when any label of the row differs (a multilabel row is right only if all match)."""
    return np.any(y_true != y_pred, axis=1).astype(np.float64)


def hamming(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """The fraction of the row's labels that differ."""
    return np.mean(y_true != y_pred, axis=1)


# -------------------------------------------------------------------------------- regression


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x log y``, defined as 0 where ``x == 0`` (whatever y is)."""
    zero = x == 0
    return np.where(zero, 0, x * np.log(np.where(zero, 1, y)))


def tweedie_unit_deviance(y: np.ndarray, mu: np.ndarray, power: float) -> np.ndarray:
    """The Tweedie unit deviance of observations ``y`` under means ``mu`` (formulas of §6)."""
    if power == 0:
        return np.square(y - mu)
    if power == 1:
        return 2 * (_xlogy(y, y / mu) - y + mu)
    if power == 2:
        return 2 * (np.log(mu / y) + y / mu - 1)
    y_positive = np.where(y > 0, y, 0) if power < 0 else y
    return 2 * (
        np.power(y_positive, 2 - power) / ((1 - power) * (2 - power))
        - y * np.power(mu, 1 - power) / (1 - power)
        + np.power(mu, 2 - power) / (2 - power)
    )


def mean_tweedie_deviance(
    y_true: np.ndarray, y_pred: np.ndarray, *, power: float = 0.0
) -> np.ndarray:
    """The Tweedie deviance of each row (one output column)."""
    return tweedie_unit_deviance(y_true[:, 0], y_pred[:, 0], power)


def mean_poisson_deviance(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """The Poisson deviance (Tweedie power 1) of each row."""
    return tweedie_unit_deviance(y_true[:, 0], y_pred[:, 0], 1.0)


def mean_gamma_deviance(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """The gamma deviance (Tweedie power 2) of each row."""
    return tweedie_unit_deviance(y_true[:, 0], y_pred[:, 0], 2.0)


def mean_pinball(y_true: np.ndarray, y_pred: np.ndarray, *, alpha: float = 0.5) -> np.ndarray:
    """Pinball (quantile) loss, averaged over the outputs of a row."""
    diff = y_true - y_pred
    return np.mean(np.where(diff >= 0, alpha * diff, (alpha - 1) * diff), axis=1)


def absolute_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """``|y - p|`` of each row (one output column); the largest is ``max_error``."""
    return np.abs(y_true[:, 0] - y_pred[:, 0])


def rmse_of_row(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """The RMSE of each row taken alone (each output's root squared error is ``|y - p|``).

    Not used for the loss value, which is a ratio of sums over the whole dataset.
    """
    return np.mean(np.abs(y_true - y_pred), axis=1)


def rmsle_of_row(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """The RMSLE of each row taken alone; not used for the loss value (a dataset ratio)."""
    return rmse_of_row(np.log1p(y_true), np.log1p(y_pred))


def _row_weights(weights: np.ndarray) -> np.ndarray:
    """Sample weights as one float64 per row (scikit-learn's 1-D ``sample_weight``)."""
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 1:
        raise WeightError(
            f"root mean squared errors take one weight per row, got weights of shape "
            f"{weights.shape}"
        )
    return weights


def squared_error_sums(
    y_true: np.ndarray, y_pred: np.ndarray, weights: np.ndarray, **_: Any
) -> np.ndarray:
    """``[sum(w e_k^2) for each output k, sum(w)]`` over the batch, in float64."""
    weights = _row_weights(weights)
    squared = np.square(y_true - y_pred)
    per_output = np.sum(weights[:, None] * squared, axis=0, dtype=np.float64)
    return np.append(per_output, np.sum(weights))


def log1p_squared_error_sums(
    y_true: np.ndarray, y_pred: np.ndarray, weights: np.ndarray, **_: Any
) -> np.ndarray:
    """:func:`squared_error_sums` of ``log1p`` of both sides (RMSLE)."""
    return squared_error_sums(np.log1p(y_true), np.log1p(y_pred), weights)


def root_mean_from_sums(sums: np.ndarray, dtype: np.dtype, **_: Any) -> float:
    """The mean over outputs of ``sqrt(sum(w e^2) / sum(w))``; 0 when every weight is 0."""
    values = np.asarray(sums, dtype=np.float64).astype(dtype)
    per_output, weight_sum = values[:-1], values[-1]
    if weight_sum == 0:
        return 0.0
    return float(np.mean(np.sqrt(per_output / weight_sum)))


def _always(params: Mapping[str, Any]) -> bool:
    return True


# ------------------------------------------------------------------------------ the registry

FAMILY = "regression"
"""How `losscli list` groups these losses when a spec names no family of its own."""

_ORIGIN: dict[str, Any] = {
    "origin": "sklearn",
    "reference_dtype": "float64",
    "default_reduction": "mean_with_sample_weight",
}
_WEIGHTED_MEAN = "The default reduction is scikit-learn's weighted mean sum(w l) / sum(w)."
_SUM_IS_UNNORMALIZED = (
    "scikit-learn's normalize=False is --reduction sum (Python: reduction='sum')."
)
_ONE_OUTPUT = "One output column only (scikit-learn rejects multi-output input)."
_SCORES = (
    "With one y_true column, C >= 2 y_pred columns are class scores (e.g. probabilities): the"
    " predicted class is the argmax, as scikit-learn given y_pred.argmax(axis=1)."
)

LOSSES = (
    LossSpec(
        name="log_loss",
        kernel=log_loss,
        target=Target.SPARSE_LABEL,
        prepare=_probability_inputs,
        probabilities=(0.0, 1.0),
        summary="Log loss (cross-entropy) of predicted class probabilities, as scikit-learn.",
        formula="-log(clip(p_y, eps, 1 - eps)), eps = machine epsilon of the dtype",
        family="probabilistic",
        reference_class="log_loss",
        notes=(
            "y_true: class ids 0..C-1 indexing y_pred's C columns (scikit-learn with"
            " labels=range(C)); string labels are not supported: map them to ids in sorted order.",
            "A single y_pred column is the probability of class 1 (the greater class).",
            "Rows are not renormalised (scikit-learn >= 1.5 only warns when they do not sum to 1);"
            " clipping at the dtype's machine epsilon caps a row at 36.04 in float64.",
            _WEIGHTED_MEAN,
            _SUM_IS_UNNORMALIZED,
        ),
        **_ORIGIN,
    ),
    LossSpec(
        name="brier_score",
        kernel=brier_score,
        target=Target.SPARSE_LABEL,
        prepare=_probability_inputs,
        summary="Brier score: squared error of predicted class probabilities, as scikit-learn.",
        formula="[0.5 *] sum_c (onehot(y)_c - p_c)^2",
        aliases=("brier_score_loss",),
        params=(SCALE_BY_HALF,),
        family="probabilistic",
        reference_class="brier_score_loss",
        notes=(
            "y_true: class ids 0..C-1 indexing y_pred's C columns; a single y_pred column is the"
            " probability of class 1, with labels 0 and 1.",
            "scale_by_half=auto halves binary input (one column or two classes): the classic"
            " mean (y - p)^2; three or more classes are not halved.",
            "pos_label is not supported (the positive class is 1); for scikit-learn's"
            " pos_label=0 pass 1 - y_true.",
            _WEIGHTED_MEAN,
        ),
        **_ORIGIN,
    ),
    LossSpec(
        name="zero_one",
        kernel=zero_one,
        target=Target.SPARSE_LABEL,
        prepare=_label_inputs,
        summary="Zero-one loss: the (weighted) fraction of wrongly predicted rows.",
        formula="any(y != p) per row",
        aliases=("zero_one_loss",),
        family="classification",
        reference_class="zero_one_loss",
        notes=(
            "y_pred holds predicted labels: one column of integer class ids, or L 0/1"
            " multilabel columns (a row counts as wrong unless every label matches).",
            _SCORES,
            _WEIGHTED_MEAN,
            "scikit-learn's normalize=False (the weighted count of errors) is --reduction sum.",
        ),
        **_ORIGIN,
    ),
    LossSpec(
        name="hamming",
        kernel=hamming,
        target=Target.SPARSE_LABEL,
        prepare=_label_inputs,
        summary="Hamming loss: the (weighted) fraction of wrongly predicted labels.",
        formula="mean(y != p) per row",
        aliases=("hamming_loss",),
        family="classification",
        reference_class="hamming_loss",
        notes=(
            "y_pred holds predicted labels: one column of integer class ids (then it equals"
            " zero_one), or L 0/1 multilabel columns.",
            _SCORES,
            _WEIGHTED_MEAN,
        ),
        **_ORIGIN,
    ),
    LossSpec(
        name="mean_tweedie_deviance",
        kernel=mean_tweedie_deviance,
        target=Target.REAL,
        prepare=_deviance_inputs(None),
        summary="Mean Tweedie deviance of a prediction mu; power picks the distribution.",
        formula=(
            "2 (max(y, 0)^(2-p) / ((1-p)(2-p)) - y mu^(1-p) / (1-p) + mu^(2-p) / (2-p)); "
            "p=0: (y - mu)^2, p=1: Poisson, p=2: gamma"
        ),
        params=(POWER,),
        family="regression",
        reference_class="mean_tweedie_deviance",
        notes=(
            "Domain: power < 0 needs y_pred > 0; 1 <= power < 2 needs y_true >= 0 and y_pred > 0;"
            " power >= 2 needs y_true > 0 and y_pred > 0 (other values are a data error).",
            _ONE_OUTPUT,
            _WEIGHTED_MEAN,
        ),
        **_ORIGIN,
    ),
    LossSpec(
        name="mean_poisson_deviance",
        kernel=mean_poisson_deviance,
        target=Target.REAL,
        prepare=_deviance_inputs(1.0),
        summary="Mean Poisson deviance (Tweedie power 1), for counts.",
        formula="2 (y log(y / mu) - y + mu), 0 log 0 = 0",
        family="regression",
        reference_class="mean_poisson_deviance",
        notes=(
            "Needs y_true >= 0 and y_pred > 0.",
            "Unlike Keras's poisson (mu - y log(mu + eps)) it is a deviance: 0 for a perfect fit.",
            _ONE_OUTPUT,
            _WEIGHTED_MEAN,
        ),
        **_ORIGIN,
    ),
    LossSpec(
        name="mean_gamma_deviance",
        kernel=mean_gamma_deviance,
        target=Target.REAL,
        prepare=_deviance_inputs(2.0),
        summary="Mean gamma deviance (Tweedie power 2), for positive skewed targets.",
        formula="2 (log(mu / y) + y / mu - 1)",
        family="regression",
        reference_class="mean_gamma_deviance",
        notes=("Needs y_true > 0 and y_pred > 0.", _ONE_OUTPUT, _WEIGHTED_MEAN),
        **_ORIGIN,
    ),
    LossSpec(
        name="mean_pinball",
        kernel=mean_pinball,
        target=Target.REAL,
        summary="Mean pinball (quantile) loss for a prediction of the alpha-quantile.",
        formula="d = y - p: alpha d if d >= 0 else (alpha - 1) d; mean over outputs",
        aliases=("mean_pinball_loss",),
        params=(ALPHA,),
        family="regression",
        reference_class="mean_pinball_loss",
        notes=(
            "alpha=0.5 gives half the mean absolute error.",
            "K outputs are averaged per row: scikit-learn's multioutput='uniform_average'.",
            _WEIGHTED_MEAN,
        ),
        **_ORIGIN,
    ),
    LossSpec(
        name="max_error",
        kernel=absolute_error,
        target=Target.REAL,
        prepare=_one_output_inputs,
        summary="Maximum absolute error over all rows.",
        formula="max |y - p| over rows (per row: |y - p|)",
        family="regression",
        reference_class="max_error",
        notes=(
            "Its default reduction is `max`: the largest per-row |y - p|. Other reductions"
            " give the usual means of |y - p|.",
            "The max ignores sample weights (scikit-learn's max_error takes none): a row of"
            " weight 0 still counts in it.",
            _ONE_OUTPUT,
        ),
        **{**_ORIGIN, "default_reduction": "max"},
    ),
    LossSpec(
        name="root_mean_squared_error",
        kernel=rmse_of_row,
        target=Target.REAL,
        scope=Scope.DATASET,
        ratio=RatioOfSums(squared_error_sums, root_mean_from_sums, _always, weighted=True),
        summary="Root mean squared error over the dataset, per output, then averaged.",
        formula="mean_k sqrt(sum(w (y_k - p_k)^2) / sum(w))",
        aliases=("rmse",),
        family="regression",
        reference_class="root_mean_squared_error",
        notes=(
            "One value for the whole dataset, the same under every reduction; weights enter the"
            " mean inside the root (scikit-learn's sample_weight).",
            "K outputs: the mean of the per-output RMSEs (scikit-learn's uniform_average), not"
            " the root of the mean MSE.",
            "All weights 0 give 0 (scikit-learn raises).",
        ),
        **_ORIGIN,
    ),
    LossSpec(
        name="root_mean_squared_log_error",
        kernel=rmsle_of_row,
        target=Target.REAL,
        prepare=_log1p_inputs,
        scope=Scope.DATASET,
        ratio=RatioOfSums(log1p_squared_error_sums, root_mean_from_sums, _always, weighted=True),
        summary="Root mean squared logarithmic error: the RMSE of log(1 + y) and log(1 + p).",
        formula="mean_k sqrt(sum(w (log1p(y_k) - log1p(p_k))^2) / sum(w))",
        aliases=("rmsle",),
        family="regression",
        reference_class="root_mean_squared_log_error",
        notes=(
            "Values <= -1 are a data error (scikit-learn raises); values in (-1, 0) are fine."
            " Keras's msle instead clamps at eps.",
            "One value for the whole dataset, the same under every reduction; K outputs: the"
            " mean of the per-output roots.",
            "All weights 0 give 0 (scikit-learn raises).",
        ),
        **_ORIGIN,
    ),
)
