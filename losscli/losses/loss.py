"""A registry entry bound to its parameters: the thing users compute with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from losscli.errors import InputDataError
from losscli.lazy_numpy import lazy_numpy
from losscli.losses.spec import LossSpec, Scope

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy(globals())


@dataclass(frozen=True)
class Loss:
    """A loss with validated parameters (and, from a Keras config, a reduction and dtype)."""

    spec: LossSpec
    params: Mapping[str, Any] = field(hash=False)
    reduction: str | None = None
    dtype: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def scope(self) -> Scope:
        """Dice and Tversky are dataset-scope only with ``axis=None``; per row otherwise."""
        if self.spec.ratio is not None and not self.spec.ratio.applies(self.params):
            return Scope.ROW
        return self.spec.scope

    @property
    def probability_range(self) -> tuple[float, float | None] | None:
        """The valid y_pred range when it holds probabilities; None for logits or real values."""
        if self.params.get("from_logits"):
            return None
        return self.spec.probabilities

    def with_params(self, **params: Any) -> Loss:
        """The same loss with some parameters replaced (and validated)."""
        merged = {**self.params, **params}
        return Loss(self.spec, self.spec.validate_params(merged), self.reduction, self.dtype)

    def per_row(self, y_true: np.ndarray, y_pred: np.ndarray, **context: Any) -> np.ndarray:
        """The loss of every sample, from arrays already prepared for this loss.

        ``context`` carries dataset-level facts (see :class:`~losscli.losses.spec.DatasetScan`).
        A batch left empty (every row skipped as non-finite) has no losses: batch-scope
        kernels (max over the batch's pairs) cannot run on it.
        """
        if len(y_pred) == 0 and self.scope is Scope.BATCH:
            return np.zeros(0, dtype=np.result_type(y_pred))
        return self.spec.kernel(y_true, y_pred, **self.params, **context)

    def row_mask(
        self, y_true: np.ndarray, y_pred: np.ndarray, values: np.ndarray
    ) -> np.ndarray | None:
        """Which per-row values count in the mean (None: all of them)."""
        if self.spec.mask is None:
            return None
        return self.spec.mask(y_true, y_pred, values, **self.params)

    @property
    def default_reduction(self) -> str:
        """The reduction used when none is asked for: the config's, the reference's, Keras's."""
        return self.reduction or self.spec.default_reduction or "sum_over_batch_size"

    @property
    def weighted_statistics(self) -> bool:
        """Whether the row weights go inside the dataset statistics (and not on the result)."""
        return self.spec.ratio is not None and self.spec.ratio.weighted

    def statistics(
        self, y_true: np.ndarray, y_pred: np.ndarray, weights: np.ndarray | None = None
    ) -> np.ndarray:
        """The summable statistics of a dataset-scope loss over one batch.

        Finite inputs whose sums overflow are a data error (as a value that does not fit the
        dtype is), not a NaN loss under the 'error' policy and a NumPy warning on stderr.
        """
        ratio = self.spec.ratio
        assert ratio is not None
        with np.errstate(over="ignore", invalid="ignore"):
            if ratio.weighted:
                if weights is None:
                    weights = np.ones(len(y_pred))
                sums = np.asarray(ratio.statistics(y_true, y_pred, weights, **self.params))
            else:
                sums = np.asarray(ratio.statistics(y_true, y_pred, **self.params))
        if not np.isfinite(sums).all() and np.isfinite(y_true).all() and np.isfinite(y_pred).all():
            raise self._overflow(np.result_type(y_pred))
        return sums

    def finalize(self, sums: np.ndarray, dtype: np.dtype) -> float:
        """A dataset-scope loss's value from its summed statistics (finite sums overflowing
        ``dtype`` are a data error, as in :meth:`statistics`)."""
        assert self.spec.ratio is not None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            value = self.spec.ratio.finalize(sums, dtype, **self.params)
        if not np.isfinite(value) and np.isfinite(sums).all():
            raise self._overflow(np.dtype(dtype))
        return value

    def _overflow(self, dtype: np.dtype) -> InputDataError:
        advice = "; compute in float64 (--dtype float64)" if dtype.itemsize < 8 else ""
        return InputDataError(f"{self.name}: the dataset's sums overflow {dtype.name}{advice}")

    def keras_config(self) -> dict[str, Any]:
        """The Keras ``{"class_name": ..., "config": ...}`` that builds the same loss."""
        config: dict[str, Any] = dict(self.spec.config_variant)
        config.update({key: _jsonable(value) for key, value in self.params.items()})
        if self.reduction is not None:
            config["reduction"] = self.reduction
        return {"class_name": self.spec.reference_class or self.spec.name, "config": config}

    def __str__(self) -> str:
        changed = {k: v for k, v in self.params.items() if v != self.spec.defaults.get(k)}
        if not changed:
            return self.name
        args = ", ".join(f"{key}={_jsonable(value)!r}" for key, value in changed.items())
        return f"{self.name}({args})"


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
