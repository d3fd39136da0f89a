"""What every single-input reader does: read metadata when made, stream projected batches later.

Each format's reader (:mod:`losscli.io.columnar`, :mod:`losscli.io.text`) supplies the two
pyarrow calls; this base class turns their pyarrow and OS errors into one-line
:class:`~losscli.errors.InputFileError` naming the input, and removes the temporary file the input
may have been spooled to when it is closed (or garbage-collected).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyarrow as pa

from losscli.errors import InputFileError, LossCliError
from losscli.io.rawinput import RawInput
from losscli.io.reasons import READ_ERRORS, reason
from losscli.io.spool import remove_quietly

# How many first bytes to look at for a format, a CSV header or an IPC schema...
SNIFF_BYTES = 1 << 16
# ...and how far to keep looking when they are not enough (a very long first line or schema).
MAX_PROBE_BYTES = 1 << 26


@dataclass(frozen=True)
class Piece:
    """A piece of one input: its row count, and how to decode it (on any thread)."""

    rows: int
    read: Callable[[], Iterator[pa.RecordBatch]]


class Reader:
    """One input in one format: its schema and row count at once, its rows on demand.

    Attributes:
        label: how errors name the input: its path, or "stdin".
        format: csv, tsv, parquet, arrow or jsonl.
        description: how to name the input to the user: its path, or "stdin (csv)".
        schema: the input's full schema, read from metadata (or the first block of text formats).
        total_rows: the row count when metadata says it (Parquet footers, IPC files), else None.
        total_bytes: the size of the input when known; None for a stream.
        rereadable: whether :meth:`batches` may be called again.
    """

    schema: pa.Schema
    total_rows: int | None

    def __init__(
        self,
        raw: RawInput,
        *,
        fmt: str,
        description: str,
        total_bytes: int | None,
        batch_size: int,
        temp_path: str | None,
    ) -> None:
        self.label = raw.label
        self.format = fmt
        self.description = description
        self.total_bytes = total_bytes
        self.rereadable = raw.rereadable
        self._raw = raw
        self._batch_size = batch_size
        self._temp_path = temp_path
        self._cleanup = weakref.finalize(self, remove_quietly, temp_path) if temp_path else None
        try:
            self.schema, self.total_rows = self._metadata()
        except LossCliError:
            raise
        except READ_ERRORS as err:
            raise self.error(err, rows=None) from err
        finally:
            raw.release()
        self._check_names()

    def batches(self, target: pa.Schema) -> Iterator[pa.RecordBatch]:
        """Yield batches holding (at least) the columns of ``target``, typed as ``target``.

        With no columns asked for, they hold the first column, so they still carry row counts.
        Read errors are raised as :class:`InputFileError` naming the input.
        """
        if not target.names:
            target = pa.schema([self.schema.field(name) for name in self.schema.names[:1]])
        return self._guarded(self._batches(target))

    def pieces(self, target: pa.Schema) -> Iterator[Piece] | None:
        """The input as pieces that threads can decode apart, in order; None if it has none.

        Pieces are Parquet row groups, or line ranges of a plain CSV file. Each piece's row
        count is known before the next piece is made, so rows keep their input numbers.
        """
        return None

    def piece_rows(self) -> tuple[int, ...] | None:
        """The row count of each piece from metadata alone (Parquet row groups); else None.

        Lets a planner split the input into tasks on another machine without reading rows.
        """
        return None

    def _guarded(
        self, batches: Iterator[pa.RecordBatch], rows: int = 0
    ) -> Iterator[pa.RecordBatch]:
        """``batches`` with read errors raised as :class:`InputFileError` naming the input.

        ``rows``: the input's rows before the first of ``batches``, for the error's position.
        """
        try:
            while True:
                try:
                    batch = next(batches)
                except StopIteration:
                    return
                except LossCliError:
                    raise
                except READ_ERRORS as err:
                    raise self.error(err, rows=rows) from err
                rows += batch.num_rows
                yield batch
        finally:
            batches.close()

    def error(self, err: BaseException, *, rows: int | None) -> InputFileError:
        """``err`` as a one-line error naming the input; ``rows``: rows read before, if reading."""
        text = reason(err)
        if self._temp_path:
            text = text.replace(self._temp_path, self.label)
        return InputFileError(f"cannot read '{self.label}': {self._explain(text, rows)}")

    def _check_names(self) -> None:
        """Refuse column names that are not UTF-8 (pyarrow takes them from a CSV header as is).

        pyarrow fails only when a name is first looked at, with a ``UnicodeDecodeError`` far
        from the input; this names the input and the column instead.
        """
        for index in range(len(self.schema)):
            try:
                self.schema.field(index).name  # noqa: B018 (decoding the name is the check)
            except UnicodeDecodeError:
                raise InputFileError(
                    f"cannot read '{self.label}': the name of column #{index + 1} is not UTF-8 "
                    "text; save the file as UTF-8"
                ) from None

    def close(self) -> None:
        """Close the input and remove its temporary file, if any; safe to call more than once."""
        self._raw.close()
        if self._cleanup is not None:
            self._cleanup()

    # -- for subclasses -------------------------------------------------------------------------

    def _metadata(self) -> tuple[pa.Schema, int | None]:
        """The input's schema and, if its metadata says it, its row count."""
        raise NotImplementedError

    def _batches(self, target: pa.Schema) -> Iterator[pa.RecordBatch]:
        """The input's rows as batches of (at least) the columns of ``target``."""
        raise NotImplementedError

    def _explain(self, text: str, rows: int | None) -> str:
        """``text`` made clearer with what the format's reader knows (row numbers, columns)."""
        return text
