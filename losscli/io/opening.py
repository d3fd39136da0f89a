"""Open one file or stream as a :class:`~losscli.io.readers.Reader` of the right format.

Opening detects compression, resolves the format, spools the input to a temporary file when its
reader needs a seekable file (Parquet, IPC files) or a stream must be read twice, and reads only
the metadata. Every failure is a one-line error naming the input.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from losscli.errors import InputDataError, InputFileError
from losscli.io.formats import compression_from_magic, reader_kind, resolve_format
from losscli.io.rawinput import FileInput, RawInput, StreamInput
from losscli.io.readers import SNIFF_BYTES, Reader
from losscli.io.reasons import READ_ERRORS, os_reason, reason
from losscli.io.spool import remove_quietly, spool
from losscli.io.text import CsvReader, JsonLinesReader
from losscli.io.uris import is_uri

if TYPE_CHECKING:
    from losscli.io.remote import Remotes

_NEEDS_FILE = {"parquet": "Parquet", "arrow-file": "Arrow IPC file"}
_SUFFIXES = {
    "csv": ".csv",
    "tsv": ".tsv",
    "parquet": ".parquet",
    "arrow-file": ".arrow",
    "arrow-stream": ".arrows",
    "jsonl": ".jsonl",
}


@dataclass(frozen=True)
class OpenOptions:
    """How to open each input.

    Attributes:
        input_format: the format to read, overriding extension and sniffing (normalized).
        delimiter: the CSV delimiter, overriding sniffing (normalized).
        batch_size: the most rows a batch will hold.
        spool: copy a stream to a temporary file, so it can be read twice.
        note: receives one-line notes for the user (such as spooling Parquet from stdin).
        remotes: the filesystems of remote inputs (URIs), made with the storage options.
    """

    input_format: str | None
    delimiter: str | None
    batch_size: int
    spool: bool
    note: Callable[[str], None]
    remotes: Remotes | None = None


def open_path(path: str, options: OpenOptions) -> Reader:
    """Open the file at ``path``; a named pipe or device is read once, like stdin.

    A URI (``s3://...``) is opened through ``options.remotes``, fetching only the bytes needed.
    """
    if options.remotes is not None and is_uri(path):
        return _open_remote(path, options.remotes, options)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(path)
        handle = open(path, "rb")  # noqa: SIM115 (closed below, or owned by the stream input)
    except OSError as err:
        raise InputFileError(f"cannot read '{path}': {os_reason(err)}") from err
    if not stat.S_ISREG(info.st_mode):
        return open_stream(handle, path, path, options, owns_stream=True)
    with handle:
        try:
            magic = handle.read(16)
        except OSError as err:
            raise InputFileError(f"cannot read '{path}': {os_reason(err)}") from err
    raw = FileInput(path, path, compression_from_magic(magic))
    return _open_raw(raw, path, options, total_bytes=info.st_size)


def _open_remote(uri: str, remotes: Remotes, options: OpenOptions) -> Reader:
    """Open the remote file at ``uri``: its first bytes are fetched to tell its format."""
    location = remotes.locate(uri)
    raw = FileInput(location.path, location.label, None, location.filesystem)
    try:
        magic = raw.head(16)
        compression = compression_from_magic(magic)
        if compression is not None:
            raw = FileInput(location.path, location.label, compression, location.filesystem)
        return _open_raw(raw, location.name, options, total_bytes=location.size)
    except InputDataError as err:  # the same error, with no secret in its words
        raise type(err)(remotes.redact(str(err))) from err
    except READ_ERRORS as err:
        raise remotes.error(uri, err) from err


def open_stream(
    stream: BinaryIO, label: str, name: str | None, options: OpenOptions, *, owns_stream: bool
) -> Reader:
    """Open a stream that can be read once: stdin (``name`` None) or the named pipe ``name``.

    ``label`` names it in messages; ``owns_stream`` says whether closing the reader closes it.
    """
    try:
        raw = StreamInput(stream, label, owns_stream=owns_stream)
    except READ_ERRORS as err:
        if owns_stream:
            stream.close()
        raise InputFileError(f"cannot read '{label}': {reason(err)}") from err
    try:
        return _open_raw(raw, name, options, total_bytes=None)
    except BaseException:
        raw.close()
        raise


def _open_raw(
    raw: RawInput, name: str | None, options: OpenOptions, *, total_bytes: int | None
) -> Reader:
    """Resolve the format of ``raw``, spool it if it must be, and read its metadata."""
    label = raw.label
    try:
        head = raw.head(SNIFF_BYTES)
    except READ_ERRORS as err:
        raise InputFileError(f"cannot read '{label}': {reason(err)}") from err
    if not head:
        raise InputFileError(f"cannot read '{label}': it is empty")
    fmt, delimiter = resolve_format(label, name, head, options.input_format, options.delimiter)
    kind = reader_kind(label, fmt, head)
    needs_file = kind in _NEEDS_FILE
    temp_path = None
    if (needs_file and (raw.path is None or raw.compression)) or (
        options.spool and not raw.rereadable
    ):
        if needs_file:
            verb = "decompressing" if raw.path is not None else "spooling"
            origin = f"'{label}'" if name is not None else label
            options.note(f"{verb} {_NEEDS_FILE[kind]} from {origin} to a temporary file")
        temp_path = spool(raw, _SUFFIXES[kind])
        raw.close()
        total_bytes = os.path.getsize(temp_path)
        raw = FileInput(temp_path, label, None)
    common: dict[str, Any] = {
        "fmt": fmt,
        "description": label if name is not None else f"{label} ({fmt})",
        "total_bytes": total_bytes,
        "batch_size": options.batch_size,
        "temp_path": temp_path,
    }
    try:
        if delimiter is not None:
            return CsvReader(raw, delimiter=delimiter, **common)
        return _reader_class(kind)(raw, **common)
    except BaseException:
        if temp_path is not None:
            remove_quietly(temp_path)
        raise


def _reader_class(kind: str) -> type[Reader]:
    """The reader of a non-CSV ``kind``.

    The Parquet and IPC readers are imported only for such an input: they import
    pyarrow.parquet and pyarrow.ipc, which a CSV or JSON Lines input does not need.
    """
    if kind == "jsonl":
        return JsonLinesReader
    from losscli.io.columnar import IpcFileReader, IpcStreamReader, ParquetReader

    readers: dict[str, type[Reader]] = {
        "parquet": ParquetReader,
        "arrow-file": IpcFileReader,
        "arrow-stream": IpcStreamReader,
    }
    return readers[kind]
