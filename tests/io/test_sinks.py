"""Per-sample sinks: formats round-trip, stdout streams, files appear atomically or not at all."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import stat
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from losscli.errors import OutputError, UsageError
from losscli.io import sinks
from losscli.io.sinks import SINK_FORMATS, RowSink, open_sink, sink_format

SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string()), ("huber", pa.float64())])
VALUES = [
    0.1 + 0.2,
    1 / 3,
    5e-324,
    1.7976931348623157e308,
    float("nan"),
    float("inf"),
    -float("inf"),
    None,
    0.0,
    -2.5,
]
NAMES = [
    "plain",
    "with,comma",
    'with "quote"',
    "multi\nline",
    "",
    None,
    "ünï",
    "tab\there",
    "x",
    "y",
]


def make_batches() -> list[pa.RecordBatch]:
    """Three batches (4, 0, 6 rows) with awkward floats and strings."""
    ids = list(range(len(VALUES)))

    def batch(lo: int, hi: int) -> pa.RecordBatch:
        return pa.record_batch(
            [pa.array(ids[lo:hi], pa.int64()), pa.array(NAMES[lo:hi]), pa.array(VALUES[lo:hi])],
            schema=SCHEMA,
        )

    return [batch(0, 4), batch(4, 4), batch(4, 10)]


def same_float(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return (math.isnan(a) and math.isnan(b)) or a == b


def read_back(path: Path, fmt: str) -> list[dict[str, object]]:
    """Rows of ``path`` as dicts of Python values, read with an independent reader."""
    if fmt == "parquet":
        return pq.read_table(path).to_pylist()
    if fmt == "arrow":
        with pa.ipc.open_file(path) as reader:
            assert reader.schema.equals(SCHEMA)
            return reader.read_all().to_pylist()
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    delimiter = "\t" if fmt == "tsv" else ","
    with path.open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle, delimiter=delimiter))
    return [
        {
            "id": int(r["id"]),
            "name": r["name"],
            "huber": None if r["huber"] == "" else float(r["huber"]),
        }
        for r in records
    ]


def check_rows(rows: list[dict[str, object]], fmt: str) -> None:
    assert len(rows) == len(VALUES)
    for i, row in enumerate(rows):
        assert row["id"] == i
        assert same_float(row["huber"], VALUES[i]), (fmt, i, row["huber"])  # type: ignore[arg-type]
        if fmt in ("csv", "tsv") and NAMES[i] is None:
            assert row["name"] == ""  # CSV has no null string: an empty field
        else:
            assert row["name"] == NAMES[i]


def listing(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


# -- sink_format -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.parquet", "parquet"),
        ("a.pq", "parquet"),
        ("dir.v2/A.PARQUET", "parquet"),
        ("a.csv", "csv"),
        ("a.tsv", "tsv"),
        ("a.arrow", "arrow"),
        ("a.feather", "arrow"),
        ("a.ipc", "arrow"),
        ("a.jsonl", "jsonl"),
        ("a.ndjson", "jsonl"),
    ],
)
def test_sink_format_from_the_extension(name: str, fmt: str) -> None:
    assert sink_format(name) == fmt


@pytest.mark.parametrize("name", ["a.json", "a.xlsx", "a", "a.csv.gz", "out/"])
def test_unknown_extension_is_a_usage_error(name: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot tell the output format"):
        sink_format(name)
    with pytest.raises(UsageError, match="cannot tell the output format"):
        open_sink(str(tmp_path / "x.xlsx"))
    assert listing(tmp_path) == []


# -- files: every format -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", SINK_FORMATS)
def test_each_format_round_trips_several_batches(fmt: str, tmp_path: Path) -> None:
    target = tmp_path / f"out.{fmt}"
    with open_sink(str(target)) as sink:
        assert sink.format == fmt
        for batch in make_batches():
            sink.write(batch)
            assert not target.exists()  # nothing at the target until the commit
            assert sink.temp_path is not None and sink.temp_path.parent == tmp_path
    assert sink.rows_written == len(VALUES)
    assert listing(tmp_path) == [target.name]  # the temporary file was renamed, not copied
    check_rows(read_back(target, fmt), fmt)


def test_csv_floats_are_written_at_full_precision(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with open_sink(target) as sink:
        for batch in make_batches():
            sink.write(batch)
    lines = target.read_text().splitlines()
    assert lines[0] == '"id","name","huber"'
    assert lines.count('"id","name","huber"') == 1  # the header once, not once per batch
    text = target.read_text()
    for literal in ("0.30000000000000004", "0.3333333333333333", "5e-324", "nan", "inf", "-inf"):
        assert literal in text


def test_jsonl_writes_nonfinite_as_bare_tokens_that_pyarrow_reads(tmp_path: Path) -> None:
    import pyarrow.json as pajson

    target = tmp_path / "out.jsonl"
    with open_sink(target) as sink:
        for batch in make_batches():
            sink.write(batch)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[4] == '{"id":4,"name":"","huber":NaN}'
    assert lines[5] == '{"id":5,"name":null,"huber":Infinity}'
    assert lines[6] == '{"id":6,"name":"ünï","huber":-Infinity}'
    assert lines[7] == '{"id":7,"name":"tab\\there","huber":null}'
    table = pajson.read_json(target)
    assert table.schema.field("huber").type == pa.float64()  # still one numeric column
    assert all(same_float(a, b) for a, b in zip(table["huber"].to_pylist(), VALUES, strict=True))


def test_jsonl_writes_other_types_as_text(tmp_path: Path) -> None:
    import datetime
    import decimal

    batch = pa.record_batch(
        {
            "when": pa.array([datetime.datetime(2024, 5, 1, 12, 30)], pa.timestamp("s")),
            "day": pa.array([datetime.date(2024, 5, 1)]),
            "amount": pa.array([decimal.Decimal("1.10")], pa.decimal128(5, 2)),
            "blob": pa.array([b"\x00\xff"]),
            "vec": pa.array([[1.0, float("nan")]]),
        }
    )
    target = tmp_path / "out.jsonl"
    with open_sink(target) as sink:
        sink.write(batch)
    assert target.read_text() == (
        '{"when":"2024-05-01T12:30:00","day":"2024-05-01","amount":"1.10",'
        '"blob":"AP8=","vec":[1.0,NaN]}\n'
    )


def test_a_large_batch_is_written_in_chunks(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sinks, "_JSONL_CHUNK_ROWS", 3)
    batch = pa.record_batch({"x": pa.array(range(10), pa.int64())})
    target = tmp_path / "out.jsonl"
    with open_sink(target) as sink:
        sink.write(batch)
    assert [json.loads(line)["x"] for line in target.read_text().splitlines()] == list(range(10))


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_csv_cannot_hold_a_list_column(fmt: str, tmp_path: Path) -> None:
    batch = pa.record_batch({"vec": pa.array([[1.0, 2.0]])})
    with (
        pytest.raises(UsageError, match="cannot hold the list or struct column"),
        open_sink(tmp_path / f"out.{fmt}") as sink,
    ):
        sink.write(batch)
    assert listing(tmp_path) == []
    with pytest.raises(UsageError, match="'vec'"):
        open_sink(tmp_path / f"out.{fmt}", schema=batch.schema)


def test_fmt_overrides_the_extension(tmp_path: Path) -> None:
    target = tmp_path / "rows.txt"
    with open_sink(target, fmt="jsonl") as sink:
        sink.write(make_batches()[0])
    assert json.loads(target.read_text().splitlines()[0])["id"] == 0


def test_unknown_fmt_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown per-sample output format 'xlsx'"):
        open_sink(tmp_path / "a.csv", fmt="xlsx")


# -- files: empty output -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", SINK_FORMATS)
def test_no_batches_with_a_schema_gives_a_valid_empty_file(fmt: str, tmp_path: Path) -> None:
    target = tmp_path / f"out.{fmt}"
    with open_sink(target, schema=SCHEMA):
        pass
    if fmt == "parquet":
        table = pq.read_table(target)
        assert table.num_rows == 0 and table.schema.equals(SCHEMA)
    elif fmt == "arrow":
        table = pa.ipc.open_file(target).read_all()
        assert table.num_rows == 0 and table.schema.equals(SCHEMA)
    elif fmt == "jsonl":
        assert target.read_bytes() == b""
    else:
        sep = "\t" if fmt == "tsv" else ","
        assert target.read_text() == sep.join(['"id"', '"name"', '"huber"']) + "\n"
    assert listing(tmp_path) == [target.name]


def test_only_empty_batches_still_write_the_header(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with open_sink(target) as sink:
        sink.write(make_batches()[1])
    assert target.read_text() == '"id","name","huber"\n'
    assert sink.rows_written == 0


@pytest.mark.parametrize("fmt", SINK_FORMATS)
def test_no_batches_and_no_schema_still_commits(fmt: str, tmp_path: Path) -> None:
    target = tmp_path / f"out.{fmt}"
    with open_sink(target):
        pass
    assert target.exists()
    if fmt == "parquet":
        assert pq.read_table(target).num_rows == 0


# -- files: atomicity --------------------------------------------------------------------------


class Boom(Exception):
    pass


@pytest.mark.parametrize("fmt", SINK_FORMATS)
def test_an_exception_in_the_block_leaves_nothing(fmt: str, tmp_path: Path) -> None:
    target = tmp_path / f"out.{fmt}"
    with pytest.raises(Boom), open_sink(target) as sink:  # noqa: PT012
        for batch in make_batches():
            sink.write(batch)
        assert sink.temp_path is not None and sink.temp_path.exists()
        assert sink.temp_path.name.startswith(f".out.{fmt}.")
        assert sink.temp_path.name.endswith(".tmp")
        raise Boom
    assert listing(tmp_path) == []


@pytest.mark.parametrize("fmt", SINK_FORMATS)
def test_an_existing_target_survives_an_aborted_write(fmt: str, tmp_path: Path) -> None:
    target = tmp_path / f"out.{fmt}"
    target.write_bytes(b"the previous run's output\n")
    with pytest.raises(KeyboardInterrupt), open_sink(target) as sink:  # noqa: PT012
        sink.write(make_batches()[0])
        raise KeyboardInterrupt
    assert target.read_bytes() == b"the previous run's output\n"
    assert listing(tmp_path) == [target.name]


def test_a_commit_replaces_an_existing_target_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    with open_sink(target) as sink:
        sink.write(make_batches()[0])
    assert target.read_text().startswith('"id","name","huber"\n0,')
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_new_file_gets_the_usual_mode_not_mkstemps_0600(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        with open_sink(tmp_path / "out.parquet") as sink:
            sink.write(make_batches()[0])
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "out.parquet").stat().st_mode) == 0o644


def test_a_failing_rename_aborts(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "out.parquet"
    target.write_bytes(b"old")

    def failing_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sinks.os, "replace", failing_replace)
    with pytest.raises(OutputError, match="no space left on device"), open_sink(target) as sink:
        sink.write(make_batches()[0])
    assert listing(tmp_path) == ["out.parquet"]
    assert target.read_bytes() == b"old"


def test_a_batch_with_another_schema_is_a_bug_and_aborts(tmp_path: Path) -> None:
    target = tmp_path / "out.parquet"
    sink = open_sink(target)
    sink.write(make_batches()[0])
    other = pa.record_batch({"id": pa.array([1], pa.int32())})
    with pytest.raises(ValueError, match="same schema"):
        sink.write(other)
    assert listing(tmp_path) == []
    with pytest.raises(ValueError, match="aborted"):
        sink.write(make_batches()[0])
    with pytest.raises(ValueError, match="aborted"):
        sink.commit()


def test_a_batch_must_match_the_declared_schema(tmp_path: Path) -> None:
    sink = open_sink(tmp_path / "out.csv", schema=SCHEMA)
    with pytest.raises(ValueError, match="same schema"):
        sink.write(pa.record_batch({"x": [1.0]}))
    assert listing(tmp_path) == []


def test_write_takes_record_batches_only(tmp_path: Path) -> None:
    sink = open_sink(tmp_path / "out.csv")
    with pytest.raises(TypeError, match="RecordBatch"):
        sink.write(pa.table({"x": [1.0]}))  # type: ignore[arg-type]
    sink.abort()
    assert listing(tmp_path) == []


def test_commit_and_abort_are_idempotent(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    sink = open_sink(target)
    sink.write(make_batches()[0])
    sink.commit()
    sink.commit()
    sink.abort()  # after a commit: nothing to undo
    assert target.exists()
    with pytest.raises(ValueError, match="committed"):
        sink.write(make_batches()[0])


def test_open_sink_creates_nothing(tmp_path: Path) -> None:
    sink = open_sink(tmp_path / "out.parquet")
    assert listing(tmp_path) == []
    sink.abort()
    assert listing(tmp_path) == []


def test_a_dropped_sink_deletes_its_temporary_file(tmp_path: Path) -> None:
    sink = open_sink(tmp_path / "out.csv")
    sink.write(make_batches()[0])
    assert len(listing(tmp_path)) == 1
    del sink
    assert listing(tmp_path) == []


# -- files: where it cannot write --------------------------------------------------------------


def test_a_missing_directory_is_a_usage_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match=r"^cannot write 'out/x\.parquet': no such directory$"):
        open_sink("out/x.parquet")
    assert listing(tmp_path) == []


def test_a_file_as_the_directory_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    with pytest.raises(UsageError, match="is not a directory"):
        open_sink(tmp_path / "afile" / "x.csv")


def test_a_directory_as_the_target_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(UsageError, match="it is a directory"):
        open_sink(tmp_path / "d.csv")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_an_unwritable_directory_is_a_usage_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(UsageError, match="permission denied"):
            open_sink(locked / "x.csv")
    finally:
        locked.chmod(0o700)


def test_an_unwritable_directory_found_by_the_probe(tmp_path: Path, monkeypatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(sinks.tempfile, "mkstemp", refuse)
    with pytest.raises(UsageError, match=r"cannot write '.*x\.csv': permission denied in"):
        open_sink(tmp_path / "x.csv")


def test_no_overwrite_refuses_an_existing_target(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("keep me\n")
    with pytest.raises(UsageError, match="already exists"):
        open_sink(target, overwrite=False)
    fresh = tmp_path / "fresh.csv"
    with open_sink(fresh, overwrite=False) as sink:
        sink.write(make_batches()[0])
    assert fresh.read_text().startswith('"id"')


def test_no_overwrite_refuses_a_target_that_appears_while_writing(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"

    def write_while_another_process_creates_it() -> None:
        with open_sink(target, overwrite=False) as sink:
            sink.write(make_batches()[0])
            target.write_text("appeared meanwhile\n")

    with pytest.raises(UsageError, match="already exists"):
        write_while_another_process_creates_it()
    assert target.read_text() == "appeared meanwhile\n"
    assert listing(tmp_path) == ["out.csv"]


# -- stdout ------------------------------------------------------------------------------------


class RecordingStream(io.BytesIO):
    """A stdout stand-in that records what had been written at each flush."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed: list[bytes] = []

    def flush(self) -> None:
        self.flushed.append(self.getvalue())


@pytest.mark.parametrize("path", [None, "-"])
def test_stdout_csv_streams_each_batch_with_one_header(path: str | None) -> None:
    out = RecordingStream()
    with open_sink(path, stdout=out) as sink:
        assert sink.format == "csv" and sink.target is None
        for batch in make_batches():
            sink.write(batch)
    text = out.getvalue().decode()
    assert text.count('"id","name","huber"') == 1
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["id"]) for r in rows] == list(range(10))
    assert rows[0]["huber"] == "0.30000000000000004"
    # flushed after every batch: the first 4 rows were out before the next batch came
    assert len(list(csv.DictReader(io.StringIO(out.flushed[0].decode())))) == 4


def test_stdout_jsonl() -> None:
    out = io.BytesIO()
    with open_sink(None, fmt="jsonl", stdout=out) as sink:
        for batch in make_batches():
            sink.write(batch)
    rows = [json.loads(line) for line in out.getvalue().decode().splitlines()]
    assert [r["id"] for r in rows] == list(range(10))
    assert all(same_float(r["huber"], v) for r, v in zip(rows, VALUES, strict=True))


def test_stdout_tsv_header_only_when_empty() -> None:
    out = io.BytesIO()
    with open_sink(None, fmt="tsv", stdout=out, schema=SCHEMA):
        pass
    assert out.getvalue() == b'"id"\t"name"\t"huber"\n'


def test_stdout_is_the_default_stream(capsysbinary) -> None:
    with open_sink(None) as sink:
        sink.write(make_batches()[0])
    assert capsysbinary.readouterr().out.startswith(b'"id","name","huber"\n0,')


@pytest.mark.parametrize("fmt", ["parquet", "arrow"])
def test_binary_formats_need_a_file(fmt: str) -> None:
    with pytest.raises(UsageError, match=f"{fmt} output needs a file"):
        open_sink(None, fmt=fmt, stdout=io.BytesIO())


class ClosedPipe(io.BytesIO):
    def write(self, data: object) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_propagates_broken_pipe() -> None:
    sink = open_sink(None, stdout=ClosedPipe(), schema=None)
    with pytest.raises(BrokenPipeError), sink:
        sink.write(make_batches()[0])
    assert isinstance(sink, RowSink)


def test_a_real_closed_pipe_stops_the_writer(tmp_path: Path) -> None:
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import os, sys
        import pyarrow as pa
        from losscli.io.sinks import open_sink

        batch = pa.record_batch({"x": pa.array(range(1000), pa.float64())})
        written = 0
        try:
            with open_sink(None) as sink:
                for _ in range(100_000):
                    sink.write(batch)
                    written += 1
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.stderr.write(f"stopped after {written} batches\\n")
            sys.exit(0)
        sys.exit(1)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b'"x"\n'  # the header, then go away like `| head -1`
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert err.startswith("stopped after ")
    assert int(err.split()[2]) < 100_000
