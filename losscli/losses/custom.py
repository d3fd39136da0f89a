"""User-defined losses: a function or class from a file or module, and installed plugins.

Loading a user loss runs its code. losscli does that only for a path or module named
explicitly (``--loss my_losses.py:huber_fn``, ``--loss my_pkg.losses:Focal``) or for a
package installed with an entry point in the group ``losscli.losses``; nothing is evaluated
from a string and nothing is unpickled.

A user loss is ``f(y_true, y_pred, **params) -> one value per row`` (NumPy in, NumPy out), or
a class built with the parameters whose instances are called, or have ``call(y_true,
y_pred)``, the Keras pattern. It gets the same reductions, weights, streaming, per-sample
output and gates as a built-in loss. Mark a loss that needs a whole batch (and may return one
number per batch) with an attribute ``losscli_scope = "batch"``.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import importlib
import importlib.util
import inspect
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from losscli.errors import InputDataError, ShapeError, UsageError
from losscli.lazy_numpy import lazy_numpy
from losscli.losses.spec import LossSpec, Param, ParamKind, Scope, Target

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy(globals())

PLUGIN_GROUP = "losscli.losses"
_REFERENCE = re.compile(r"^(?P<source>[^:]*(?:\.py|[./\\][^:]*)):(?P<name>[A-Za-z_]\w*)$")


def is_user_reference(text: str) -> bool:
    """Whether ``text`` names user code: ``file.py:name`` or ``package.module:name``."""
    return _REFERENCE.match(text.strip()) is not None


def load_user_spec(reference: str) -> LossSpec:
    """The loss named by ``file.py:name`` or ``package.module:name`` (this runs that code)."""
    match = _REFERENCE.match(reference.strip())
    if match is None:
        raise UsageError(f"{reference!r} is not FILE.py:NAME or PACKAGE.MODULE:NAME")
    source, name = match["source"], match["name"]
    module = _load_module(source)
    if not hasattr(module, name):
        public = [n for n in dir(module) if not n.startswith("_")]
        close = difflib.get_close_matches(name, public, n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise UsageError(f"{source} has no {name!r}{hint}")
    return spec_from_callable(getattr(module, name), name, origin="user", source=reference.strip())


def _load_module(source: str) -> Any:
    if source.endswith(".py") or "/" in source or "\\" in source:
        path = Path(source)
        if not path.is_file():
            raise UsageError(f"cannot load losses from {source!r}: no such file")
        digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
        module_name = f"losscli_user_{path.stem}_{digest}"
        if module_name in sys.modules:
            return sys.modules[module_name]
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:  # Python loads modules from .py files only
            raise UsageError(
                f"cannot load losses from {source!r}: it is not a Python file (FILE.py:NAME)"
            )
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except (Exception, SystemExit) as exc:  # a module calling sys.exit() must not end losscli
            raise UsageError(f"loading {source} failed: {type(exc).__name__}: {exc}") from exc
        sys.modules[module_name] = module
        return module
    try:
        return importlib.import_module(source)
    except ImportError as exc:
        raise UsageError(f"cannot import {source!r}: {exc}") from exc
    except (Exception, SystemExit) as exc:
        raise UsageError(f"importing {source} failed: {type(exc).__name__}: {exc}") from exc


def spec_from_callable(
    target: Any, name: str, *, origin: str, source: str | None = None
) -> LossSpec:
    """A registry entry wrapping a user function or loss class, named ``name``."""
    if isinstance(target, LossSpec):
        return target
    if not callable(target):
        raise UsageError(f"{name} is not a function or class (it is a {type(target).__name__})")
    scope = Scope.BATCH if getattr(target, "losscli_scope", "row") == "batch" else Scope.ROW
    doc = inspect.getdoc(target) or ""
    summary = doc.splitlines()[0] if doc else f"User-defined loss {name}."
    return LossSpec(
        name=name,
        kernel=functools.partial(_call_user_loss, target, name, scope),
        target=Target.REAL,
        summary=summary,
        formula="user code",
        params=_declared_params(target),
        scope=scope,
        origin=origin,
        reference_class=source or getattr(target, "__qualname__", name),
        reference_dtype="float64",
        family="user",
        prepare=_prepare_user_inputs,
    )


def _declared_params(target: Any) -> tuple[Param, ...]:
    """The keyword parameters of the function (after y_true, y_pred) or of the constructor."""
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return ()
    parameters = list(signature.parameters.values())
    if not inspect.isclass(target):
        parameters = parameters[2:]
    return tuple(
        Param(
            p.name,
            ParamKind.VALUE,
            None if p.default is inspect.Parameter.empty else p.default,
            "user-defined parameter",
        )
        for p in parameters
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    )


def _call_user_loss(
    target: Any, name: str, scope: Scope, y_true: np.ndarray, y_pred: np.ndarray, **params: Any
) -> np.ndarray:
    """Run user code on one batch and check it gave one value per row (or one per batch)."""
    params = {key: value for key, value in params.items() if value is not None}
    try:
        if inspect.isclass(target):
            instance = target(**params)
            method = getattr(instance, "call", None) or instance
            result = method(y_true, y_pred)
        else:
            result = target(y_true, y_pred, **params)
        values = np.asarray(result, dtype=np.float64)
    except Exception as exc:
        raise InputDataError(f"custom loss {name} raised {type(exc).__name__}: {exc}") from exc
    rows = len(y_pred)
    if values.ndim == 2 and values.shape == (rows, 1):
        values = values[:, 0]
    if values.ndim == 0 and scope is Scope.BATCH:
        return values
    if values.shape != (rows,):
        expected = f"({rows},)" + (" or a scalar" if scope is Scope.BATCH else "")
        raise InputDataError(
            f"custom loss {name} returned shape {values.shape}; expected one value per row, "
            f"shape {expected}"
            + ("" if scope is Scope.BATCH else " (set losscli_scope = 'batch' for one per batch)")
        )
    return values


def _prepare_user_inputs(loss: Any, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: Any) -> Any:
    """Numbers in the column convention; shapes are the user code's business beyond rows."""
    from losscli.arrays import Batch, as_columns, float_array  # arrays imports the registry

    true = as_columns(float_array(y_true, dtype, "y_true", loss, row_ids), "y_true", loss)
    pred = as_columns(float_array(y_pred, dtype, "y_pred", loss, row_ids), "y_pred", loss)
    if len(true) != len(pred):
        raise ShapeError(f"{loss.name}: y_true has {len(true)} rows but y_pred has {len(pred)}")
    return Batch(true, pred)


@functools.cache
def plugin_specs() -> tuple[LossSpec, ...]:
    """Losses registered by installed packages under the entry-point group ``losscli.losses``.

    An entry point may name a :class:`LossSpec` or a loss function/class; its entry-point name
    is the loss's name. A plugin that fails to load is reported, not ignored.
    """
    from importlib.metadata import entry_points  # slow to import; only listing needs it

    specs = []
    for entry in entry_points(group=PLUGIN_GROUP):
        try:
            target = entry.load()
        except Exception as exc:
            raise UsageError(
                f"plugin loss {entry.name!r} ({entry.value}) failed to load: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        spec = spec_from_callable(target, entry.name, origin="plugin")
        specs.append(spec if spec.origin == "plugin" else replace(spec, origin="plugin"))
    return tuple(specs)
