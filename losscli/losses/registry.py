"""The loss registry: look a loss up by name, alias or Keras config.

Lookups ignore case, ``-`` and ``_``, so ``mse``, ``MSE``, ``mean-squared-error`` and
``MeanSquaredError`` all name the same loss.
"""

from __future__ import annotations

import difflib
import importlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from losscli.errors import ParameterError, UnknownLossError
from losscli.losses.custom import (
    is_user_reference,
    load_user_spec,
    plugin_specs,
    spec_from_callable,
)
from losscli.losses.loss import Loss
from losscli.losses.spec import LossSpec, identifiers

_SPECS: dict[str, LossSpec] = {}
_BY_KEY: dict[str, str] = {}


def normalize_identifier(identifier: str) -> str:
    """The lookup key of an identifier: lower case without ``-``, ``_`` or spaces."""
    return re.sub(r"[-_\s]", "", identifier).lower()


def register(spec: LossSpec) -> LossSpec:
    """Add ``spec`` to the registry; an identifier may name only one loss."""
    _load_builtins()
    for identifier in identifiers(spec):
        key = normalize_identifier(identifier)
        owner = _BY_KEY.get(key)
        if owner is not None and owner != spec.name:
            raise ValueError(f"identifier {identifier!r} of {spec.name} already names {owner}")
    _SPECS[spec.name] = spec
    for identifier in identifiers(spec):
        _BY_KEY[normalize_identifier(identifier)] = spec.name
    return spec


def get_spec(identifier: str) -> LossSpec:
    """The registry entry named by ``identifier``; unknown names suggest the closest ones.

    ``file.py:name`` and ``package.module:name`` load a user-defined loss (running its code).
    """
    if is_user_reference(identifier):
        return load_user_spec(identifier)
    _load_builtins()
    name = _BY_KEY.get(normalize_identifier(identifier))
    if name is None and _load_plugins():
        name = _BY_KEY.get(normalize_identifier(identifier))
    if name is None:
        raise UnknownLossError(_unknown_message(identifier))
    return _SPECS[name]


_plugins_loaded = False


def _load_plugins() -> bool:
    """Register installed plugin losses once; True if this call registered any."""
    global _plugins_loaded
    if _plugins_loaded:
        return False
    _plugins_loaded = True
    specs = plugin_specs()
    for spec in specs:
        register(spec)
    return bool(specs)


def list_losses(origin: str | None = None) -> list[LossSpec]:
    """Every registered loss (optionally only those of one origin), sorted by name."""
    _load_builtins()
    _load_plugins()
    specs = sorted(_SPECS.values(), key=lambda spec: spec.name)
    return [spec for spec in specs if origin is None or spec.origin == origin]


def get_loss(identifier: str | Mapping[str, Any] | Loss, **params: Any) -> Loss:
    """A loss bound to validated parameters.

    ``identifier`` is a name or alias (``"huber"``, ``"Huber"``), a Keras config dict
    (``{"class_name": "Huber", "config": {"delta": 2.0}}``) or its JSON text, a :class:`Loss`,
    a user function or loss class, or ``"file.py:name"`` / ``"package.module:name"`` (which
    runs that code); ``params`` override the parameters it carries.
    """
    if isinstance(identifier, Loss):
        return identifier.with_params(**params) if params else identifier
    if isinstance(identifier, str) and identifier.lstrip().startswith("{"):
        try:
            identifier = json.loads(identifier)
        except json.JSONDecodeError as exc:
            raise ParameterError(f"loss config is not valid JSON: {exc.msg}") from None
    if isinstance(identifier, Mapping):
        return _from_config(identifier, params)
    if callable(identifier) and not isinstance(identifier, str):
        name = getattr(identifier, "__name__", type(identifier).__name__)
        spec = spec_from_callable(identifier, name, origin="user")
        return Loss(spec, spec.validate_params(params))
    if not isinstance(identifier, str):
        raise UnknownLossError(f"a loss is named by a string or a config dict, not {identifier!r}")
    spec = get_spec(identifier)
    return Loss(spec, spec.validate_params(params))


# Keys of a Keras loss config that are not loss parameters.
_CONFIG_META = {"name", "reduction", "dtype", "trainable", "registered_name", "module"}


def _from_config(config: Mapping[str, Any], overrides: Mapping[str, Any]) -> Loss:
    class_name = config.get("class_name")
    if not isinstance(class_name, str):
        raise ParameterError('a loss config needs a "class_name" string, e.g. "Huber"')
    spec = get_spec(class_name)
    inner = config.get("config") or {}
    if not isinstance(inner, Mapping):
        raise ParameterError(f'{spec.name}: "config" must be an object, not {inner!r}')
    params = {key: value for key, value in inner.items() if key not in _CONFIG_META}
    spec, params = _variant(spec, params)
    params.update(overrides)
    reduction = inner.get("reduction")
    if isinstance(reduction, str) and reduction.lower() == "auto":
        reduction = "sum_over_batch_size"  # Keras 2 (and TFA) configs: AUTO means that
    return Loss(
        spec,
        spec.validate_params(params),
        reduction=reduction,
        dtype=_config_dtype(inner.get("dtype")),
    )


def _variant(spec: LossSpec, params: dict[str, Any]) -> tuple[LossSpec, dict[str, Any]]:
    """The loss a config selects among those sharing a reference class (by ``config_variant``)."""
    siblings = [
        other
        for other in _SPECS.values()
        if other.config_variant and other.reference_class == spec.reference_class
    ]
    for other in siblings:
        variant = dict(other.config_variant)
        matches = all(params.get(key, value) == value for key, value in variant.items())
        if matches and (other is spec or any(key in params for key in variant)):
            return other, {k: v for k, v in params.items() if k not in variant}
    return spec, params


def _config_dtype(dtype: Any) -> str | None:
    """A Keras config's dtype: a name or a serialized DTypePolicy."""
    if isinstance(dtype, Mapping):
        dtype = (dtype.get("config") or {}).get("name")
    return dtype if isinstance(dtype, str) else None


def _unknown_message(identifier: str) -> str:
    keys = {normalize_identifier(i): i for spec in _SPECS.values() for i in identifiers(spec)}
    close = difflib.get_close_matches(normalize_identifier(identifier), list(keys), n=3, cutoff=0.6)
    suggestions = _unique(_BY_KEY[key] for key in close)
    hint = f"; did you mean {' or '.join(suggestions)}?" if suggestions else ""
    return f"unknown loss {identifier!r}{hint} (run `losscli list` to see every loss)"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


BUILTIN_MODULES = (
    "probabilistic",
    "regression",
    "margin",
    "overlap",
    "embedding",
    "sequence",
    "tfa",
    "pytorch",
    "sklearn",
)
"""The modules of ``losscli.losses`` whose ``LOSSES`` are built in."""

_builtins_loaded = False


def _load_builtins() -> None:
    """Register the built-in losses on first use (so importing the registry stays cheap and
    loss modules may import the rest of losscli)."""
    global _builtins_loaded
    if _builtins_loaded:
        return
    _builtins_loaded = True
    for module_name in BUILTIN_MODULES:
        module = importlib.import_module(f"losscli.losses.{module_name}")
        for spec in module.LOSSES:
            register(spec if spec.family else replace(spec, family=module.FAMILY))
