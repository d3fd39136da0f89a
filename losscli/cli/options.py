"""Parsing of the option values shared by commands: losses, parameters, class weights."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from losscli.errors import ParameterError, UsageError
from losscli.losses import Loss, get_loss, get_spec
from losscli.losses.custom import is_user_reference


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """Split on ``separator`` outside brackets, so ``alpha=[0.2,0.8],gamma=2`` has two parts."""
    parts, depth, current = [], 0, []
    for char in text:
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def parse_assignments(loss_name: str, items: Sequence[str]) -> dict[str, Any]:
    """``NAME=VALUE`` texts parsed by the loss's declared parameter types."""
    spec = get_spec(loss_name)
    params: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"{spec.name}: parameter {item!r} must be NAME=VALUE")
        param = spec.param(name.strip())
        if param.name in params:  # which one was meant is not known: say so, keep neither
            raise ParameterError(f"{spec.name}: parameter {param.name} is given more than once")
        params[param.name] = param.parse(value, spec.name)
    return params


def parse_loss(text: str, params: Sequence[str] = ()) -> Loss:
    """A ``--loss`` value: a name, ``name:param=value,...`` or a Keras config as JSON."""
    if text.lstrip().startswith("{"):
        loss = get_loss(text)
        return loss.with_params(**parse_assignments(loss.name, params)) if params else loss
    if is_user_reference(text):
        return get_loss(text.strip(), **parse_assignments(text.strip(), params))
    name, _, inline = text.partition(":")
    assignments = [*split_top_level(inline), *params]
    spec = get_spec(name.strip())
    return get_loss(spec.name, **parse_assignments(spec.name, assignments))


def parse_losses(texts: Sequence[str], params: Sequence[str]) -> list[Loss]:
    """Every ``--loss``; ``--param`` applies only when there is exactly one loss."""
    if params and len(texts) != 1:
        raise UsageError(
            "--param applies to a single --loss; with several, write parameters inline, "
            "e.g. --loss 'huber:delta=2.0'"
        )
    return [parse_loss(text, params) for text in texts]


def parse_class_weight(text: str) -> dict[Any, Any]:
    """``0=1.0,1=3.5``, a JSON object, or ``@file.json``."""
    text = text.strip()
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"cannot read class weights from {str(path)!r}: {exc.strerror}"
            ) from None
        except UnicodeDecodeError:
            raise UsageError(
                f"class weights in {str(path)!r} are not valid JSON: it is not UTF-8 text"
            ) from None
        return _json_object(text, str(path))
    if text.startswith("{"):
        return _json_object(text, "--class-weight")
    weights: dict[Any, Any] = {}
    for item in split_top_level(text):
        key, sep, value = item.partition("=")
        if not sep:
            key, sep, value = item.partition(":")
        if not sep:
            raise UsageError(f"class weight {item!r} must be CLASS=WEIGHT, e.g. 1=3.5")
        if key.strip() in weights:
            raise UsageError(f"class weight {item!r}: class {key.strip()} is given more than once")
        try:
            weights[key.strip()] = float(value)
        except ValueError:
            raise UsageError(f"class weight {item!r}: {value.strip()!r} is not a number") from None
    return weights


def _json_object(text: str, where: str) -> dict[Any, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"class weights in {where} are not valid JSON: {exc.msg}") from None
    if not isinstance(value, dict):
        raise UsageError(f"class weights in {where} must be a JSON object of class: weight")
    return value
