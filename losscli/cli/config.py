"""``--config``: option defaults from ``losscli.toml`` or ``[tool.losscli]`` in pyproject.toml.

A CI job becomes one command, ``losscli evaluate --config eval.toml preds.parquet``. The file's
table for the command (``[evaluate]``, or ``[tool.losscli.evaluate]`` in ``pyproject.toml``)
holds option values by their long names (``loss``, ``y_true``, ``group_by``, ``ci``,
``fail_if``, ...); options given on the command line win.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from losscli.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def load_config(path: str, command: str) -> dict[str, Any]:
    """The option values of ``command`` in the TOML file at ``path``."""
    try:
        with open(path, "rb") as file:
            data = tomllib.load(file)
    except OSError as exc:
        raise ConfigError(f"cannot read config {path!r}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path!r} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config {path!r} is not UTF-8 text, so not TOML") from None
    if Path(path).name == "pyproject.toml":
        data = data.get("tool", {}).get("losscli", {})
    table = data.get(command, {})
    if not isinstance(table, dict):
        raise ConfigError(f"config {path!r}: [{command}] must be a table")
    return table


def config_callback(command: str, aliases: dict[str, str]) -> Any:
    """A click callback that turns the config file into the command's default values."""

    def apply(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return value
        table = load_config(value, command)
        names = {p.name: p for p in ctx.command.params if p.name}
        defaults: dict[str, Any] = {}
        for key, setting in table.items():
            name = aliases.get(key.replace("-", "_"), key.replace("-", "_"))
            if name not in names:
                known = ", ".join(sorted(set(aliases) | set(names) - {"config", "inputs"}))
                raise ConfigError(f"config {value!r}: unknown setting {key!r} (settings: {known})")
            option = names[name]
            if getattr(option, "multiple", False) and not isinstance(setting, list):
                setting = [setting]
            _check_value(ctx, option, setting, f"config {value!r}: setting {key!r}")
            defaults[name] = setting
        ctx.default_map = {**(ctx.default_map or {}), **defaults}
        return value

    return apply


def _check_value(ctx: click.Context, option: click.Parameter, value: Any, where: str) -> None:
    """Check a config value as the option would check it, naming the file and the key.

    Click checks default values only after every option is parsed, in an error that names the
    option but not the config file the value came from.
    """
    values = value if getattr(option, "multiple", False) else [value]
    for item in values:
        if isinstance(item, (dict, list)):
            kind = "a table" if isinstance(item, dict) else "an array"
            raise ConfigError(f"{where} must hold a plain value (a string or a number), not {kind}")
    try:
        option.type_cast_value(ctx, value)
    except click.BadParameter as exc:
        raise ConfigError(f"{where}: {exc.message.rstrip('.')}") from None
