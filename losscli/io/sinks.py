"""Write per-sample rows (Arrow record batches) to a file or stdout, streamed and atomic.

A file is written to a hidden temporary file in the target's own directory, batch by batch,
and renamed onto the target only on :meth:`RowSink.commit`; any failure aborts, which deletes
the temporary file and leaves an existing target untouched. Stdout is written batch by batch and
flushed after each one, so a reader sees rows as they are computed and a closed pipe stops the
writer at the next batch (``BrokenPipeError`` propagates; the CLI turns it into a quiet exit).

How non-finite floats appear: Parquet and Arrow keep them as IEEE values; CSV/TSV write
``nan``, ``inf`` and ``-inf`` (pyarrow's writer; floats at full, round-trip precision); JSON
Lines writes the bare tokens ``NaN``, ``Infinity`` and ``-Infinity``, which Python's ``json``,
pyarrow and pandas read back as floats (strict JSON has no such numbers, and a string would turn
a numeric column into a mixed one). Nulls are empty fields in CSV/TSV and ``null`` in JSON Lines.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import decimal
import json
import os
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Protocol

import pyarrow as pa

from losscli import atomic
from losscli.atomic import new_file_mode, write_failure
from losscli.errors import OutputError

SINK_FORMATS = ("parquet", "csv", "tsv", "arrow", "jsonl")
"""Every per-sample output format."""

STDOUT_FORMATS = ("csv", "tsv", "jsonl")
"""The formats that can be streamed to stdout (the others need a seekable file)."""

_EXTENSIONS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".tsv": "tsv",
    ".arrow": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

_JSONL_CHUNK_ROWS = 4096  # rows converted to Python objects at a time


def sink_format(path: str) -> str:
    """The output format named by ``path``'s extension (case-insensitive).

    ``.parquet``/``.pq`` → ``parquet``; ``.csv``; ``.tsv``; ``.arrow``/``.feather``/``.ipc`` →
    ``arrow`` (the Arrow IPC file format, which Feather v2 is); ``.jsonl``/``.ndjson`` → ``jsonl``.

    Raises:
        OutputError: the extension names no known format.
    """
    suffix = Path(path).suffix.lower()
    try:
        return _EXTENSIONS[suffix]
    except KeyError:
        known = ", ".join(_EXTENSIONS)
        shown = f"extension {suffix!r}" if suffix else "no extension"
        raise OutputError(
            f"cannot tell the output format of {path!r} ({shown}); use one of {known}"
        ) from None


# --------------------------------------------------------------------------------------------
# encoders: one per format, writing an open binary file


class _Encoder(Protocol):
    def write(self, batch: pa.RecordBatch) -> None: ...
    def close(self) -> None: ...


class _ParquetEncoder:
    def __init__(self, file: BinaryIO, schema: pa.Schema) -> None:
        import pyarrow.parquet as pq

        self._writer = pq.ParquetWriter(file, schema)

    def write(self, batch: pa.RecordBatch) -> None:
        self._writer.write_batch(batch)

    def close(self) -> None:
        self._writer.close()


class _ArrowEncoder:
    def __init__(self, file: BinaryIO, schema: pa.Schema) -> None:
        self._writer = pa.ipc.new_file(file, schema)

    def write(self, batch: pa.RecordBatch) -> None:
        self._writer.write_batch(batch)

    def close(self) -> None:
        self._writer.close()


def _csv_options(fmt: str, *, include_header: bool = True) -> Any:
    import pyarrow.csv as pcsv

    delimiter = "\t" if fmt == "tsv" else ","
    return pcsv.WriteOptions(include_header=include_header, delimiter=delimiter)


class _CsvFileEncoder:
    """CSV/TSV into a file through pyarrow's streaming writer (header at construction)."""

    def __init__(self, file: BinaryIO, schema: pa.Schema, fmt: str) -> None:
        import pyarrow.csv as pcsv

        self._writer = pcsv.CSVWriter(file, schema, write_options=_csv_options(fmt))

    def write(self, batch: pa.RecordBatch) -> None:
        self._writer.write_batch(batch)

    def close(self) -> None:
        self._writer.close()


class _CsvStreamEncoder:
    """CSV/TSV onto a stream: each batch encoded in memory, then written as one block.

    Writing through Python (not through pyarrow's file wrapper) lets ``BrokenPipeError`` reach
    the caller as itself, and makes the per-batch flush exact.
    """

    def __init__(self, stream: BinaryIO, schema: pa.Schema, fmt: str) -> None:
        self._stream = stream
        self._fmt = fmt
        self._block(schema.empty_table(), include_header=True)

    def _block(self, data: pa.RecordBatch | pa.Table, *, include_header: bool) -> None:
        import pyarrow.csv as pcsv

        buffer = pa.BufferOutputStream()
        options = _csv_options(self._fmt, include_header=include_header)
        pcsv.write_csv(data, buffer, write_options=options)
        self._stream.write(buffer.getvalue().to_pybytes())

    def write(self, batch: pa.RecordBatch) -> None:
        self._block(batch, include_header=False)

    def close(self) -> None:
        pass


def _json_default(value: Any) -> Any:
    """JSON for the values ``to_pylist`` gives that ``json`` does not know."""
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)  # exact, where a float would round
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return str(value)


# One encoder for every line: NaN/inf as the bare tokens NaN, Infinity, -Infinity.
_JSON = json.JSONEncoder(
    ensure_ascii=False, allow_nan=True, separators=(",", ":"), default=_json_default
)


class _JsonLinesEncoder:
    """One JSON object per row, written by hand a chunk of rows at a time."""

    def __init__(self, stream: BinaryIO, schema: pa.Schema) -> None:
        names = schema.names
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise ValueError(f"JSON Lines output needs unique column names; repeated: {duplicated}")
        self._stream = stream

    def write(self, batch: pa.RecordBatch) -> None:
        encode = _JSON.encode
        for start in range(0, batch.num_rows, _JSONL_CHUNK_ROWS):
            rows = batch.slice(start, _JSONL_CHUNK_ROWS).to_pylist()
            text = "".join(encode(row) + "\n" for row in rows)
            self._stream.write(text.encode("utf-8"))

    def close(self) -> None:
        pass


def _file_encoder(fmt: str, file: BinaryIO, schema: pa.Schema) -> _Encoder:
    if fmt == "parquet":
        return _ParquetEncoder(file, schema)
    if fmt == "arrow":
        return _ArrowEncoder(file, schema)
    if fmt in ("csv", "tsv"):
        return _CsvFileEncoder(file, schema, fmt)
    return _JsonLinesEncoder(file, schema)


def _stream_encoder(fmt: str, stream: BinaryIO, schema: pa.Schema) -> _Encoder:
    if fmt in ("csv", "tsv"):
        return _CsvStreamEncoder(stream, schema, fmt)
    return _JsonLinesEncoder(stream, schema)


# --------------------------------------------------------------------------------------------
# the sink


class RowSink:
    """Where per-sample rows go: a file (atomic) or stdout (streamed). Use :func:`open_sink`.

    A context manager: leaving the ``with`` block normally commits, leaving it by an exception
    aborts. The schema is the one given to :func:`open_sink`, else the first batch's; every batch
    must have it. A failure while writing aborts the sink before the error propagates.
    """

    def __init__(
        self,
        fmt: str,
        *,
        target: Path | None = None,
        stream: BinaryIO | None = None,
        schema: pa.Schema | None = None,
        overwrite: bool = True,
    ) -> None:
        self.format = fmt
        self.target = target
        self.rows_written = 0
        self._stream = stream
        self._schema = schema
        self._overwrite = overwrite
        self._encoder: _Encoder | None = None
        self._file: BinaryIO | None = None
        self._temp: Path | None = None
        self._state = "open"  # open → committed | aborted

    @property
    def schema(self) -> pa.Schema | None:
        """The schema rows are written with, once known."""
        return self._schema

    @property
    def temp_path(self) -> Path | None:
        """The temporary file being written (``None`` for stdout, or before the first write)."""
        return self._temp

    def __repr__(self) -> str:
        where = "stdout" if self.target is None else str(self.target)
        return f"RowSink({where!r}, format={self.format!r}, state={self._state!r})"

    # -- context manager --------------------------------------------------------------------

    def __enter__(self) -> RowSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()

    def __del__(self) -> None:  # a sink dropped while open must not leave its temp file behind
        with contextlib.suppress(Exception):
            if self._state == "open" and self._temp is not None:
                self.abort()

    # -- writing ------------------------------------------------------------------------------

    def write(self, batch: pa.RecordBatch) -> None:
        """Append ``batch``'s rows.

        Raises:
            ValueError: the sink is closed, or ``batch`` has a different schema than the first
                batch (or the schema given to :func:`open_sink`): a bug in the caller.
            TypeError: ``batch`` is not a ``pyarrow.RecordBatch``.
        """
        if self._state != "open":
            raise ValueError(f"cannot write to a {self._state} sink")
        if not isinstance(batch, pa.RecordBatch):
            raise TypeError(
                f"RowSink.write takes a pyarrow.RecordBatch, not {type(batch).__name__}"
            )
        try:
            if self._schema is None:
                self._schema = batch.schema
            elif not batch.schema.equals(self._schema):
                raise ValueError(
                    "every batch written to a sink must have the same schema; expected\n"
                    f"{self._schema}\ngot\n{batch.schema}"
                )
            self._start()
            if batch.num_rows == 0:
                return
            assert self._encoder is not None
            self._encoder.write(batch)
            self.rows_written += batch.num_rows
            if self.target is None:
                assert self._stream is not None
                self._stream.flush()
        except BaseException as exc:
            self._fail(exc)
            raise

    def commit(self) -> None:
        """Finish the output: flush stdout, or close the file and rename it onto the target.

        A second call does nothing. With no batch written, the output is still valid: a header
        line for CSV/TSV, an empty file for JSON Lines, a file with the schema and no rows for
        Parquet and Arrow (an empty schema if none was ever given).
        """
        if self._state == "committed":
            return
        if self._state == "aborted":
            raise ValueError("cannot commit an aborted sink")
        try:
            if self._schema is None:
                self._schema = pa.schema([])
            self._start()
            if self.target is None:
                assert self._stream is not None
                self._stream.flush()
            else:
                self._finish_file()
            self._state = "committed"
        except BaseException as exc:
            self._fail(exc)
            raise

    def abort(self) -> None:
        """Stop writing; delete the temporary file. The target is untouched.

        Does nothing after a commit or a previous abort. Nothing is flushed to stdout.
        """
        if self._state != "open":
            return
        self._state = "aborted"
        encoder, self._encoder = self._encoder, None
        file, self._file = self._file, None
        if self.target is None:
            return
        # Close the writer only to release it; its footer goes into a file about to be deleted.
        if encoder is not None:
            with contextlib.suppress(Exception):
                encoder.close()
        if file is not None:
            with contextlib.suppress(Exception):
                file.close()
        if self._temp is not None:
            atomic.remove(self._temp)

    # -- internals ------------------------------------------------------------------------

    def _fail(self, exc: BaseException) -> None:
        """Abort; a file system error on a file target becomes a one-line ``OutputError``.

        Stdout errors (a closed pipe) stay themselves: the CLI ends quietly on those.
        """
        self.abort()
        if self.target is not None and isinstance(exc, OSError):
            raise write_failure(self.target, exc) from exc

    def _start(self) -> None:
        """Open the output and its encoder for the known schema, once."""
        if self._encoder is not None:
            return
        assert self._schema is not None
        _check_schema(self.format, self._schema)
        if self.target is None:
            assert self._stream is not None
            self._encoder = _stream_encoder(self.format, self._stream, self._schema)
            return
        try:
            fd, self._temp = atomic.create_temp(self.target)
        except OSError as exc:
            raise OutputError(_unwritable(self.target, exc)) from exc
        self._file = os.fdopen(fd, "wb")
        self._encoder = _file_encoder(self.format, self._file, self._schema)

    def _finish_file(self) -> None:
        assert self.target is not None and self._temp is not None and self._file is not None
        assert self._encoder is not None
        self._encoder.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.chmod(self._temp, new_file_mode(self.target))
        if self._overwrite:
            os.replace(self._temp, self.target)
            atomic.forget(self._temp)
            return
        try:  # no-clobber: a hard link fails if the target appeared meanwhile
            os.link(self._temp, self.target)
        except FileExistsError:
            raise OutputError(
                f"cannot write {str(self.target)!r}: it already exists (allow overwriting it)"
            ) from None
        except OSError:  # no hard links on this file system: the check at open time stands
            if self.target.exists():
                raise OutputError(
                    f"cannot write {str(self.target)!r}: it already exists (allow overwriting it)"
                ) from None
            os.replace(self._temp, self.target)
            atomic.forget(self._temp)
            return
        atomic.remove(self._temp)


def _check_schema(fmt: str, schema: pa.Schema) -> None:
    if fmt in ("csv", "tsv"):
        nested = [field.name for field in schema if pa.types.is_nested(field.type)]
        if nested:
            raise OutputError(
                f"{fmt.upper()} output cannot hold the list or struct column(s) "
                f"{', '.join(map(repr, nested))}; write .parquet, .arrow or .jsonl instead"
            )


def _unwritable(target: Path, exc: OSError) -> str:
    reason = exc.strerror.lower() if exc.strerror else str(exc)
    return f"cannot write {str(target)!r}: {reason} in {str(target.parent)!r}"


def open_sink(
    path: str | os.PathLike[str] | None,
    *,
    fmt: str | None = None,
    stdout: BinaryIO | None = None,
    overwrite: bool = True,
    schema: pa.Schema | None = None,
) -> RowSink:
    """Open the per-sample output: a file at ``path``, or stdout when ``path`` is None or ``-``.

    Everything that can be checked before any computation is checked here: the format, that the
    directory exists and is writable, and (with ``overwrite=False``) that the target does not
    exist. Nothing is created until the first batch (or the commit).

    Args:
        path: the output file; its extension names the format unless ``fmt`` is given.
        fmt: one of :data:`SINK_FORMATS`; for stdout one of :data:`STDOUT_FORMATS`, default
            ``csv``.
        stdout: the binary stream for stdout output; default ``sys.stdout.buffer``.
        overwrite: replace an existing file (atomically); if False an existing target is a
            usage error.
        schema: the schema of the rows, needed only to write a valid file when no batch comes.

    Raises:
        OutputError: an unknown format, a missing or unwritable directory, a directory as the
            target, an existing target with ``overwrite=False``, a format stdout cannot carry.
    """
    if fmt is not None and fmt not in SINK_FORMATS:
        raise OutputError(
            f"unknown per-sample output format {fmt!r}; expected one of {', '.join(SINK_FORMATS)}"
        )
    if path is None or os.fspath(path) == "-":
        fmt = fmt or "csv"
        if fmt not in STDOUT_FORMATS:
            raise OutputError(
                f"{fmt} output needs a file; write it with -o FILE.{fmt} "
                f"(stdout takes {', '.join(STDOUT_FORMATS)})"
            )
        stream = stdout if stdout is not None else sys.stdout.buffer
        sink = RowSink(fmt, stream=stream, schema=schema)
    else:
        target = Path(path)
        fmt = fmt or sink_format(str(target))
        _check_target(target, overwrite=overwrite)
        sink = RowSink(fmt, target=target, schema=schema, overwrite=overwrite)
    if schema is not None:
        _check_schema(fmt, schema)
    return sink


def _check_target(target: Path, *, overwrite: bool) -> None:
    shown = str(target)
    directory = target.parent
    if not directory.exists():
        raise OutputError(f"cannot write {shown!r}: no such directory")
    if not directory.is_dir():
        raise OutputError(f"cannot write {shown!r}: {str(directory)!r} is not a directory")
    if target.is_dir():
        raise OutputError(f"cannot write {shown!r}: it is a directory")
    if target.exists() and not overwrite:
        raise OutputError(f"cannot write {shown!r}: it already exists (allow overwriting it)")
    # Probe with a real temporary file: os.access says yes to root on a read-only file system.
    try:
        fd, name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(_unwritable(target, exc)) from exc
    os.close(fd)
    os.unlink(name)
