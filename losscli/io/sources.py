"""Open any input as a stream of Arrow record batches that holds only the columns asked for.

An input is one file, several files, a directory, a glob or stdin, in CSV/TSV, Parquet, Arrow IPC
(file or stream) or JSON Lines, optionally compressed (gzip, bz2, zstd). :func:`open_source` reads
only what it needs to know the schema (a Parquet footer, an IPC schema, the first block of a CSV or
JSON Lines file); :meth:`BatchSource.batches` then streams the rows, decoding only the requested
columns, in batches of at most ``batch_size`` rows, so memory stays bounded by the batch size
whatever the size of the input. Every pyarrow or OS error is turned into a one-line
:class:`~losscli.errors.InputFileError` (or :class:`~losscli.errors.UsageError`) naming the file.

This module is the public face; the work is done by :mod:`~losscli.io.paths` (which files),
:mod:`~losscli.io.opening` (one input), :mod:`~losscli.io.formats` (which format) and the readers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import operator
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, BinaryIO

import pyarrow as pa

from losscli.errors import ColumnError, InputDataError, InputFileError, UsageError
from losscli.io.columns import check_unique
from losscli.io.formats import family, normalize_delimiter, normalize_format
from losscli.io.opening import OpenOptions, open_path, open_stream
from losscli.io.paths import expand_paths
from losscli.io.readers import Piece, Reader
from losscli.io.reasons import READ_ERRORS
from losscli.io.stdin import stdin_stream
from losscli.io.uris import display_uri, is_uri

if TYPE_CHECKING:
    from losscli.io.remote import Remotes

__all__ = ["BatchSource", "FileLayout", "InputSpec", "Part", "open_source"]


@dataclass(frozen=True)
class Part:
    """A piece of the input that can be read on its own, on any thread.

    ``offset`` is the input row number of its first row, so row numbers in errors (and anything
    keyed by row position) come out as in one front-to-back pass; ``read()`` yields its batches.
    """

    offset: int
    rows: int
    read: Callable[[], Iterator[pa.RecordBatch]]


@dataclass(frozen=True)
class FileLayout:
    """One file of an input as metadata describes it, for planning work elsewhere.

    ``path`` reopens it (as given to :func:`open_source`); ``rows`` is its row count and
    ``piece_rows`` its pieces' row counts (Parquet row groups), each None when unknown
    without reading the rows.
    """

    path: str
    format: str
    rows: int | None
    piece_rows: tuple[int, ...] | None


@dataclass(frozen=True)
class InputSpec:
    """What to read, as the user gave it: paths, an optional format, delimiter and batch size.

    ``paths`` are files, directories (every supported file inside, recursively), globs (``**``
    allowed), or ``"-"`` alone for stdin. ``input_format`` (csv, tsv, parquet, arrow, jsonl)
    overrides the format otherwise taken from the extension or sniffed from the first bytes;
    ``delimiter`` overrides the sniffed CSV delimiter (``"\\t"`` and ``"tab"`` mean a tab).
    ``batch_size`` is the most rows a batch will hold.

    A path may be a URI (``s3://bucket/prefix/``, ``gs://b/*.parquet``, ``https://...``);
    ``storage_options`` (``KEY=VALUE`` strings or a mapping, e.g. ``endpoint_url``, ``region``,
    ``anonymous``) say how to reach its store. See docs/remote.md.
    """

    paths: tuple[str, ...]
    input_format: str | None = None
    delimiter: str | None = None
    batch_size: int = 65_536
    storage_options: Sequence[str] | Mapping[str, object] | None = dataclasses.field(
        default=None, repr=False
    )


class BatchSource:
    """An opened input: its schema (from metadata only) and its rows as projected record batches.

    Made by :func:`open_source`; use it as a context manager (or call :meth:`close`) so temporary
    files are removed. Several files are read one after the other as one stream, in sorted order;
    their schema is the union of the files' schemas, with types promoted where they differ in a
    compatible way (int64 and double become double). A requested column that some file lacks, or
    whose types cannot be reconciled, is an error naming that file.

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

    def __init__(self, readers: Sequence[Reader], description: str, batch_size: int) -> None:
        self._readers = list(readers)
        self._batch_size = batch_size
        self._started = False
        self._closed = False
        self.schema, self._conflicts = _union_schema(self._readers)
        self.total_rows = _sum_known([reader.total_rows for reader in self._readers])
        self.total_bytes = _sum_known([reader.total_bytes for reader in self._readers])
        self.description = description
        formats = {reader.format for reader in self._readers}
        self.format = formats.pop() if len(formats) == 1 else "csv"
        self.rereadable = all(reader.rereadable for reader in self._readers)

    def batches(self, columns: Sequence[str]) -> Iterator[pa.RecordBatch]:
        """Stream the input projected to ``columns`` (in that order), decoding nothing else.

        Every batch has at most ``batch_size`` rows and at least one. Columns are checked against
        :attr:`schema` at once; read errors are raised as :class:`InputFileError` while iterating.
        """
        wanted = self._start(columns)
        return self._generate(wanted)

    def parts(self, columns: Sequence[str], *, split: bool = True) -> Iterator[Part]:
        """The input projected to ``columns`` as parts that threads can read independently.

        With ``split``, Parquet row groups and line ranges of plain CSV files are parts decoded
        by whoever reads them; everything else (and everything without ``split``) is decoded
        here, front to back, one part per batch. Parts come in input order, each knowing its
        first row's number.
        """
        wanted = self._start(columns)
        return self._parts(wanted, split)

    def files(self) -> list[FileLayout]:
        """Each file of the input, in reading order, from metadata only (nothing is decoded)."""
        return [
            FileLayout(reader.label, reader.format, reader.total_rows, reader.piece_rows())
            for reader in self._readers
        ]

    def _start(self, columns: Sequence[str]) -> list[str]:
        """Check a read of ``columns`` can start; the columns as a list."""
        if isinstance(columns, str):
            raise TypeError("columns must be a sequence of column names, not a string")
        wanted = list(columns)
        if self._closed:
            raise RuntimeError(f"{self.description} is closed")
        names = self.schema.names
        for name in wanted:
            if name not in names:
                shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
                raise ColumnError(
                    f"no column '{name}' in {self.description}; its columns are: {shown}"
                )
        if self._started and not self.rereadable:
            raise RuntimeError(
                f"{self.description} can be read only once; open it with spool_stdin=True"
            )
        self._check_files(wanted)
        self._started = True
        return wanted

    @contextlib.contextmanager
    def naming_errors(self) -> Iterator[None]:
        """Data errors raised inside (a NaN, a bad label) name this input, if they do not yet.

        The computation that finds them knows rows, not files; a user with several inputs
        needs both.
        """
        try:
            yield
        except InputDataError as exc:
            message = str(exc)
            named = [self.description, *(f"'{reader.label}'" for reader in self._readers)]
            if any(name in message for name in named):
                raise
            raise type(exc)(f"{self.description}: {message}") from exc

    def close(self) -> None:
        """Release the input and remove any temporary file; safe to call more than once."""
        for reader in self._readers:
            reader.close()
        self._closed = True

    def __enter__(self) -> BatchSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.description!r} format={self.format}>"

    def _check_files(self, columns: list[str]) -> None:
        """Raise before any reading if a file lacks one of ``columns``, has it twice, or cannot
        fit its type."""
        for name in dict.fromkeys(columns):
            if name in self._conflicts:
                raise InputFileError(f"cannot read {self.description}: {self._conflicts[name]}")
            for reader in self._readers:
                count = reader.schema.names.count(name)
                if count == 0:
                    raise InputFileError(
                        f"cannot read '{reader.label}': it has no column '{name}', which the "
                        f"other files of {self.description} have"
                    )
                check_unique(name, reader.schema.names, f"'{reader.label}'")

    def _generate(self, wanted: list[str]) -> Iterator[pa.RecordBatch]:
        target = self._target(wanted)
        for reader in self._readers:
            yield from self._conform(reader, reader.batches(target), wanted)

    def _parts(self, wanted: list[str], split: bool) -> Iterator[Part]:
        target = self._target(wanted)
        offset = 0
        for reader in self._readers:
            pieces = reader.pieces(target) if split else None
            if pieces is None:
                for batch in self._conform(reader, reader.batches(target), wanted):
                    yield Part(offset, batch.num_rows, functools.partial(iter, (batch,)))
                    offset += batch.num_rows
                continue
            for piece in pieces:
                if piece.rows:
                    read = functools.partial(self._read_piece, reader, piece, wanted)
                    yield Part(offset, piece.rows, read)
                    offset += piece.rows

    def _read_piece(
        self, reader: Reader, piece: Piece, wanted: list[str]
    ) -> Iterator[pa.RecordBatch]:
        return self._conform(reader, piece.read(), wanted)

    def _target(self, wanted: list[str]) -> pa.Schema:
        return pa.schema([self.schema.field(name) for name in dict.fromkeys(wanted)])

    def _conform(
        self, reader: Reader, batches: Iterator[pa.RecordBatch], wanted: list[str]
    ) -> Iterator[pa.RecordBatch]:
        """``reader``'s batches as ``wanted`` asks: those columns, the union's types, sized."""
        unique = list(dict.fromkeys(wanted))
        target = self._target(wanted)
        size = self._batch_size
        for batch in batches:
            if batch.num_rows == 0:
                continue
            if batch.schema.names != unique:
                batch = batch.select(unique)
            if batch.schema.types != target.types:
                try:
                    batch = batch.cast(target)
                except READ_ERRORS as err:
                    raise reader.error(err, rows=None) from err
            if unique != wanted:
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
        InputFileError: an input is missing, unreadable, corrupt, or the files do not fit together.
    """
    paths = (spec.paths,) if isinstance(spec.paths, str) else tuple(spec.paths)
    options = OpenOptions(
        input_format=normalize_format(spec.input_format),
        delimiter=normalize_delimiter(spec.delimiter),
        batch_size=_check_batch_size(spec.batch_size),
        spool=spool_stdin,
        note=note,
    )
    if not paths:
        raise UsageError("no input given: pass a file, a directory, a glob, or - for stdin")
    if "-" in paths:
        if len(paths) > 1:
            raise UsageError("'-' (stdin) cannot be combined with other inputs")
        reader = open_stream(stdin_stream(stdin), "stdin", None, options, owns_stream=False)
        return BatchSource([reader], reader.description, options.batch_size)
    remotes = _remotes(paths, spec.storage_options, note)
    options = replace(options, remotes=remotes)
    files = expand_paths(paths, remotes)
    readers: list[Reader] = []
    try:
        for path in files:
            reader = open_path(path, options)
            readers.append(reader)
            first = readers[0]
            if family(reader.format) != family(first.format):
                raise UsageError(
                    f"all inputs must have the same format, but '{first.label}' is "
                    f"{first.format} and '{reader.label}' is {reader.format}"
                )
    except BaseException:
        for reader in readers:
            reader.close()
        raise
    description = readers[0].description if len(readers) == 1 else _describe_files(files)
    return BatchSource(readers, description, options.batch_size)


def _remotes(
    paths: tuple[str, ...],
    storage_options: Sequence[str] | Mapping[str, object] | None,
    note: Callable[[str], None],
) -> Remotes | None:
    """The remote stores' handle if an input is a URI; checks the storage options either way."""
    remote = any(is_uri(path) for path in paths)
    if not remote and not storage_options:
        return None  # the common case imports nothing remote
    from losscli.io.storage_options import parse_storage_options

    parsed = parse_storage_options(storage_options)
    if not remote:
        if parsed:
            note("--storage-option is ignored: no input is a URI (s3://, gs://, https://, ...)")
        return None
    from losscli.io.remote import Remotes

    return Remotes(parsed)


def _check_batch_size(value: int) -> int:
    try:
        size = operator.index(value)
    except TypeError:
        size = 0
    if isinstance(value, bool) or size < 1:
        raise UsageError(f"the batch size must be a positive integer, got {value!r}")
    return size


def _union_schema(readers: list[Reader]) -> tuple[pa.Schema, dict[str, str]]:
    """The schema of ``readers`` read as one, and why each column that cannot be is not."""
    if len(readers) == 1:
        return readers[0].schema, {}
    fields: dict[str, pa.Field] = {}
    owners: dict[str, str] = {}
    conflicts: dict[str, str] = {}
    for reader in readers:
        for field in reader.schema:
            name = field.name
            if name not in fields:
                fields[name], owners[name] = field, reader.label
            elif name not in conflicts and not fields[name].type.equals(field.type):
                try:
                    fields[name] = pa.unify_schemas(
                        [pa.schema([fields[name]]), pa.schema([field])],
                        promote_options="permissive",
                    ).field(0)
                except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                    conflicts[name] = (
                        f"'{reader.label}' does not fit the other files: column '{name}' is "
                        f"{field.type} there but {fields[name].type} in '{owners[name]}'"
                    )
    return pa.schema(list(fields.values())), conflicts


def _describe_files(files: list[str]) -> str:
    if any(is_uri(file) for file in files):
        return _describe_uris(files)
    try:
        parent = os.path.commonpath([os.path.dirname(file) or "." for file in files])
    except ValueError:  # absolute and relative paths mixed
        parent = ""
    if parent in ("", "."):
        return f"{len(files)} files"
    return f"{len(files)} files in {parent.rstrip(os.sep)}{os.sep}"


def _describe_uris(files: list[str]) -> str:
    """ "3 files in s3://bucket/preds/" when they share a prefix, else "3 files"."""
    parents = [file.rsplit("/", 1)[0].split("/") for file in files]
    common: list[str] = []
    for segments in zip(*parents, strict=False):  # stops at the shortest
        if len(set(segments)) > 1:
            break
        common.append(segments[0])
    if len(common) < 3:  # not even "scheme:", "", "bucket" in common
        return f"{len(files)} files"
    return f"{len(files)} files in {display_uri('/'.join(common))}/"


def _sum_known(values: list[int | None]) -> int | None:
    known = [value for value in values if value is not None]
    return sum(known) if len(known) == len(values) else None
