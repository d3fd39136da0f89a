"""``--storage-option KEY=VALUE``: parse them, convert their values, and keep secrets out of text.

Storage options configure how remote inputs are reached (an endpoint, a region, anonymous
access, explicit credentials). Some values are secrets: :meth:`StorageOptions.redact` replaces
every secret value in a message with ``***`` so no error or note can echo one, and the options
never appear in ``repr`` output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from losscli.errors import UsageError

__all__ = ["SECRET_KEYS", "StorageOptions", "parse_storage_options"]

# Keys whose values are credentials, in any backend's spelling.
SECRET_KEYS = frozenset(
    {
        "secret_key",
        "aws_secret_access_key",
        "secret",
        "session_token",
        "aws_session_token",
        "token",
        "access_token",
        "account_key",
        "sas_token",
        "connection_string",
        "client_secret",
        "password",
        "kerb_ticket",
    }
)
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_REDACTED = "***"


@dataclass(frozen=True)
class StorageOptions:
    """Storage options as given: ``KEY -> VALUE`` strings, keys lower-cased, in order.

    The mapping is left out of ``repr`` so a logged or printed object shows no secret.
    """

    values: Mapping[str, str] = field(default_factory=dict, repr=False)

    def __bool__(self) -> bool:
        return bool(self.values)

    def keys(self) -> list[str]:
        """The keys given, in order."""
        return list(self.values)

    def secrets(self) -> list[str]:
        """The values that are credentials (longest first, so redaction replaces whole ones)."""
        found = {value for key, value in self.values.items() if key in SECRET_KEYS and value}
        return sorted(found, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every secret value replaced by ``***``."""
        for secret in self.secrets():
            text = text.replace(secret, _REDACTED)
        return text

    def flag(self, key: str) -> bool:
        """The value of ``key`` as a boolean (true/false, yes/no, 1/0, on/off)."""
        value = self.values[key].strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise UsageError(f"--storage-option {key} must be true or false, got {value!r}")

    def number(self, key: str, *, integer: bool = False) -> float:
        """The value of ``key`` as a positive number (an integer if ``integer``)."""
        text = self.values[key].strip()
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            value = -1
        if not value > 0:
            kind = "a positive integer" if integer else "a positive number"
            raise UsageError(f"--storage-option {key} must be {kind}, got {text!r}")
        return value

    def check_known(self, known: Iterable[str], where: str) -> None:
        """Raise :class:`UsageError` for a key not in ``known``, listing the known ones."""
        allowed = list(known)
        for key in self.values:
            if key not in allowed:
                listing = ", ".join(allowed) if allowed else "none"
                raise UsageError(
                    f"unknown --storage-option '{key}' for {where}; known options: {listing}"
                )


def parse_storage_options(
    items: Iterable[str] | Mapping[str, object] | StorageOptions | None,
) -> StorageOptions:
    """Storage options from ``KEY=VALUE`` strings (the CLI) or a mapping (the Python API).

    Raises:
        UsageError: an item has no ``=`` or an empty key, or a key is given twice.
    """
    if items is None:
        return StorageOptions()
    if isinstance(items, StorageOptions):
        return items
    pairs: list[tuple[str, str]] = []
    if isinstance(items, Mapping):
        pairs = [(str(key), _text(value)) for key, value in items.items()]
    else:
        for number, item in enumerate(items, start=1):
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                # The item is not echoed: it may be a credential typed without its key.
                raise UsageError(
                    f"--storage-option number {number} is not KEY=VALUE (e.g. "
                    "endpoint_url=http://127.0.0.1:9000)"
                )
            pairs.append((key, value))
    values: dict[str, str] = {}
    for key, value in pairs:
        name = key.strip().lower().replace("-", "_")
        if name in values:
            raise UsageError(f"--storage-option '{name}' is given twice")
        values[name] = value.strip()
    return StorageOptions(values)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
