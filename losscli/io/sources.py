"""Open any input as a stream of Arrow record batches that holds only the columns asked for.

An input is one file, several files, a directory, a glob or stdin, in CSV/TSV, Parquet, Arrow IPC
(file or stream) or JSON Lines, optionally compressed (gzip, bz2, zstd). :func:`open_source` reads
only what it needs to know the schema (a Parquet footer, an IPC schema, the first block of a CSV or
JSON Lines file); :meth:`BatchSource.batches` then streams the rows, decoding only the requested
columns, in batches of at most ``batch_size`` rows, so memory stays bounded by the batch size
whatever the size of the input. Every pyarrow or OS error is turned into a one-line
:class:`~losscli.errors.InputDataError` (or :class:`~losscli.errors.UsageError`) naming the file.
"""

from __future__ import annotations

import contextlib
import glob
import io
import operator
import os
import re
import stat
import sys
import tempfile
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.ipc as pa_ipc
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from losscli.errors import InputDataError, LossCliError, UsageError

__all__ = ["BatchSource", "InputSpec", "open_source"]

# The input format names InputSpec accepts and BatchSource.format reports.
_FORMATS = ("csv", "tsv", "parquet", "arrow", "jsonl")

_FORMAT_ALIASES = {"feather": "arrow", "ipc": "arrow", "ndjson": "jsonl"}
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".arrow": "arrow",
    ".arrows": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_COMPRESSED_EXTENSIONS = (".gz", ".bz2", ".zst", ".zstd")
_DELIMITERS = (",", "\t", ";", "|")
_TITLES = {"parquet": "Parquet", "arrow-file": "Arrow IPC file"}
_SUFFIXES = {
    "csv": ".csv",
    "tsv": ".tsv",
    "parquet": ".parquet",
    "arrow-file": ".arrow",
    "arrow-stream": ".arrows",
    "jsonl": ".jsonl",
}

_BOM = b"\xef\xbb\xbf"
_SNIFF_BYTES = 1 << 16  # enough to recognise a format and a CSV header
_MAX_PROBE_BYTES = 1 << 26  # how far to look for the end of a first (very long) line
_MIN_BLOCK_BYTES = 1 << 16
_MAX_BLOCK_BYTES = 1 << 26  # CSV/JSON block cap: ~64 MiB of text per block whatever batch_size
_MAX_INFER_BYTES = 1 << 22  # type inference looks at most at the first 4 MiB
_COPY_CHUNK = 1 << 20
_MESSAGE_LIMIT = 300

# Errors pyarrow and the OS raise for unreadable data; everything else is a bug and propagates.
_READ_ERRORS = (pa.ArrowException, OSError, ValueError, EOFError)


@dataclass(frozen=True)
class InputSpec:
    """What to read, as the user gave it: paths, an optional format, delimiter and batch size.

    ``paths`` are files, directories (every supported file inside, recursively), globs (``**``
    allowed), or ``"-"`` alone for stdin. ``input_format`` (csv, tsv, parquet, arrow, jsonl)
    overrides the format otherwise taken from the extension or sniffed from the first bytes;
    ``delimiter`` overrides the sniffed CSV delimiter (``"\\t"`` and ``"tab"`` mean a tab).
    ``batch_size`` is the most rows a batch will hold.
    """

    paths: tuple[str, ...]
    input_format: str | None = None
    delimiter: str | None = None
    batch_size: int = 65_536


class BatchSource:
    """An opened input: its schema (from metadata only) and its rows as projected record batches.

    Made by :func:`open_source`; use it as a context manager (or call :meth:`close`) so temporary
    files are removed.

    Attributes:
        schema: the input's full schema, read from metadata (or the first block of text formats).
        total_rows: the row count when metadata says it (Parquet footers, IPC files), else None.
        total_bytes: the size of the input files when known, for progress; None for stdin.
        description: how to name the input to the user: a path, "stdin (csv)", "3 files in d/".
        format: the resolved format: csv, tsv, parquet, arrow or jsonl.
        rereadable: whether :meth:`batches` may be called again (files and spooled stdin).
    """

    schema: pa.Schema
    total_rows: int | None
    total_bytes: int | None
    description: str
    format: str
    rereadable: bool

    def __init__(
        self,
        *,
        schema: pa.Schema,
        total_rows: int | None,
        total_bytes: int | None,
        description: str,
        fmt: str,
        rereadable: bool,
        batch_size: int,
    ) -> None:
        self.schema = schema
        self.total_rows = total_rows
        self.total_bytes = total_bytes
        self.description = description
        self.format = fmt
        self.rereadable = rereadable
        self._batch_size = batch_size
        self._started = False
        self._closed = False

    def batches(self, columns: Sequence[str]) -> Iterator[pa.RecordBatch]:
        """Stream the input projected to ``columns`` (in that order), decoding nothing else.

        Every batch has at most ``batch_size`` rows and at least one. Columns are checked against
        :attr:`schema` at once; read errors are raised as :class:`InputDataError` while iterating.
        """
        if isinstance(columns, str):
            raise TypeError("columns must be a sequence of column names, not a string")
        wanted = list(columns)
        if self._closed:
            raise RuntimeError(f"{self.description} is closed")
        names = self.schema.names
        for name in wanted:
            if name not in names:
                shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
                raise InputDataError(
                    f"no column '{name}' in {self.description}; its columns are: {shown}"
                )
        if self._started and not self.rereadable:
            raise RuntimeError(
                f"{self.description} can be read only once; open it with spool_stdin=True"
            )
        self._check(wanted)
        self._started = True
        return self._generate(wanted)

    def close(self) -> None:
        """Release the input and remove any temporary file; safe to call more than once."""
        self._closed = True

    def __enter__(self) -> BatchSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.description!r} format={self.format}>"

    # -- for subclasses -------------------------------------------------------------------------

    def _check(self, columns: list[str]) -> None:
        """Raise before any reading if ``columns`` cannot be served (all exist in the schema)."""

    def _read(self, columns: list[str], target: pa.Schema) -> Iterator[pa.RecordBatch]:
        """Yield batches holding (at least) the distinct ``columns``, typed as ``target``."""
        raise NotImplementedError

    def _generate(self, wanted: list[str]) -> Iterator[pa.RecordBatch]:
        # With no columns asked for, still read one so batches carry the row counts.
        unique = list(dict.fromkeys(wanted)) or self.schema.names[:1]
        target = pa.schema([self.schema.field(name) for name in unique])
        size = self._batch_size
        for batch in self._read(unique, target):
            if batch.num_rows == 0:
                continue
            if batch.schema.names != wanted:
                batch = batch.select(wanted)
            if batch.num_rows <= size:
                yield batch
            else:
                for start in range(0, batch.num_rows, size):
                    yield batch.slice(start, size)


def open_source(
    spec: InputSpec,
    *,
    stdin: BinaryIO | None = None,
    spool_stdin: bool = False,
    note: Callable[[str], None] = lambda message: None,
) -> BatchSource:
    """Open the input ``spec`` describes, reading only its metadata.

    Args:
        spec: the paths, and optional format, delimiter and batch size.
        stdin: the binary stream ``"-"`` reads (default ``sys.stdin.buffer``).
        spool_stdin: copy a stdin stream to a temporary file first, so it can be read twice.
        note: receives one-line notes for the user (such as spooling Parquet from stdin).

    Raises:
        UsageError: the request is wrong: no input, stdin is a terminal, an unknown format.
        InputDataError: an input is missing, unreadable, corrupt, or the files do not fit together.
    """
    paths = (spec.paths,) if isinstance(spec.paths, str) else tuple(spec.paths)
    options = _Options(
        input_format=_normalize_format(spec.input_format),
        delimiter=_normalize_delimiter(spec.delimiter),
        batch_size=_check_batch_size(spec.batch_size),
        spool=spool_stdin,
        note=note,
    )
    if not paths:
        raise UsageError("no input given: pass a file, a directory, a glob, or - for stdin")
    if "-" in paths:
        if len(paths) > 1:
            raise UsageError("'-' (stdin) cannot be combined with other inputs")
        stream = _binary(stdin if stdin is not None else sys.stdin)
        if _is_terminal(stream):
            raise UsageError("no input: stdin is a terminal; give a file or pipe data in")
        return _open_stream(stream, "stdin", None, options, owns_stream=False)
    files = _expand(paths)
    if len(files) == 1:
        return _open_path(files[0], options)
    parts: list[_SingleSource] = []
    try:
        for path in files:
            part = _open_path(path, options)
            parts.append(part)
            if _family(part.format) != _family(parts[0].format):
                raise UsageError(
                    f"all inputs must have the same format, but '{parts[0].label}' is "
                    f"{parts[0].format} and '{part.label}' is {part.format}"
                )
        return _MultiSource(parts, _describe_files(files), options.batch_size)
    except BaseException:
        for part in parts:
            part.close()
        raise


# -- options ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Options:
    input_format: str | None
    delimiter: str | None
    batch_size: int
    spool: bool
    note: Callable[[str], None]


def _normalize_format(value: str | None) -> str | None:
    if value is None:
        return None
    name = value.strip().lower().lstrip(".")
    name = _FORMAT_ALIASES.get(name, name)
    if name not in _FORMATS:
        raise UsageError(f"unknown input format '{value}'; use one of {', '.join(_FORMATS)}")
    return name


def _normalize_delimiter(value: str | None) -> str | None:
    if value is None:
        return None
    delimiter = {"\\t": "\t", "tab": "\t"}.get(value.lower(), value)
    if len(delimiter) != 1 or delimiter in '\r\n"':
        raise UsageError(f"the CSV delimiter must be a single character, got {value!r}")
    return delimiter


def _check_batch_size(value: int) -> int:
    try:
        size = operator.index(value)
    except TypeError:
        size = 0
    if isinstance(value, bool) or size < 1:
        raise UsageError(f"the batch size must be a positive integer, got {value!r}")
    return size


def _family(fmt: str) -> str:
    return "csv" if fmt == "tsv" else fmt


# -- finding files ------------------------------------------------------------------------------


def _expand(paths: Sequence[str]) -> list[str]:
    """Files named by ``paths`` (directories walked, globs expanded), deduplicated and sorted."""
    found: dict[str, str] = {}

    def add(path: str) -> None:
        found.setdefault(os.path.normpath(os.path.abspath(path)), path)

    for path in paths:
        if _is_glob(path) and not os.path.lexists(path):
            matches = glob.glob(path, recursive=True)
            if not matches:
                raise InputDataError(f"no files match '{path}'")
            for match in matches:
                for file in _walk(match) if os.path.isdir(match) else [match]:
                    add(file)
        elif os.path.isdir(path):
            files = _walk(path)
            if not files:
                extensions = ", ".join(_EXTENSIONS)
                raise InputDataError(
                    f"no readable input files in '{path}' (looked for {extensions}, "
                    "optionally compressed)"
                )
            for file in files:
                add(file)
        else:
            add(path)
    return sorted(found.values())


def _is_glob(path: str) -> bool:
    return any(char in path for char in "*?[")


def _walk(directory: str) -> list[str]:
    """Every file with a supported extension under ``directory``, skipping hidden (./_) names."""
    files = []
    for root, dirs, names in os.walk(directory):
        dirs[:] = sorted(name for name in dirs if not name.startswith((".", "_")))
        for name in sorted(names):
            if not name.startswith((".", "_")) and _format_from_name(name) is not None:
                files.append(os.path.join(root, name))
    return files


def _describe_files(files: list[str]) -> str:
    try:
        parent = os.path.commonpath([os.path.dirname(file) or "." for file in files])
    except ValueError:  # absolute and relative paths mixed
        parent = ""
    if parent in ("", "."):
        return f"{len(files)} files"
    return f"{len(files)} files in {parent.rstrip(os.sep)}{os.sep}"


def _format_from_name(name: str) -> str | None:
    lower = name.lower()
    for extension in _COMPRESSED_EXTENSIONS:
        if lower.endswith(extension):
            lower = lower[: -len(extension)]
            break
    return _EXTENSIONS.get(os.path.splitext(lower)[1])


# -- raw bytes: files and streams ---------------------------------------------------------------


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class _Peekable(io.RawIOBase):
    """A read-only binary stream whose first bytes can be looked at without consuming them."""

    def __init__(self, stream: _Readable) -> None:
        super().__init__()
        self._stream = stream
        self._buffer = bytearray()
        self._eof = False

    def readable(self) -> bool:
        return True

    def peek(self, size: int) -> bytes:
        """The first ``size`` bytes not yet read (fewer at the end of the stream)."""
        while len(self._buffer) < size and not self._eof:
            chunk = self._stream.read(size - len(self._buffer))
            if chunk:
                self._buffer += chunk
            else:
                self._eof = True
        return bytes(self._buffer[:size])

    def read(self, size: int | None = -1) -> bytes:
        """Exactly ``size`` bytes unless the stream ends first (pyarrow relies on full reads)."""
        if size is None or size < 0:
            data = bytes(self._buffer) + (b"" if self._eof else self._stream.read())
            self._buffer.clear()
            return data
        if not self._buffer:
            chunk = self._stream.read(size)
            if not chunk or len(chunk) == size:
                return chunk or b""
            out = bytearray(chunk)
        else:
            out = bytearray(self._buffer[:size])
            del self._buffer[:size]
        while len(out) < size:
            chunk = self._stream.read(size - len(out))
            if not chunk:
                break
            out += chunk
        return bytes(out)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Bytes:
    """Where an input's (decompressed) bytes come from: a regular file, or a one-shot stream."""

    label: str
    path: str | None
    compression: str | None
    rereadable: bool

    def head(self, size: int) -> bytes:
        """The first ``size`` decompressed bytes (fewer if the input is shorter)."""
        raise NotImplementedError

    def open(self) -> _Readable:
        """A readable stream of the decompressed bytes, from the start."""
        raise NotImplementedError

    def release(self) -> None:
        """Drop cached head bytes that are no longer needed."""

    def close(self) -> None:
        """Close what this object opened."""


class _FileBytes(_Bytes):
    def __init__(self, path: str, label: str, compression: str | None) -> None:
        self.path = path
        self.label = label
        self.compression = compression
        self.rereadable = True
        self._head = b""
        self._complete = False

    def head(self, size: int) -> bytes:
        if len(self._head) < size and not self._complete:
            with self.open() as stream:
                self._head = stream.read(size)
            self._complete = len(self._head) < size
        return self._head[:size]

    def open(self) -> pa.NativeFile:
        return pa.input_stream(self.path, compression=self.compression)

    def release(self) -> None:
        self._head = b""
        self._complete = False


class _StreamBytes(_Bytes):
    def __init__(self, stream: BinaryIO, label: str, *, owns_stream: bool) -> None:
        self.path = None
        self.label = label
        self.rereadable = False
        self._stream = stream
        self._owns_stream = owns_stream
        self._opened = False
        raw = _Peekable(stream)
        self.compression = _compression_from_magic(raw.peek(16))
        if self.compression is None:
            self._data = raw
        else:
            self._data = _Peekable(pa.input_stream(raw, compression=self.compression))

    def head(self, size: int) -> bytes:
        return self._data.peek(size)

    def open(self) -> _Peekable:
        if self._opened:
            raise RuntimeError(f"{self.label} can be read only once")
        self._opened = True
        return self._data

    def close(self) -> None:
        if self._owns_stream:
            self._stream.close()


def _compression_from_magic(magic: bytes) -> str | None:
    if magic.startswith(b"\x1f\x8b"):
        return "gzip"
    if magic.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    if (
        magic.startswith(b"BZh")
        and magic[3:4].isdigit()
        and magic[4:10] in (b"1AY&SY", b"\x17rE8P\x90")
    ):
        return "bz2"
    return None


def _binary(stream: Any) -> BinaryIO:
    """The binary stream under a text stream such as ``sys.stdin``."""
    if isinstance(stream, io.TextIOBase) and hasattr(stream, "buffer"):
        return stream.buffer
    return stream


def _is_terminal(stream: BinaryIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _os_reason(err: OSError) -> str:
    if isinstance(err, FileNotFoundError):
        return "no such file"
    if isinstance(err, PermissionError):
        return "permission denied"
    if isinstance(err, IsADirectoryError):
        return "it is a directory"
    return err.strerror or str(err)


# -- opening one input --------------------------------------------------------------------------


def _open_path(path: str, options: _Options) -> _SingleSource:
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(path)
        handle = open(path, "rb")  # noqa: SIM115 (closed below, or owned by the stream source)
    except OSError as err:
        raise InputDataError(f"cannot read '{path}': {_os_reason(err)}") from err
    if not stat.S_ISREG(info.st_mode):  # a named pipe or device: read it once, like stdin
        return _open_stream(handle, path, path, options, owns_stream=True)
    with handle:
        try:
            magic = handle.read(16)
        except OSError as err:
            raise InputDataError(f"cannot read '{path}': {_os_reason(err)}") from err
    source = _FileBytes(path, path, _compression_from_magic(magic))
    return _open_bytes(source, path, path, options, total_bytes=info.st_size)


def _open_stream(
    stream: BinaryIO, label: str, name: str | None, options: _Options, *, owns_stream: bool
) -> _SingleSource:
    try:
        source = _StreamBytes(stream, label, owns_stream=owns_stream)
    except _READ_ERRORS as err:
        if owns_stream:
            stream.close()
        raise InputDataError(f"cannot read '{label}': {_reason(err)}") from err
    try:
        return _open_bytes(source, label, name, options, total_bytes=None)
    except BaseException:
        source.close()
        raise


def _open_bytes(
    source: _Bytes, label: str, name: str | None, options: _Options, *, total_bytes: int | None
) -> _SingleSource:
    """Resolve the format of ``source``, spool it if it must be, and read its schema."""
    try:
        head = source.head(_SNIFF_BYTES)
    except _READ_ERRORS as err:
        raise InputDataError(f"cannot read '{label}': {_reason(err)}") from err
    if not head:
        raise InputDataError(f"cannot read '{label}': it is empty")
    fmt, delimiter = _resolve_format(label, name, head, options)
    kind = fmt
    if fmt == "arrow" and head.startswith(b"FEA1"):
        raise InputDataError(
            f"cannot read '{label}': it is a Feather V1 file, which is not supported; re-save it "
            "as Feather V2 (Arrow IPC), e.g. with pyarrow.feather.write_feather"
        )
    if fmt == "arrow":
        kind = "arrow-file" if head.startswith(b"ARROW1") else "arrow-stream"
    description = f"stdin ({fmt})" if label == "stdin" else label
    needs_file = kind in ("parquet", "arrow-file")
    temp_path = None
    if (needs_file and (source.path is None or source.compression)) or (
        options.spool and not source.rereadable
    ):
        if needs_file:
            verb = "decompressing" if source.path is not None else "spooling"
            origin = "stdin" if label == "stdin" else f"'{label}'"
            options.note(f"{verb} {_TITLES[kind]} from {origin} to a temporary file")
        temp_path = _spool(source, _SUFFIXES[kind])
        source.close()
        total_bytes = os.path.getsize(temp_path)
        source = _FileBytes(temp_path, label, None)
    try:
        return _SingleSource(
            source,
            kind=kind,
            fmt=fmt,
            delimiter=delimiter,
            description=description,
            total_bytes=total_bytes,
            batch_size=options.batch_size,
            temp_path=temp_path,
        )
    except BaseException:
        if temp_path is not None:
            _remove(temp_path)
        raise


def _resolve_format(
    label: str, name: str | None, head: bytes, options: _Options
) -> tuple[str, str | None]:
    """The input's format (explicit, else by extension, else sniffed) and its CSV delimiter."""
    sniffed = _sniff_format(head)
    by_name = _format_from_name(name) if name else None
    fmt = options.input_format or by_name
    if fmt is None:
        if sniffed == "json":
            raise UsageError(
                f"'{label}' looks like a JSON array, which cannot be streamed; convert it to JSON "
                "Lines (one object per line, e.g. jq -c '.[]') or pass --input-format"
            )
        if sniffed is None:
            raise UsageError(
                f"cannot tell the format of '{label}'; pass --input-format ({', '.join(_FORMATS)})"
            )
        fmt = sniffed
    elif options.input_format is None and sniffed in _FORMATS:
        binary = {"parquet", "arrow"}
        if _family(fmt) != _family(sniffed) and (fmt in binary or sniffed in binary):
            raise InputDataError(
                f"'{label}' is named like {fmt} but its content looks like {sniffed}; "
                f"pass --input-format {sniffed} to read it as {sniffed}"
            )
    if _family(fmt) != "csv":
        return fmt, None
    if options.delimiter is not None:
        delimiter = options.delimiter
    elif fmt == "tsv":
        delimiter = "\t"
    else:
        delimiter = _sniff_delimiter(head)
    return ("tsv" if delimiter == "\t" else "csv"), delimiter


def _sniff_format(head: bytes) -> str | None:
    """Recognise a format from the first (decompressed) bytes; ``None`` when unsure."""
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((b"ARROW1", b"\xff\xff\xff\xff")):
        return "arrow"
    text = head.removeprefix(_BOM).lstrip()
    if text.startswith(b"{"):
        return "jsonl"
    if text.startswith(b"["):
        return "json"
    if text and _looks_like_text(head[:8192]):
        return "csv"
    return None


def _looks_like_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    controls = sum(1 for byte in sample if byte < 32 and byte not in b"\t\n\r\f\v\x1b")
    return controls <= len(sample) // 100


def _sniff_delimiter(head: bytes) -> str:
    """The delimiter of the header line: the most frequent of , TAB ; | outside quotes.

    When the second line is complete, candidates whose count differs there are dropped.
    """
    text = head.removeprefix(_BOM).decode("utf-8", errors="replace")
    lines = [line.rstrip("\r") for line in text.split("\n")]
    complete = [line for line in lines[:-1] if line.strip()]
    header = complete[0] if complete else lines[0]
    counts = {delimiter: _count_unquoted(header, delimiter) for delimiter in _DELIMITERS}
    candidates = [delimiter for delimiter in _DELIMITERS if counts[delimiter] > 0]
    if not candidates:
        return ","
    if len(complete) > 1:
        consistent = [d for d in candidates if _count_unquoted(complete[1], d) == counts[d]]
        candidates = consistent or candidates
    return max(candidates, key=lambda delimiter: counts[delimiter])


def _count_unquoted(line: str, delimiter: str) -> int:
    count = 0
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def _spool(source: _Bytes, suffix: str) -> str:
    """Copy the decompressed bytes of ``source`` to a new temporary file; return its path."""
    handle, path = tempfile.mkstemp(prefix="losscli-", suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            stream = source.open()
            try:
                while chunk := stream.read(_COPY_CHUNK):
                    out.write(chunk)
            except _READ_ERRORS as err:
                raise InputDataError(f"cannot read '{source.label}': {_reason(err)}") from err
            finally:
                with contextlib.suppress(Exception):
                    stream.close()
    except OSError as err:
        _remove(path)
        raise InputDataError(
            f"cannot copy '{source.label}' to a temporary file: {_os_reason(err)}"
        ) from err
    except BaseException:
        _remove(path)
        raise
    return path


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)


# -- one input ----------------------------------------------------------------------------------


class _SingleSource(BatchSource):
    """One file or stream in one format, read with that format's streaming reader."""

    def __init__(
        self,
        source: _Bytes,
        *,
        kind: str,
        fmt: str,
        delimiter: str | None,
        description: str,
        total_bytes: int | None,
        batch_size: int,
        temp_path: str | None,
    ) -> None:
        self.label = source.label
        self._source = source
        self._kind = kind
        self._delimiter = delimiter
        self._block_size = 0
        self._temp_path = temp_path
        self._cleanup = weakref.finalize(self, _remove, temp_path) if temp_path else None
        try:
            schema, total_rows = self._read_metadata(batch_size)
        except LossCliError:
            raise
        except _READ_ERRORS as err:
            raise self._error(err, rows=None) from err
        finally:
            source.release()
        super().__init__(
            schema=schema,
            total_rows=total_rows,
            total_bytes=total_bytes,
            description=description,
            fmt=fmt,
            rereadable=source.rereadable,
            batch_size=batch_size,
        )

    def close(self) -> None:
        """Close the input and remove its temporary file, if any."""
        if not self._closed:
            self._source.close()
            if self._cleanup is not None:
                self._cleanup()
        super().close()

    def _read_metadata(self, batch_size: int) -> tuple[pa.Schema, int | None]:
        source = self._source
        if self._kind == "parquet":
            with pq.ParquetFile(source.path) as parquet:
                return parquet.schema_arrow, parquet.metadata.num_rows
        if self._kind == "arrow-file":
            with pa.memory_map(source.path) as mapped:
                reader = pa_ipc.open_file(mapped)
                return reader.schema, reader.count_rows()
        if self._kind == "arrow-stream":
            return _with_growing_head(source, _ipc_stream_schema), None
        self._block_size, longest = _block_size(source, batch_size)
        size = min(self._block_size, max(_MAX_INFER_BYTES, 2 * longest))
        head = source.head(size)
        if len(head) == size:  # more follows: infer from complete lines only
            head = head[: head.rfind(b"\n") + 1] or head
        buffer = pa.BufferReader(head)
        block = max(len(head), _MIN_BLOCK_BYTES)
        if self._kind == "jsonl":
            reader = pa_json.open_json(buffer, read_options=pa_json.ReadOptions(block_size=block))
        else:
            reader = pa_csv.open_csv(
                buffer,
                read_options=pa_csv.ReadOptions(block_size=block),
                parse_options=pa_csv.ParseOptions(delimiter=self._delimiter),
            )
        return reader.schema, None

    def _read(self, columns: list[str], target: pa.Schema) -> Iterator[pa.RecordBatch]:
        readers = {
            "parquet": self._parquet,
            "arrow-file": self._ipc_file,
            "arrow-stream": self._ipc_stream,
            "csv": self._csv,
            "tsv": self._csv,
            "jsonl": self._jsonl,
        }
        batches = readers[self._kind](columns, target)
        rows = 0
        try:
            while True:
                try:
                    batch = next(batches)
                except StopIteration:
                    return
                except LossCliError:
                    raise
                except _READ_ERRORS as err:
                    raise self._error(err, rows=rows) from err
                rows += batch.num_rows
                yield batch
        finally:
            batches.close()

    def _parquet(self, columns: list[str], target: pa.Schema) -> Iterator[pa.RecordBatch]:
        # pre_buffer would read every row group's column chunks up front: memory would grow
        # with the file (835 MB for 50M rows of two doubles) instead of the batch size.
        with pq.ParquetFile(self._source.path, pre_buffer=False) as parquet:
            yield from parquet.iter_batches(batch_size=self._batch_size, columns=columns)

    def _ipc_options(self, columns: list[str]) -> pa_ipc.IpcReadOptions:
        fields = [self.schema.get_field_index(name) for name in columns]
        return pa_ipc.IpcReadOptions(included_fields=None if min(fields) < 0 else fields)

    def _ipc_file(self, columns: list[str], target: pa.Schema) -> Iterator[pa.RecordBatch]:
        # A plain file, not a memory map: mapped pages would count against the memory bound.
        with pa.OSFile(self._source.path) as file:
            reader = pa_ipc.open_file(file, options=self._ipc_options(columns))
            for index in range(reader.num_record_batches):
                yield reader.get_batch(index)

    def _ipc_stream(self, columns: list[str], target: pa.Schema) -> Iterator[pa.RecordBatch]:
        with contextlib.closing(self._source.open()) as stream:
            yield from pa_ipc.open_stream(stream, options=self._ipc_options(columns))

    def _csv(self, columns: list[str], target: pa.Schema) -> Iterator[pa.RecordBatch]:
        convert = pa_csv.ConvertOptions(
            include_columns=columns,
            column_types={field.name: field.type for field in target},
        )
        with contextlib.closing(self._source.open()) as stream:
            yield from pa_csv.open_csv(
                stream,
                read_options=pa_csv.ReadOptions(block_size=self._block_size),
                parse_options=pa_csv.ParseOptions(delimiter=self._delimiter),
                convert_options=convert,
            )

    def _jsonl(self, columns: list[str], target: pa.Schema) -> Iterator[pa.RecordBatch]:
        parse = pa_json.ParseOptions(explicit_schema=target, unexpected_field_behavior="ignore")
        with contextlib.closing(self._source.open()) as stream:
            yield from pa_json.open_json(
                stream,
                read_options=pa_json.ReadOptions(block_size=self._block_size),
                parse_options=parse,
            )

    def _error(self, err: BaseException, *, rows: int | None) -> InputDataError:
        """Turn a pyarrow/OS error into a one-line InputDataError naming the input."""
        text = _reason(err)
        if self._temp_path:
            text = text.replace(self._temp_path, self.label)
        if self._kind in ("csv", "tsv"):
            schema = getattr(self, "schema", None)  # not yet known while reading the header
            if schema is not None:
                text = re.sub(
                    r"In CSV column #(\d+): ",
                    lambda match: _csv_column(schema.names, int(match.group(1))),
                    text,
                )
            notes = [f"at or after data row {rows + 1}"] if rows else []
            if "conversion error" in text:
                notes.append("column types are inferred from the first rows")
            if notes:
                text += f" ({'; '.join(notes)})"
        elif self._kind == "jsonl" and rows is not None:
            text = re.sub(
                r" in row (\d+)$", lambda match: f" in row {rows + int(match.group(1)) + 1}", text
            )
        return InputDataError(f"cannot read '{self.label}': {text}")


def _csv_column(names: list[str], index: int) -> str:
    return f"column '{names[index]}': " if index < len(names) else f"column #{index}: "


def _ipc_stream_schema(head: bytes) -> pa.Schema:
    return pa_ipc.open_stream(pa.BufferReader(head)).schema


def _with_growing_head(source: _Bytes, parse: Callable[[bytes], pa.Schema]) -> pa.Schema:
    """Parse a schema from the first bytes, reading more while they are not enough."""
    size = _SNIFF_BYTES
    while True:
        head = source.head(size)
        try:
            return parse(head)
        except (pa.ArrowInvalid, EOFError) as err:
            truncated = isinstance(err, EOFError) or "only read" in str(err)
            if not truncated or len(head) < size or size >= _MAX_PROBE_BYTES:
                raise
        size *= 4


def _block_size(source: _Bytes, batch_size: int) -> tuple[int, int]:
    """A CSV/JSON block size holding about ``batch_size`` rows, and the longest line seen.

    Estimated from the lines in the first bytes; always several times the longest line (a
    block must hold whole rows) and at most 64 MiB unless the lines themselves are longer.
    """
    size = _SNIFF_BYTES
    while True:
        sample = source.head(size)
        if b"\n" in sample or len(sample) < size or size >= _MAX_PROBE_BYTES:
            break
        size *= 4
    end = sample.rfind(b"\n")
    if end < 0:
        average = longest = len(sample) + 1
    else:
        lines = sample[: end + 1].split(b"\n")[:-1]
        average = (end + 1) / len(lines)
        longest = max(len(line) for line in lines) + 1
    floor = max(_MIN_BLOCK_BYTES, 4 * longest)
    target = int(batch_size * average * 1.25)
    return min(max(target, floor), max(_MAX_BLOCK_BYTES, floor)), longest


def _printable(char: str) -> str:
    if char.isprintable() and char != "\ufffd":
        return char
    return f"\\x{ord(char):02x}" if ord(char) < 256 else "?"


def _reason(err: BaseException) -> str:
    """One line saying what went wrong, without pyarrow's boilerplate."""
    if isinstance(err, OSError) and (err.strerror or not str(err)):
        return _os_reason(err)
    text = str(err).strip() or type(err).__name__
    text = re.sub(r"^Could not open \w+ input source '[^']*': ", "", text)
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    text = "".join(_printable(char) for char in " ".join(text.split()))
    if len(text) > _MESSAGE_LIMIT:
        text = text[: _MESSAGE_LIMIT - 1] + "…"
    return text


# -- several files ------------------------------------------------------------------------------


class _MultiSource(BatchSource):
    """Several files of one format read one after the other as one stream, in sorted order.

    The schema is the union of the files' schemas, with types promoted where they differ in a
    compatible way (int64 and double become double); a requested column that some file lacks,
    or whose types cannot be reconciled, is an error naming that file.
    """

    def __init__(self, parts: list[_SingleSource], description: str, batch_size: int) -> None:
        self._parts = parts
        fields: dict[str, pa.Field] = {}
        owners: dict[str, str] = {}
        self._conflicts: dict[str, str] = {}
        for part in parts:
            for field in part.schema:
                name = field.name
                if name not in fields:
                    fields[name], owners[name] = field, part.label
                elif name not in self._conflicts and not fields[name].type.equals(field.type):
                    try:
                        fields[name] = pa.unify_schemas(
                            [pa.schema([fields[name]]), pa.schema([field])],
                            promote_options="permissive",
                        ).field(0)
                    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                        self._conflicts[name] = (
                            f"'{part.label}' does not fit the other files: column '{name}' is "
                            f"{field.type} there but {fields[name].type} in '{owners[name]}'"
                        )
        formats = {part.format for part in parts}
        super().__init__(
            schema=pa.schema(list(fields.values())),
            total_rows=_sum_known([part.total_rows for part in parts]),
            total_bytes=_sum_known([part.total_bytes for part in parts]),
            description=description,
            fmt=formats.pop() if len(formats) == 1 else "csv",
            rereadable=all(part.rereadable for part in parts),
            batch_size=batch_size,
        )

    def close(self) -> None:
        """Close every file."""
        for part in self._parts:
            part.close()
        super().close()

    def _check(self, columns: list[str]) -> None:
        for name in dict.fromkeys(columns):
            if name in self._conflicts:
                raise InputDataError(f"cannot read {self.description}: {self._conflicts[name]}")
            for part in self._parts:
                if name not in part.schema.names:
                    raise InputDataError(
                        f"cannot read '{part.label}': it has no column '{name}', which other "
                        f"files in {self.description} have"
                    )

    def _read(self, columns: list[str], target: pa.Schema) -> Iterator[pa.RecordBatch]:
        for part in self._parts:
            for batch in part._read(columns, target):
                if batch.schema.names != columns:
                    batch = batch.select(columns)
                if batch.schema.types != target.types:
                    try:
                        batch = batch.cast(target)
                    except _READ_ERRORS as err:
                        raise part._error(err, rows=None) from err
                yield batch


def _sum_known(values: list[int | None]) -> int | None:
    known = [value for value in values if value is not None]
    return sum(known) if len(known) == len(values) else None
