"""Decide which format an input is in, from the user's option, the file name or the first bytes.

The format comes from ``--input-format`` if given, else from the extension (``.csv.gz`` is CSV),
else it is sniffed from the first decompressed bytes; a binary format contradicted by the content
is refused rather than misread. Compression is always recognised from magic bytes, never from the
name, so a misnamed ``.gz`` still reads. A CSV delimiter not given is sniffed from the header.
"""

from __future__ import annotations

import os

from losscli.errors import InputFileError, UsageError

# The input format names InputSpec accepts and BatchSource.format reports.
FORMATS = ("csv", "tsv", "parquet", "arrow", "jsonl")

# The file extensions read as each format (directories are searched for these, compressed or not).
EXTENSIONS = {
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

_FORMAT_ALIASES = {"feather": "arrow", "ipc": "arrow", "ndjson": "jsonl"}
_COMPRESSED_EXTENSIONS = (".gz", ".bz2", ".zst", ".zstd")
_DELIMITERS = (",", "\t", ";", "|")
_BINARY_FORMATS = ("parquet", "arrow")
_BOM = b"\xef\xbb\xbf"


def normalize_format(value: str | None) -> str | None:
    """The format name ``value`` means (``feather`` is ``arrow``), or None if not given."""
    if value is None:
        return None
    name = value.strip().lower().lstrip(".")
    name = _FORMAT_ALIASES.get(name, name)
    if name not in FORMATS:
        raise UsageError(f"unknown input format '{value}'; use one of {', '.join(FORMATS)}")
    return name


def normalize_delimiter(value: str | None) -> str | None:
    """The one-character CSV delimiter ``value`` means (``tab`` and ``\\t`` are a tab)."""
    if value is None:
        return None
    delimiter = {"\\t": "\t", "tab": "\t"}.get(value.lower(), value)
    if len(delimiter) != 1 or delimiter in '\r\n"':
        raise UsageError(f"the CSV delimiter must be a single character, got {value!r}")
    return delimiter


def family(fmt: str) -> str:
    """The format with CSV and TSV counted as one, for checking that inputs fit together."""
    return "csv" if fmt == "tsv" else fmt


def format_from_name(name: str) -> str | None:
    """The format a file name's extension says, ignoring one compression extension."""
    lower = name.lower()
    for extension in _COMPRESSED_EXTENSIONS:
        if lower.endswith(extension):
            lower = lower[: -len(extension)]
            break
    return EXTENSIONS.get(os.path.splitext(lower)[1])


def compression_from_magic(magic: bytes) -> str | None:
    """The compression (gzip, bz2, zstd) the first bytes of a file show, or None."""
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


def resolve_format(
    label: str, name: str | None, head: bytes, input_format: str | None, delimiter: str | None
) -> tuple[str, str | None]:
    """The input's format and, for CSV/TSV, its delimiter.

    Args:
        label: how to name the input in errors.
        name: the file name whose extension may say the format; None for stdin.
        head: the first decompressed bytes of the input.
        input_format: the format the user gave (normalized), if any.
        delimiter: the CSV delimiter the user gave (normalized), if any.
    """
    sniffed = _sniff_format(head)
    by_name = format_from_name(name) if name else None
    if input_format is not None:
        fmt = input_format
    elif by_name is not None:
        fmt = by_name
        binary = fmt in _BINARY_FORMATS or sniffed in _BINARY_FORMATS
        if binary and sniffed in FORMATS and family(fmt) != family(sniffed):
            raise InputFileError(
                f"'{label}' is named like {fmt} but its content looks like {sniffed}; "
                f"pass --input-format {sniffed} to read it as {sniffed}"
            )
    elif sniffed == "json":
        raise UsageError(
            f"'{label}' looks like a JSON array, which cannot be streamed; convert it to JSON "
            "Lines (one object per line, e.g. jq -c '.[]') or pass --input-format"
        )
    elif sniffed is None:
        raise UsageError(
            f"cannot tell the format of '{label}'; pass --input-format ({', '.join(FORMATS)})"
        )
    else:
        fmt = sniffed
    if family(fmt) != "csv":
        return fmt, None
    if delimiter is None:
        delimiter = "\t" if fmt == "tsv" else _sniff_delimiter(head)
    return ("tsv" if delimiter == "\t" else "csv"), delimiter


def reader_kind(label: str, fmt: str, head: bytes) -> str:
    """Which reader ``fmt`` needs: ``arrow`` is an ``arrow-file`` or an ``arrow-stream``."""
    if fmt != "arrow":
        return fmt
    if head.startswith(b"FEA1"):
        raise InputFileError(
            f"cannot read '{label}': it is a Feather V1 file, which is not supported; re-save it "
            "as Feather V2 (Arrow IPC), e.g. with pyarrow.feather.write_feather"
        )
    return "arrow-file" if head.startswith(b"ARROW1") else "arrow-stream"


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
