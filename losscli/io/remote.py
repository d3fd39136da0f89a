"""Remote inputs: turn a URI into a pyarrow filesystem and a path, and expand prefixes and globs.

``s3://``, ``gs://`` (``gcs://``), ``az://`` (``abfs://``, ``abfss://``) and ``hdfs://`` are read
through pyarrow's native filesystems; ``http://`` and ``https://``, which pyarrow has none for,
through fsspec (``losscli[http]``). Credentials come from where each backend looks by default
(environment variables, profiles, instance metadata) or from ``--storage-option``; none is ever
printed: labels drop a URI's password and query, and every message goes through
:meth:`StorageOptions.redact`. A backend that is not installed is a :class:`UsageError` (exit 2)
naming the extra to install; a store that cannot be reached or has no such object is an
:class:`InputDataError` (exit 3), as a missing local file is.

Nothing here is imported until an input is a URI: ``losscli --help`` and local inputs load no
``pyarrow.fs``.
"""

from __future__ import annotations

import datetime
import importlib
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from losscli.errors import InputDataError, LossCliError, UsageError
from losscli.io.formats import EXTENSIONS, format_from_name
from losscli.io.reasons import READ_ERRORS, reason
from losscli.io.storage_options import StorageOptions
from losscli.io.uris import display_uri, uri_scheme

__all__ = ["SCHEMES", "Location", "Remotes"]

_GLOB = re.compile(r"[*?\[]")
_LOOKED_FOR = f"looked for {', '.join(EXTENSIONS)}, optionally compressed"


@dataclass(frozen=True)
class Location:
    """Where one remote file is: its filesystem, its path there, its size and a safe label."""

    filesystem: Any  # pyarrow.fs.FileSystem
    path: str
    size: int | None
    label: str
    name: str  # the URI's path, whose extension may say the format


# --------------------------------------------------------------------------------------------
# backends: how each scheme's filesystem is made from the URI's authority and the options


@dataclass(frozen=True)
class _Backend:
    """One kind of store: its schemes, the extra providing it, its options, how to make it."""

    name: str
    extra: str
    options: tuple[str, ...]
    make: Callable[[str, StorageOptions], Any]
    listable: bool = True
    # How a URI's authority and path become the path inside the filesystem.
    bucket_in_path: bool = True


def _import(module: str, name: str, backend: str, extra: str) -> Any:
    """``module.name``, or a :class:`UsageError` naming the extra that provides it."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        raise UsageError(
            f"reading {backend} inputs needs support this installation lacks ({module}); "
            f"install it with: pip install 'losscli[{extra}]'"
        ) from err


def _endpoint(options: StorageOptions) -> dict[str, str]:
    """``endpoint_url`` (http://host:port) as pyarrow's ``endpoint_override`` and ``scheme``."""
    if "endpoint_url" not in options.values:
        return {}
    url = options.values["endpoint_url"]
    parts = urllib.parse.urlsplit(url if "://" in url else f"https://{url}")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"--storage-option endpoint_url must look like http://host:port, got {url!r}"
        )
    return {"endpoint_override": parts.netloc + parts.path.rstrip("/"), "scheme": parts.scheme}


_S3_ALIASES = {
    "access_key": ("access_key", "aws_access_key_id", "key"),
    "secret_key": ("secret_key", "aws_secret_access_key", "secret"),
    "session_token": ("session_token", "aws_session_token", "token"),
    "region": ("region", "region_name"),
    "anonymous": ("anonymous", "anon"),
}
_S3_OPTIONS = (
    "endpoint_url",
    *(name for names in _S3_ALIASES.values() for name in names),
    "role_arn",
    "session_name",
    "external_id",
    "connect_timeout",
    "request_timeout",
    "retries",
    "force_virtual_addressing",
)


def _s3(authority: str, options: StorageOptions) -> Any:
    del authority  # the bucket is part of every path
    s3_class = _import("pyarrow._s3fs", "S3FileSystem", "s3://", "s3")
    kwargs: dict[str, Any] = dict(_endpoint(options))
    values = options.values
    for target, names in _S3_ALIASES.items():
        for name in names:
            if name in values:
                kwargs[target] = options.flag(name) if target == "anonymous" else values[name]
    for name in ("role_arn", "session_name", "external_id"):
        if name in values:
            kwargs[name] = values[name]
    for name in ("connect_timeout", "request_timeout"):
        if name in values:
            kwargs[name] = options.number(name)
    if "force_virtual_addressing" in values:
        kwargs["force_virtual_addressing"] = options.flag("force_virtual_addressing")
    if "retries" in values:
        strategy = _import("pyarrow._s3fs", "AwsStandardS3RetryStrategy", "s3://", "s3")
        kwargs["retry_strategy"] = strategy(
            max_attempts=int(options.number("retries", integer=True))
        )
    if ("secret_key" in kwargs) != ("access_key" in kwargs):
        raise UsageError("--storage-option access_key and secret_key must be given together")
    return s3_class(**kwargs)


_GCS_OPTIONS = (
    "endpoint_url",
    "anonymous",
    "anon",
    "project_id",
    "access_token",
    "target_service_account",
    "retry_time_limit",
)


def _gcs(authority: str, options: StorageOptions) -> Any:
    del authority
    gcs_class = _import("pyarrow._gcsfs", "GcsFileSystem", "gs://", "gcs")
    kwargs: dict[str, Any] = dict(_endpoint(options))
    values = options.values
    for name in ("anonymous", "anon"):
        if name in values:
            kwargs["anonymous"] = options.flag(name)
    for name in ("project_id", "target_service_account"):
        if name in values:
            kwargs[name] = values[name]
    if "access_token" in values:
        # pyarrow needs an expiry with a token; an hour is longer than a run needs it.
        kwargs["access_token"] = values["access_token"]
        kwargs["credential_token_expiration"] = datetime.datetime.now(
            datetime.timezone.utc
        ) + datetime.timedelta(hours=1)
    if "retry_time_limit" in values:
        kwargs["retry_time_limit"] = datetime.timedelta(seconds=options.number("retry_time_limit"))
    return gcs_class(**kwargs)


_AZURE_OPTIONS = (
    "account_name",
    "account_key",
    "sas_token",
    "tenant_id",
    "client_id",
    "client_secret",
    "endpoint_url",
)


def _azure(authority: str, options: StorageOptions) -> Any:
    del authority
    azure_class = _import("pyarrow._azurefs", "AzureFileSystem", "az://", "azure")
    values = dict(options.values)
    account = values.pop("account_name", None)
    if not account:
        raise UsageError(
            "az:// inputs need the storage account: pass --storage-option account_name=NAME"
        )
    kwargs: dict[str, Any] = {"account_name": account}
    if "endpoint_url" in values:
        endpoint = _endpoint(options)
        kwargs["blob_storage_authority"] = endpoint["endpoint_override"]
        kwargs["dfs_storage_authority"] = endpoint["endpoint_override"]
        kwargs["blob_storage_scheme"] = endpoint["scheme"]
        kwargs["dfs_storage_scheme"] = endpoint["scheme"]
        values.pop("endpoint_url")
    kwargs.update(values)
    return azure_class(**kwargs)


_HDFS_OPTIONS = ("user", "kerb_ticket")


def _hdfs(authority: str, options: StorageOptions) -> Any:
    hdfs_class = _import("pyarrow._hdfs", "HadoopFileSystem", "hdfs://", "hdfs")
    host, _, port = authority.rpartition(":") if ":" in authority else (authority, "", "")
    try:
        port_number = int(port) if port else 8020
    except ValueError:
        raise UsageError(f"hdfs:// URI has a bad port {port!r}") from None
    kwargs = {name: options.values[name] for name in _HDFS_OPTIONS if name in options.values}
    return hdfs_class(host or "default", port_number, **kwargs)


_HTTP_OPTIONS = ("headers", "block_size")


def _http(authority: str, options: StorageOptions) -> Any:
    del authority
    fsspec = _import("fsspec", "filesystem", "http(s)://", "http")
    _import("aiohttp", "ClientSession", "http(s)://", "http")
    handler = _import("pyarrow.fs", "FSSpecHandler", "http(s)://", "http")
    py_filesystem = _import("pyarrow.fs", "PyFileSystem", "http(s)://", "http")
    kwargs: dict[str, Any] = {}
    if "block_size" in options.values:
        kwargs["block_size"] = int(options.number("block_size", integer=True))
    if "headers" in options.values:  # e.g. headers=Authorization:Bearer xyz;X-Other:1
        headers = dict(
            item.split(":", 1) for item in options.values["headers"].split(";") if ":" in item
        )
        kwargs["client_kwargs"] = {"headers": {k.strip(): v.strip() for k, v in headers.items()}}
    return py_filesystem(handler(fsspec("http", **kwargs)))


_BACKENDS = {
    "s3": _Backend("S3", "s3", _S3_OPTIONS, _s3),
    "gs": _Backend("Google Cloud Storage", "gcs", _GCS_OPTIONS, _gcs),
    "az": _Backend("Azure", "azure", _AZURE_OPTIONS, _azure),
    "hdfs": _Backend("HDFS", "hdfs", _HDFS_OPTIONS, _hdfs, bucket_in_path=False),
    "http": _Backend("HTTP", "http", _HTTP_OPTIONS, _http, listable=False),
}
_SCHEME_BACKENDS = {
    "s3": "s3",
    "s3a": "s3",
    "gs": "gs",
    "gcs": "gs",
    "az": "az",
    "abfs": "az",
    "abfss": "az",
    "hdfs": "hdfs",
    "viewfs": "hdfs",
    "http": "http",
    "https": "http",
}
SCHEMES = tuple(_SCHEME_BACKENDS)


# --------------------------------------------------------------------------------------------


class Remotes:
    """The remote inputs of one read: their filesystems (one per store) and what listing found.

    Made once per :func:`~losscli.io.sources.open_source` with the user's storage options;
    thread-safe, so parts read on threads share the filesystems.
    """

    def __init__(self, options: StorageOptions) -> None:
        self.options = options
        self._filesystems: dict[tuple[str, str], Any] = {}
        self._sizes: dict[str, int | None] = {}
        self._lock = threading.Lock()

    def redact(self, text: str) -> str:
        """``text`` without any secret of the storage options."""
        return self.options.redact(text)

    def expand(self, uri: str) -> list[str]:
        """The files ``uri`` names: itself, every input file under a prefix, or a glob's matches.

        Raises:
            UsageError: an unsupported scheme, an unknown storage option, a missing extra.
            InputDataError: no such object, nothing matches, the store cannot be reached.
        """
        scheme, authority, path, backend = self._parse(uri)
        filesystem = self._filesystem(scheme, authority)
        if not backend.listable:
            if _GLOB.search(urllib.parse.urlsplit(uri).path):
                raise UsageError(
                    f"'{display_uri(uri)}': {scheme}:// cannot be listed, so globs and prefixes "
                    "do not work there; give each file's URL"
                )
            return [uri]
        prefix = f"{scheme}://{authority}" if not backend.bucket_in_path else f"{scheme}://"
        if _GLOB.search(path):
            found = self._glob(filesystem, path, uri)
        else:
            found = self._file_or_prefix(filesystem, path, uri)
        uris = []
        for file_path, size in found:
            file_uri = prefix + file_path
            self._sizes[file_uri] = size
            uris.append(file_uri)
        return uris

    def locate(self, uri: str) -> Location:
        """The filesystem, path and size of the file at ``uri`` (as :meth:`expand` gave it)."""
        scheme, authority, path, backend = self._parse(uri)
        filesystem = self._filesystem(scheme, authority)
        if not backend.listable:
            path = uri
        size = self._sizes.get(uri)
        if uri not in self._sizes:
            info = self._call(uri, lambda: filesystem.get_file_info(path))
            if info.type == _file_type("NotFound"):
                raise InputDataError(f"cannot read '{display_uri(uri)}': no such object")
            size = info.size
        name = urllib.parse.urlsplit(uri).path
        return Location(filesystem, path, size, display_uri(uri), name)

    def error(self, uri: str, err: BaseException) -> InputDataError:
        """``err`` from reading ``uri`` as a one-line error without secrets."""
        return InputDataError(
            self.redact(f"cannot read '{display_uri(uri)}': {_remote_reason(err)}")
        )

    # ----------------------------------------------------------------------------------------

    def _parse(self, uri: str) -> tuple[str, str, str, _Backend]:
        """The scheme, authority (bucket or host) and path inside the filesystem of ``uri``."""
        scheme = uri_scheme(uri)
        if scheme not in _SCHEME_BACKENDS:
            raise UsageError(
                f"'{display_uri(uri)}': unsupported scheme {scheme}://; supported: "
                + ", ".join(f"{name}://" for name in SCHEMES)
            )
        backend = _BACKENDS[_SCHEME_BACKENDS[scheme]]
        rest = uri[len(scheme) + 3 :]
        authority, _, key = rest.partition("/")
        if not authority:
            raise UsageError(f"'{display_uri(uri)}' names no bucket or host")
        if backend.bucket_in_path:
            path = f"{authority}/{key}".rstrip("/") if key else authority
        else:
            path = "/" + key.rstrip("/")
        return scheme, authority, path, backend

    def _filesystem(self, scheme: str, authority: str) -> Any:
        backend = _BACKENDS[_SCHEME_BACKENDS[scheme]]
        cache_key = (backend.name, "" if backend.bucket_in_path else authority)
        with self._lock:
            if cache_key not in self._filesystems:
                self.options.check_known(backend.options, f"{scheme}:// inputs")
                try:
                    made = backend.make(authority, self.options)
                except LossCliError:
                    raise
                except READ_ERRORS as err:
                    raise InputDataError(
                        self.redact(
                            f"cannot connect to {backend.name} for {scheme}://{authority}: "
                            f"{_remote_reason(err)}"
                        )
                    ) from err
                except TypeError as err:  # an option the installed pyarrow does not take
                    raise UsageError(
                        self.redact(f"a --storage-option is not supported here: {err}")
                    ) from err
                self._filesystems[cache_key] = made
            return self._filesystems[cache_key]

    def _call(self, uri: str, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except READ_ERRORS as err:
            raise self.error(uri, err) from err

    def _file_or_prefix(self, filesystem: Any, path: str, uri: str) -> list[tuple[str, int | None]]:
        info = self._call(uri, lambda: filesystem.get_file_info(path))
        if info.type == _file_type("File"):
            return [(info.path, info.size)]
        if info.type == _file_type("Directory"):
            files = self._walk(filesystem, path, uri)
            if not files:
                raise InputDataError(
                    f"no readable input files under '{display_uri(uri)}' ({_LOOKED_FOR})"
                )
            return files
        raise InputDataError(f"cannot read '{display_uri(uri)}': no such object or prefix")

    def _glob(self, filesystem: Any, path: str, uri: str) -> list[tuple[str, int | None]]:
        """Files whose path matches ``path`` (``*``, ``?``, ``[..]`` in a segment, ``**``)."""
        first = _GLOB.search(path).start()  # type: ignore[union-attr]
        base = path[: path.rfind("/", 0, first)] if "/" in path[:first] else path[:first]
        pattern = _glob_regex(path)
        infos = self._list(filesystem, base, uri)
        matched = [info for info in infos if pattern.fullmatch(info.path)]
        if not matched:
            raise InputDataError(f"no files match '{display_uri(uri)}'")
        files: list[tuple[str, int | None]] = []
        for info in matched:
            if info.type == _file_type("File"):
                files.append((info.path, info.size))
            elif info.type == _file_type("Directory"):
                files.extend(self._walk(filesystem, info.path, uri))
        if not files:
            raise InputDataError(
                f"no readable input files match '{display_uri(uri)}' ({_LOOKED_FOR})"
            )
        return files

    def _walk(self, filesystem: Any, base: str, uri: str) -> list[tuple[str, int | None]]:
        """Every input file under ``base``, skipping hidden names (``.x``, ``_x``) below it."""
        files = []
        for info in self._list(filesystem, base, uri):
            below = info.path[len(base) :].strip("/").split("/")
            if info.type != _file_type("File") or any(n.startswith((".", "_")) for n in below):
                continue
            if format_from_name(info.path) is not None:
                files.append((info.path, info.size))
        return files

    def _list(self, filesystem: Any, base: str, uri: str) -> list[Any]:
        selector = _import("pyarrow.fs", "FileSelector", "remote", "s3")
        infos = self._call(
            uri,
            lambda: filesystem.get_file_info(selector(base, recursive=True, allow_not_found=True)),
        )
        return sorted(infos, key=lambda info: info.path)


def _file_type(name: str) -> Any:
    import pyarrow.fs

    return getattr(pyarrow.fs.FileType, name)


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A regex matching the paths ``pattern`` matches: ``*`` and ``?`` stay within a segment."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append(f"[{body}]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def _remote_reason(err: BaseException) -> str:
    """A short reason for a store's error, with a hint for the usual causes."""
    text = reason(err)
    lowered = text.lower()
    if "no_such_bucket" in lowered or "bucket does not exist" in lowered:
        return f"no such bucket ({text})"
    if any(
        hint in lowered
        for hint in ("couldn't connect", "could not connect", "connection refused", "curlcode")
    ):
        return (
            f"cannot reach the store ({text}); check --storage-option endpoint_url and the network"
        )
    if "access_denied" in lowered or "accessdenied" in lowered or "forbidden" in lowered:
        return f"access denied ({text}); check the credentials and their permissions"
    return text
