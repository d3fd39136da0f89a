"""Where an input's decompressed bytes come from: a regular file, or a stream readable only once.

Opening an input first looks at its head (to sniff the format and read a schema) and then reads
it from the start. A file is simply opened again. A stream (stdin, a named pipe) cannot be, so its
head is kept in memory and served again as the start of the single read.
"""

from __future__ import annotations

import io
from typing import Any, BinaryIO, Protocol

import pyarrow as pa

from losscli.io.formats import compression_from_magic

_TAIL_BYTES = 4096


class Readable(Protocol):
    """A binary stream, as pyarrow readers and :class:`RawInput` users need it."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class RawInput:
    """An input's (decompressed) bytes, with its first bytes available before reading.

    Attributes:
        label: how to name the input to the user.
        path: the file to hand to readers that need one (Parquet, IPC files); None for a stream.
        compression: the compression the input is read through, if any.
        rereadable: whether :meth:`open` may be called more than once.
        filesystem: the pyarrow filesystem ``path`` is in, for a remote file; None if local.
    """

    label: str
    path: str | None
    compression: str | None
    rereadable: bool
    filesystem: Any = None

    def head(self, size: int) -> bytes:
        """The first ``size`` decompressed bytes (fewer if the input is shorter)."""
        raise NotImplementedError

    def open(self) -> Readable:
        """A readable stream of the decompressed bytes, from the start."""
        raise NotImplementedError

    def open_file(self) -> pa.NativeFile:
        """The bytes as a random-access file (only regular, uncompressed files have one)."""
        raise NotImplementedError

    def release(self) -> None:
        """Drop cached head bytes that are no longer needed."""

    def close(self) -> None:
        """Close what this object opened."""


class FileInput(RawInput):
    """A regular file, decompressed through ``compression``; it can be read any number of times.

    ``filesystem`` is the pyarrow filesystem holding ``path`` for a remote file (None: local).
    """

    def __init__(
        self, path: str, label: str, compression: str | None, filesystem: Any = None
    ) -> None:
        self.path = path
        self.label = label
        self.compression = compression
        self.filesystem = filesystem
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
        if self.filesystem is not None:
            return self.filesystem.open_input_stream(self.path, compression=self.compression)
        return pa.input_stream(self.path, compression=self.compression)

    def open_file(self) -> pa.NativeFile:
        """The (uncompressed) file for random access: only the byte ranges read are fetched."""
        if self.filesystem is not None:
            return self.filesystem.open_input_file(self.path)
        return pa.OSFile(self.path)

    def release(self) -> None:
        self._head = b""
        self._complete = False


class StreamInput(RawInput):
    """A stream such as stdin or a named pipe, its compression sniffed; it can be read once."""

    def __init__(self, stream: BinaryIO, label: str, *, owns_stream: bool) -> None:
        self.path = None
        self.label = label
        self.rereadable = False
        self._stream = stream
        self._owns_stream = owns_stream
        self._opened = False
        raw = _Peekable(stream)
        self.compression = compression_from_magic(raw.peek(16))
        if self.compression is None:
            self._data = raw
        else:
            self._data = _Peekable(pa.input_stream(raw, compression=self.compression))

    def head(self, size: int) -> bytes:
        return self._data.peek(size)

    def open(self) -> Readable:
        if self._opened:
            raise RuntimeError(f"{self.label} can be read only once")
        self._opened = True
        return self._data

    def close(self) -> None:
        if self._owns_stream:
            self._stream.close()


class _Peekable(io.RawIOBase):
    """A read-only binary stream whose first bytes can be looked at without consuming them."""

    def __init__(self, stream: Readable) -> None:
        super().__init__()
        self._stream = stream
        self._buffer = bytearray()
        self._eof = False
        self.lines = 0
        """How many line ends the reads so far returned."""
        self.tail = b""
        """What the reads so far returned after their last line end (up to 4 KiB)."""
        self.ended = False
        """Whether a read met the end of the stream."""

    def readable(self) -> bool:
        return True

    def _returned(self, data: bytes, size: int | None) -> bytes:
        """Note what a read hands out, so a stream ending mid-row can be told apart."""
        ends = data.count(b"\n")
        if ends:
            self.lines += ends
            self.tail = data[data.rfind(b"\n") + 1 :][-_TAIL_BYTES:]
        else:
            self.tail = (self.tail + data[-_TAIL_BYTES:])[-_TAIL_BYTES:]
        if size is None or size < 0 or len(data) < size:
            self.ended = True
        return data

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
        return self._returned(self._read(size), size)

    def _read(self, size: int | None) -> bytes:
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
