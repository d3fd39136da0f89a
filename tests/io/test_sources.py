"""Tests for losscli.io.sources: every format, projection, stdin, datasets, errors, memory bound."""

from __future__ import annotations

import io
import os
import re
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.ipc as pa_ipc
import pyarrow.parquet as pq
import pytest

from losscli.errors import InputDataError, UsageError
from losscli.io.sources import BatchSource, InputSpec, open_source

TABLE = pa.table(
    {
        "y_true": pa.array([0.5, 0.0, 1.0, 1.0, 0.25], pa.float64()),
        "y_pred": pa.array([0.9, 0.2, 0.6, 0.7, 0.1], pa.float64()),
        "label": pa.array([1, 0, 2, 1, 0], pa.int64()),
        "name": pa.array(["a", "b", "c", "d", "e"], pa.string()),
    }
)
COLUMNS = TABLE.column_names


def _csv_bytes(table: pa.Table, delimiter: str = ",") -> bytes:
    sink = io.BytesIO()
    pa_csv.write_csv(table, sink, pa_csv.WriteOptions(delimiter=delimiter, quoting_style="none"))
    return sink.getvalue()


def _jsonl_bytes(table: pa.Table) -> bytes:
    import json

    return "".join(json.dumps(row) + "\n" for row in table.to_pylist()).encode()


def _ipc_bytes(table: pa.Table, *, stream: bool, max_chunksize: int | None = None) -> bytes:
    sink = pa.BufferOutputStream()
    opener = pa_ipc.new_stream if stream else pa_ipc.new_file
    with opener(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=max_chunksize)
    return sink.getvalue().to_pybytes()


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


WRITERS: dict[str, Callable[[pa.Table], bytes]] = {
    "csv": _csv_bytes,
    "tsv": lambda table: _csv_bytes(table, "\t"),
    "jsonl": _jsonl_bytes,
    "parquet": _parquet_bytes,
    "arrow": lambda table: _ipc_bytes(table, stream=False, max_chunksize=2),
    "feather": lambda table: _ipc_bytes(table, stream=False),
    "arrows": lambda table: _ipc_bytes(table, stream=True, max_chunksize=2),
    "ndjson": _jsonl_bytes,
}


def _write(path: Path, data: bytes, compression: str | None = None) -> Path:
    if compression is None:
        path.write_bytes(data)
    else:
        with pa.CompressedOutputStream(str(path), compression) as out:
            out.write(data)
    return path


def _read_all(source: BatchSource, columns: list[str] | None = None) -> pa.Table:
    names = COLUMNS if columns is None else columns
    batches = list(source.batches(names))
    if not batches:
        return source.schema.empty_table().select(names)
    return pa.Table.from_batches(batches)


def _open(*paths: Path | str, **spec: object) -> BatchSource:
    return open_source(InputSpec(tuple(str(path) for path in paths), **spec))  # type: ignore[arg-type]


class FakeTTY(io.BytesIO):
    def isatty(self) -> bool:
        return True


# -- formats ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extension", "fmt"),
    [
        ("csv", "csv"),
        ("tsv", "tsv"),
        ("jsonl", "jsonl"),
        ("ndjson", "jsonl"),
        ("parquet", "parquet"),
        ("arrow", "arrow"),
        ("feather", "arrow"),
        ("arrows", "arrow"),
    ],
)
def test_round_trip_each_format(tmp_path: Path, extension: str, fmt: str) -> None:
    path = _write(tmp_path / f"preds.{extension}", WRITERS[extension](TABLE))
    with _open(path) as source:
        assert source.format == fmt
        assert source.description == str(path)
        assert source.schema.names == COLUMNS
        assert source.rereadable
        assert source.total_bytes == path.stat().st_size
        assert _read_all(source).equals(TABLE)


@pytest.mark.parametrize("extension", ["csv", "jsonl", "parquet", "arrow", "arrows"])
def test_projection_returns_only_requested_columns_in_order(tmp_path: Path, extension: str) -> None:
    path = _write(tmp_path / f"preds.{extension}", WRITERS[extension](TABLE))
    with _open(path) as source:
        table = _read_all(source, ["name", "y_pred"])
        assert table.column_names == ["name", "y_pred"]
        assert table.equals(TABLE.select(["name", "y_pred"]))
        assert _read_all(source, ["label", "label"]).column_names == ["label", "label"]
        counts = list(source.batches([]))
        assert sum(batch.num_rows for batch in counts) == 5
        assert all(batch.num_columns == 0 for batch in counts)


def test_unknown_column_is_input_data_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "preds.parquet", _parquet_bytes(TABLE))
    with _open(path) as source, pytest.raises(InputDataError, match="no column 'nope'"):
        source.batches(["y_true", "nope"])


@pytest.mark.parametrize(
    ("suffix", "compression"),
    [(".gz", "gzip"), (".bz2", "bz2"), (".zst", "zstd"), (".zstd", "zstd")],
)
def test_compressed_csv(tmp_path: Path, suffix: str, compression: str) -> None:
    path = _write(tmp_path / f"preds.csv{suffix}", _csv_bytes(TABLE), compression)
    with _open(path) as source:
        assert source.format == "csv"
        assert _read_all(source).equals(TABLE)


def test_compressed_jsonl_and_compression_sniffed_without_extension(tmp_path: Path) -> None:
    path = _write(tmp_path / "preds.jsonl.gz", _jsonl_bytes(TABLE), "gzip")
    with _open(path) as source:
        assert _read_all(source).equals(TABLE)
    bare = _write(tmp_path / "preds", _csv_bytes(TABLE), "zstd")
    with _open(bare) as source:
        assert source.format == "csv"
        assert _read_all(source).equals(TABLE)


def test_gz_extension_on_plain_file_reads_plain(tmp_path: Path) -> None:
    path = _write(tmp_path / "preds.csv.gz", _csv_bytes(TABLE))  # already decompressed
    with _open(path) as source:
        assert _read_all(source).equals(TABLE)


def test_compressed_parquet_is_decompressed_to_a_temporary_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "preds.parquet.gz", _parquet_bytes(TABLE), "gzip")
    notes: list[str] = []
    source = open_source(InputSpec((str(path),)), note=notes.append)
    with source:
        assert notes == [f"decompressing Parquet from '{path}' to a temporary file"]
        assert _read_all(source).equals(TABLE)
        assert source.total_rows == 5


@pytest.mark.parametrize(("delimiter", "fmt"), [("\t", "tsv"), (";", "csv"), ("|", "csv")])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str, fmt: str) -> None:
    path = _write(tmp_path / "preds.csv", _csv_bytes(TABLE, delimiter))
    with _open(path) as source:
        assert source.format == fmt
        assert _read_all(source).equals(TABLE)


def test_delimiter_sniffing_ignores_quoted_and_inconsistent_candidates(tmp_path: Path) -> None:
    path = _write(tmp_path / "preds.csv", b'"a;b",c\n"1;2",3\n"4;5",6\n')
    with _open(path) as source:
        assert source.schema.names == ["a;b", "c"]
    path = _write(tmp_path / "decimal.csv", b"x;y,z\n1;2\n3;4\n")
    with _open(path) as source:
        assert source.schema.names == ["x", "y,z"]


def test_delimiter_override(tmp_path: Path) -> None:
    path = _write(tmp_path / "preds.txt", b"a:b\n1:2\n")
    with _open(path, delimiter=":") as source:
        assert source.schema.names == ["a", "b"]
        assert _read_all(source, ["b"]).column("b").to_pylist() == [2]
    with pytest.raises(UsageError, match="single character"):
        _open(path, delimiter="::")
    tabbed = _write(tmp_path / "tabbed.csv", b"a\tb\n1\t2\n")
    with _open(tabbed, delimiter="\\t") as source:
        assert source.format == "tsv"
        assert source.schema.names == ["a", "b"]


def test_header_only_csv_has_a_schema_and_no_batches(tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.csv", b"y_true,y_pred\n")
    with _open(path) as source:
        assert source.schema.names == ["y_true", "y_pred"]
        assert list(source.batches(["y_pred"])) == []


def test_empty_file_is_input_data_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.csv", b"")
    with pytest.raises(InputDataError, match=r"cannot read '.*empty\.csv': it is empty"):
        _open(path)


def test_total_rows_from_metadata(tmp_path: Path) -> None:
    expected = {"parquet": 5, "arrow": 5, "arrows": None, "csv": None, "jsonl": None}
    for extension, rows in expected.items():
        path = _write(tmp_path / f"preds.{extension}", WRITERS[extension](TABLE))
        with _open(path) as source:
            assert source.total_rows == rows, extension


def test_rereading_a_file_gives_the_same_batches(tmp_path: Path) -> None:
    for extension in ("csv", "parquet", "arrows"):
        path = _write(tmp_path / f"preds.{extension}", WRITERS[extension](TABLE))
        with _open(path, batch_size=2) as source:
            first = _read_all(source)
            second = _read_all(source)
            assert first.equals(second)
            assert first.equals(TABLE)


def test_list_column_from_jsonl(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "probs.jsonl", b'{"y": 1, "p": [0.1, 0.9]}\n{"y": 0, "p": [0.8, 0.2]}\n'
    )
    with _open(path) as source:
        assert source.schema.field("p").type == pa.list_(pa.float64())
        table = pa.Table.from_batches(list(source.batches(["p"])))
        assert table.column("p").to_pylist() == [[0.1, 0.9], [0.8, 0.2]]


# -- format resolution --------------------------------------------------------------------------


def test_format_is_sniffed_without_extension(tmp_path: Path) -> None:
    for name, fmt in [("parquet", "parquet"), ("arrow", "arrow"), ("jsonl", "jsonl")]:
        path = _write(tmp_path / f"blob_{name}", WRITERS[name](TABLE))
        with _open(path) as source:
            assert source.format == fmt
            assert _read_all(source).equals(TABLE)


def test_unknown_format_is_usage_error_and_input_format_overrides(tmp_path: Path) -> None:
    junk = _write(tmp_path / "blob", bytes(range(256)) * 4)
    with pytest.raises(UsageError, match="--input-format"):
        _open(junk)
    path = _write(tmp_path / "preds.data", _csv_bytes(TABLE, "\t"))
    with _open(path, input_format="tsv") as source:
        assert source.format == "tsv"
        assert _read_all(source).equals(TABLE)
    with pytest.raises(UsageError, match="unknown input format 'xlsx'"):
        _open(path, input_format="xlsx")


def test_json_array_is_explained(tmp_path: Path) -> None:
    path = _write(tmp_path / "preds.json", b'[{"a": 1}]\n')
    with pytest.raises(UsageError, match="JSON array"):
        _open(path)


def test_extension_contradicted_by_content(tmp_path: Path) -> None:
    path = _write(tmp_path / "preds.parquet", _csv_bytes(TABLE))
    with pytest.raises(InputDataError, match="--input-format csv"):
        _open(path)
    with _open(path, input_format="csv") as source:
        assert _read_all(source).equals(TABLE)


# -- several files ------------------------------------------------------------------------------


def _parts(directory: Path, extension: str = "parquet") -> list[pa.Table]:
    (directory / "sub").mkdir(parents=True)
    tables = [TABLE.slice(0, 2), TABLE.slice(2, 2), TABLE.slice(4, 1)]
    for name, table in zip(["b", "a", "sub/c"], tables, strict=True):
        _write(directory / f"{name}.{extension}", WRITERS[extension](table))
    (directory / "README.md").write_text("not data")
    (directory / ".hidden.parquet").write_bytes(b"junk")
    return tables


def test_directory_is_one_stream_in_sorted_order(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first, second, third = _parts(data)
    with _open(data) as source:
        assert source.description == f"3 files in {data}/"
        assert source.format == "parquet"
        assert source.total_rows == 5
        assert source.rereadable
        expected = pa.concat_tables([second, first, third])  # a, b, sub/c
        assert _read_all(source).equals(expected)


def test_glob_and_several_paths_are_sorted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first, second, third = _parts(data, "csv")
    expected = pa.concat_tables([second, first, third])
    with _open(f"{data}/**/*.csv") as source:
        assert source.format == "csv"
        assert source.total_rows is None
        assert _read_all(source).equals(expected)
    with _open(data / "sub/c.csv", data / "b.csv", data / "a.csv", data / "a.csv") as source:
        assert _read_all(source).equals(expected)


def test_glob_matching_nothing(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="no files match"):
        _open(f"{tmp_path}/*.parquet")


def test_directory_without_input_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputDataError, match="no readable input files"):
        _open(tmp_path)


def test_mixed_formats_are_usage_error(tmp_path: Path) -> None:
    _write(tmp_path / "a.csv", _csv_bytes(TABLE))
    _write(tmp_path / "b.parquet", _parquet_bytes(TABLE))
    with pytest.raises(UsageError, match="same format"):
        _open(tmp_path)


def test_schema_mismatch_names_the_file(tmp_path: Path) -> None:
    _write(tmp_path / "a.parquet", _parquet_bytes(TABLE))
    other = TABLE.set_column(1, "y_pred", pa.array(list("vwxyz")))
    _write(tmp_path / "b.parquet", _parquet_bytes(other.drop_columns(["label"])))
    with _open(tmp_path) as source:
        assert _read_all(source, ["y_true"]).num_rows == 10  # unaffected columns still read
        with pytest.raises(InputDataError, match=r"b\.parquet.*column 'y_pred' is string"):
            source.batches(["y_pred"])
        with pytest.raises(InputDataError, match=r"b\.parquet.*no column 'label'"):
            source.batches(["label"])


def test_int_and_float_columns_are_promoted_across_files(tmp_path: Path) -> None:
    _write(tmp_path / "a.csv", b"y,p\n1,0.5\n0,0.25\n")
    _write(tmp_path / "b.csv", b"y,p\n0.5,1\n")
    with _open(tmp_path) as source:
        assert source.schema.field("y").type == pa.float64()
        table = _read_all(source, ["y", "p"])
        assert table.schema.types == [pa.float64(), pa.float64()]
        assert table.column("y").to_pylist() == [1.0, 0.0, 0.5]


def test_several_ipc_streams(tmp_path: Path) -> None:
    _write(tmp_path / "a.arrows", _ipc_bytes(TABLE.slice(0, 3), stream=True))
    _write(tmp_path / "b.arrows", _ipc_bytes(TABLE.slice(3), stream=True))
    with _open(tmp_path) as source:
        assert _read_all(source).equals(TABLE)


# -- stdin --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("writer", "fmt"), [("csv", "csv"), ("jsonl", "jsonl"), ("arrows", "arrow")]
)
def test_stdin_is_streamed(writer: str, fmt: str) -> None:
    stdin = io.BytesIO(WRITERS[writer](TABLE))
    with open_source(InputSpec(("-",), batch_size=2), stdin=stdin) as source:
        assert source.description == f"stdin ({fmt})"
        assert source.format == fmt
        assert not source.rereadable
        assert source.total_bytes is None
        assert _read_all(source, ["name", "y_true"]).equals(TABLE.select(["name", "y_true"]))
        with pytest.raises(RuntimeError, match="only once"):
            source.batches(["y_true"])


def test_compressed_stdin_is_sniffed_inside() -> None:
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, "gzip") as out:
        out.write(_csv_bytes(TABLE, ";"))
    stdin = io.BytesIO(sink.getvalue().to_pybytes())
    with open_source(InputSpec(("-",)), stdin=stdin) as source:
        assert source.format == "csv"
        assert _read_all(source).equals(TABLE)


@pytest.fixture
def spool_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "spool"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def test_parquet_on_stdin_is_spooled_and_removed(spool_dir: Path) -> None:
    notes: list[str] = []
    stdin = io.BytesIO(_parquet_bytes(TABLE))
    source = open_source(InputSpec(("-",)), stdin=stdin, note=notes.append)
    with source:
        assert notes == ["spooling Parquet from stdin to a temporary file"]
        assert len(os.listdir(spool_dir)) == 1
        assert source.description == "stdin (parquet)"
        assert source.total_rows == 5
        assert source.rereadable
        assert _read_all(source).equals(TABLE)
    assert os.listdir(spool_dir) == []
    with pytest.raises(RuntimeError, match="closed"):
        source.batches(["y_true"])


def test_spool_stdin_makes_any_format_rereadable(spool_dir: Path) -> None:
    notes: list[str] = []
    stdin = io.BytesIO(_jsonl_bytes(TABLE))
    with open_source(InputSpec(("-",)), stdin=stdin, spool_stdin=True, note=notes.append) as src:
        assert src.rereadable
        assert notes == []
        assert _read_all(src).equals(TABLE)
        assert _read_all(src).equals(TABLE)
    assert os.listdir(spool_dir) == []


def test_terminal_stdin_is_usage_error() -> None:
    with pytest.raises(UsageError, match="stdin is a terminal"):
        open_source(InputSpec(("-",)), stdin=FakeTTY(b"a,b\n"))


def test_stdin_only_alone_and_empty_stdin(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot be combined"):
        open_source(InputSpec(("-", "x.csv")), stdin=io.BytesIO(b"a\n1\n"))
    with pytest.raises(InputDataError, match="'stdin': it is empty"):
        open_source(InputSpec(("-",)), stdin=io.BytesIO(b""))
    with pytest.raises(UsageError, match="no input given"):
        open_source(InputSpec(()))


def test_named_pipe_is_read_as_a_stream(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    data = _csv_bytes(TABLE)

    def feed() -> None:
        with open(fifo, "wb") as out:
            out.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    with _open(fifo) as source:
        assert not source.rereadable
        assert _read_all(source).equals(TABLE)
    writer.join(timeout=5)


# -- errors -------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    with pytest.raises(InputDataError, match=r"cannot read '.*x\.csv': no such file"):
        _open(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.csv", b"a\n1\n")
    path.chmod(0)
    with pytest.raises(InputDataError, match="permission denied"):
        _open(path)


def test_corrupt_parquet(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.parquet", np.random.default_rng(0).bytes(4096))
    with pytest.raises(InputDataError, match=r"cannot read '.*bad\.parquet': .*Parquet") as info:
        _open(path)
    assert "\n" not in str(info.value)


def test_truncated_parquet_stdin_names_stdin(spool_dir: Path) -> None:
    data = _parquet_bytes(TABLE)
    with pytest.raises(InputDataError, match="cannot read 'stdin'") as info:
        open_source(InputSpec(("-",)), stdin=io.BytesIO(data[:-20]))
    assert str(spool_dir) not in str(info.value)
    assert os.listdir(spool_dir) == []


def test_invalid_ipc(tmp_path: Path) -> None:
    data = _ipc_bytes(TABLE, stream=False)
    path = _write(tmp_path / "bad.arrow", data[: len(data) // 2])
    with pytest.raises(InputDataError, match=r"cannot read '.*bad\.arrow'"):
        _open(path)


def _long_csv(rows: int, bad_line: str | None = None) -> bytes:
    lines = ["y_true,y_pred"] + [f"{i % 2},0.{i % 10}" for i in range(rows)]
    if bad_line is not None:
        lines.append(bad_line)
    return ("\n".join(lines) + "\n").encode()


def test_ragged_csv_row_is_input_data_error_while_iterating(tmp_path: Path) -> None:
    path = _write(tmp_path / "ragged.csv", _long_csv(30_000, "1,0.5,extra"))
    with _open(path, batch_size=1000) as source:
        batches = source.batches(["y_pred"])
        with pytest.raises(InputDataError, match=r"ragged\.csv.*Expected 2 columns, got 3"):
            for _ in batches:
                pass


def test_ragged_csv_row_in_first_block_fails_at_open(tmp_path: Path) -> None:
    path = _write(tmp_path / "ragged.csv", b"a,b\n1,2\n3,4,5\n")
    with pytest.raises(InputDataError, match=r"ragged\.csv.*3,4,5"):
        _open(path)


def test_late_csv_type_change_names_the_column(tmp_path: Path) -> None:
    path = _write(tmp_path / "late.csv", _long_csv(30_000, "oops,0.5"))
    with _open(path, batch_size=1000) as source, pytest.raises(InputDataError) as info:
        list(source.batches(["y_pred", "y_true"]))
    message = str(info.value)
    assert "column 'y_true'" in message
    assert "'oops'" in message
    assert re.search(r"at or after row \d+", message), message


def test_bad_json_line_reports_the_absolute_row(tmp_path: Path) -> None:
    lines = [f'{{"a": {i}}}' for i in range(20_000)]
    lines[15_000] = '{"a": 1,,}'
    path = _write(tmp_path / "bad.jsonl", ("\n".join(lines) + "\n").encode())
    with _open(path, batch_size=1000) as source, pytest.raises(InputDataError) as info:
        list(source.batches(["a"]))
    assert "in row 15000" in str(info.value)  # rows count from 0


# -- memory bound -------------------------------------------------------------------------------


def test_two_million_row_parquet_streams_in_bounded_batches(tmp_path: Path) -> None:
    rows = 2_000_000
    values = np.arange(rows, dtype=np.float64)
    table = pa.table({"y_true": values, "y_pred": values * 0.5, "unused": values})
    path = tmp_path / "big.parquet"
    pq.write_table(table, path, row_group_size=300_000, compression="none")
    with _open(path, batch_size=65_536) as source:
        assert source.total_rows == rows
        total = 0
        for batch in source.batches(["y_pred"]):
            assert 0 < batch.num_rows <= 65_536
            assert batch.schema.names == ["y_pred"]
            total += batch.num_rows
        assert total == rows


def test_csv_batches_never_exceed_the_batch_size(tmp_path: Path) -> None:
    path = _write(tmp_path / "long.csv", _long_csv(50_000))
    with _open(path, batch_size=777) as source:
        sizes = [batch.num_rows for batch in source.batches(["y_true"])]
    assert max(sizes) <= 777
    assert sum(sizes) == 50_000


# -- bugs fixed while splitting the module --------------------------------------------------------


def test_glob_matching_only_directories_without_input_files(tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "sub" / "notes.txt").write_text("not an input")
    with pytest.raises(InputDataError, match=r"no readable input files match '.*d/\*'"):
        _open(tmp_path / "d" / "*")


def test_row_counts_across_files_whose_first_columns_differ(tmp_path: Path) -> None:
    _write(tmp_path / "a.csv", _csv_bytes(TABLE))
    _write(tmp_path / "b.csv", _csv_bytes(TABLE.select(["y_pred", "label"])))
    with _open(tmp_path) as source:
        counts = list(source.batches([]))
        assert sum(batch.num_rows for batch in counts) == 10
        assert all(batch.num_columns == 0 for batch in counts)


def test_a_file_named_stdin_is_named_as_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "stdin", _parquet_bytes(TABLE), "gzip")
    notes: list[str] = []
    with open_source(InputSpec(("stdin",)), note=notes.append) as source:
        assert source.description == "stdin"
        assert notes == ["decompressing Parquet from 'stdin' to a temporary file"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_full_disk_while_spooling_is_a_copy_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def mkstemp(prefix: str, suffix: str) -> tuple[int, str]:
        return os.open("/dev/full", os.O_WRONLY), str(tmp_path / f"{prefix}{suffix}")

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    stdin = io.BytesIO(_csv_bytes(pa.concat_tables([TABLE] * 1000)))
    with pytest.raises(InputDataError, match="cannot copy 'stdin' to a temporary file: No space"):
        open_source(InputSpec(("-",)), stdin=stdin, spool_stdin=True)
