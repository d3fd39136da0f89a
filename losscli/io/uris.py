"""Tell a URI (``s3://bucket/key``) from a local path, and show one without its secrets.

Kept apart from :mod:`losscli.io.remote` so local inputs can be told from remote ones without
importing any remote machinery.
"""

from __future__ import annotations

import re

__all__ = ["display_uri", "is_uri", "uri_scheme"]

_URI = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def is_uri(path: str) -> bool:
    """Whether ``path`` is a URI (``scheme://...``) rather than a local path."""
    return bool(_URI.match(path))


def uri_scheme(uri: str) -> str:
    """The lower-cased scheme of ``uri`` (``s3`` for ``s3://b/k``); "" for a local path."""
    match = _URI.match(uri)
    return match.group(1).lower() if match else ""


def display_uri(uri: str) -> str:
    """``uri`` safe to print: a password in it and its query values (signatures) hidden."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(uri)
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        if ":" in user:
            netloc = f"{user.split(':', 1)[0]}:***@{host}"
    query = parts.query
    if query:
        query = "&".join(f"{item.partition('=')[0]}=***" for item in query.split("&"))
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
