"""The bad inputs of the corpus: every file is built here from a few lines of code.

Each entry of :data:`FILES` maps a relative path to a function returning its bytes. The files are
small and deterministic (fixed values, no randomness), except the few that must be larger than
the 4 MiB losscli infers column types from, which are built once per test session.

``python -m tests.corpus.files DIR`` writes them all to ``DIR``: seeds for a fuzzer, or files to
try by hand. The cases that use them, with the error each must give, are in
:mod:`tests.corpus.cases`.
"""

from __future__ import annotations

import bz2
import gzip
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc as pa_ipc
import pyarrow.parquet as pq

Builder = Callable[[], bytes]


# -- helpers ------------------------------------------------------------------------------------


def _csv(rows: int = 20, *, header: str = "y_true,y_pred") -> str:
    """A valid CSV: y_true cycles 0, 1, 2 and y_pred is near it."""
    return header + "\n" + "".join(f"{i % 3},{(i % 3) + 0.25}\n" for i in range(rows))


def _table(rows: int = 1000) -> pa.Table:
    return pa.table(
        {"y_true": (np.arange(rows) % 2).astype(float), "y_pred": np.linspace(0.0, 1.0, rows)}
    )


def _parquet(table: pa.Table, **options: object) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **options)
    return sink.getvalue().to_pybytes()


def _arrow_file(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa_ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=100)
    return sink.getvalue().to_pybytes()


def _arrow_stream(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa_ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=100)
    return sink.getvalue().to_pybytes()


def _zstd(data: bytes) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, "zstd") as stream:
        stream.write(data)
    return sink.getvalue().to_pybytes()


def _flip(data: bytes, start: int, stop: int) -> bytes:
    """``data`` with the bytes in ``[start, stop)`` inverted (a corrupted stretch)."""
    damaged = bytearray(data)
    for index in range(start, min(stop, len(damaged))):
        damaged[index] ^= 0xFF
    return bytes(damaged)


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _jsonl(records: list[object]) -> bytes:
    return "".join(json.dumps(record) + "\n" for record in records).encode()


def _npz(**arrays: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _npy(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _late_csv() -> bytes:
    """300,000 good rows (5 MB, past type inference) and then row 300000 holds 'oops'."""
    body = "".join(f"{i % 3},{(i % 7) / 8}\n" for i in range(300_000))
    return ("y_true,y_pred\n" + body + "1,oops\n").encode()


def _late_jsonl() -> bytes:
    """200,000 good lines (past type inference), then row 200000 has a string y_true."""
    good = '{"y_true": 1, "y_pred": 0.5}\n' * 200_000
    return (good + '{"y_true": "one", "y_pred": 0.5}\n').encode()


def _late_ragged_list() -> bytes:
    """A list column whose row 70000 is shorter, past the first 65,536-row batch."""
    lists = [[1.0, 0.0]] * 70_000 + [[1.0]] + [[0.0, 1.0]] * 10
    return _parquet(pa.table({"y_true": lists, "y_pred": lists}))


def _state(**changes: object) -> bytes:
    """A valid `losscli evaluate --emit-state` file of mse over 4 rows, with ``changes``."""
    state = {
        "kind": "losscli-evaluate-state",
        "version": 1,
        "losses": [{"label": "mean_squared_error", "name": "mean_squared_error", "params": {}}],
        "columns": {"y_true": ["y_true"], "y_pred": ["y_pred"], "sample_weight": None},
        "options": {
            "reduction": None,
            "dtype": None,
            "nan": "error",
            "class_weight": None,
            "group_by": [],
            "cluster_by": None,
            "level": None,
            "replicates": 1000,
            "seed": 0,
            "min_slice_rows": 30,
        },
        "rows_read": 4,
        "rows_skipped": 0,
        "states": {
            "mean_squared_error": {
                "overall": {
                    "state": {
                        "version": 1,
                        "count": 4,
                        "valid": 4,
                        "nonfinite": 0,
                        "weighted": False,
                        "weighted_sum": [0.5, 0.0],
                        "weight_sum": [4.0, 0.0],
                        "weighted_square_sum": [0.1, 0.0],
                        "minimum": 0.01,
                        "maximum": 0.25,
                        "statistics": None,
                    },
                    "replicates": None,
                },
                "slices": [],
            }
        },
    }
    for key, value in changes.items():
        if value is _DELETE:
            del state[key]
        else:
            state[key] = value
    return json.dumps(state).encode()


_DELETE = object()
_PARQUET = _parquet(_table(), row_group_size=100)
_ARROW = _arrow_file(_table())
_ARROWS = _arrow_stream(_table())
# Varied numbers, so that half of the compressed bytes hold only part of the rows.
_VARIED_CSV = (
    "y_true,y_pred\n"
    + "".join(f"{i % 3},{(i * 7919) % 10007 / 10007:.6f}\n" for i in range(20_000))
).encode()


# -- the files ----------------------------------------------------------------------------------

FILES: dict[str, Builder] = {
    # good inputs the cases combine with bad options
    "good.csv": lambda: _csv().encode(),
    "good.parquet": lambda: _PARQUET,
    "keyed.parquet": lambda: _parquet(
        pa.table({"id": [1, 2, 3], "y_true": [1.0, 0.0, 1.0], "y_pred": [0.75, 0.25, 0.5]})
    ),
    "keyed_strings.parquet": lambda: _parquet(
        pa.table({"id": ["1", "2", "3"], "y_true": [1.0, 0.0, 1.0], "y_pred": [0.75, 0.25, 0.5]})
    ),
    "keyed_lists.parquet": lambda: _parquet(
        pa.table({"id": [[1], [2]], "y_true": [1.0, 0.0], "y_pred": [0.75, 0.25]})
    ),
    "good.npz": lambda: _npz(kernel=np.ones((2, 2))),
    # paths that are not readable files
    "empty.csv": lambda: b"",
    "empty.csv.gz": lambda: gzip.compress(b"", mtime=0),
    "noext": lambda: bytes(range(256)) * 8,
    "dir/hidden/.skipped.csv": lambda: _csv().encode(),
    # CSV that cannot be parsed, or whose columns are unusable
    "header_only.csv": lambda: b"y_true,y_pred\n",
    "blank_lines.csv": lambda: b"\n\n\n",
    "ragged.csv": lambda: b"y_true,y_pred\n1,2\n3,4,5\n6,7\n",
    "short_row.csv": lambda: b"y_true,y_pred\n1,2\n3\n6,7\n",
    "strings.csv": lambda: b"y_true,y_pred\na,b\nc,d\n",
    "late_string.csv": _late_csv,
    "duplicate_column.csv": lambda: b"y_true,y_pred,y_pred\n1,2,3\n",
    "not_utf8_header.csv": lambda: b"y_tru\xff,y_pred\n1,2\n",
    "nul_byte.csv": lambda: b"y_true,y_pred\n1,2\n3\x00,4\n",
    "unclosed_quote.csv": lambda: b'y_true,y_pred\n1,"2\n3,4\n',
    "nan.csv": lambda: b"y_true,y_pred\n1,2\n2,nan\n",
    "inf.csv": lambda: b"y_true,y_pred\n1,2\n2,inf\n",
    "missing_value.csv": lambda: b"y_true,y_pred\n1,2\n2,\n",
    "one_column.csv": lambda: b"y_true\n1\n2\n",
    "no_known_names.csv": lambda: b"a,b\n1,2\n",
    "binary_garbage.csv": lambda: bytes((i * 37 + 11) % 256 for i in range(4096)),
    # compressed inputs
    "truncated.csv.gz": lambda: _half(gzip.compress(_VARIED_CSV, mtime=0)),
    "truncated.csv.bz2": lambda: _half(bz2.compress(_VARIED_CSV)),
    "truncated.csv.zst": lambda: _half(_zstd(_VARIED_CSV)),
    "bad_crc.csv.gz": lambda: _flip(gzip.compress(_VARIED_CSV, mtime=0), -8, -7),
    # Parquet
    "truncated.parquet": lambda: _PARQUET[: len(_PARQUET) // 2],
    "tail_cut.parquet": lambda: _PARQUET[:-3],
    "magic_only.parquet": lambda: b"PAR1",
    "corrupt_pages.parquet": lambda: _flip(_PARQUET, 200, 400),
    "corrupt_footer.parquet": lambda: _flip(_PARQUET, len(_PARQUET) - 60, len(_PARQUET) - 10),
    "csv_named.parquet": lambda: _csv().encode(),
    "zero_rows.parquet": lambda: _parquet(_table().slice(0, 0)),
    "no_columns.parquet": lambda: _parquet(pa.table({})),
    "strings.parquet": lambda: _parquet(pa.table({"y_true": ["a", "b"], "y_pred": ["c", "d"]})),
    "struct.parquet": lambda: _parquet(
        pa.table({"y_true": [1.0, 2.0], "y_pred": [{"a": 1.0}, {"a": 2.0}]})
    ),
    "timestamp.parquet": lambda: _parquet(
        pa.table({"y_true": [1.0, 2.0], "y_pred": pa.array([1, 2], pa.timestamp("s"))})
    ),
    "duplicate_column.parquet": lambda: _parquet(
        pa.Table.from_arrays(
            [pa.array([1.0]), pa.array([2.0]), pa.array([3.0])],
            names=["y_true", "y_pred", "y_pred"],
        )
    ),
    "ragged_lists.parquet": lambda: _parquet(
        pa.table({"y_true": [[1.0, 0.0], [0.0, 1.0, 0.0]], "y_pred": [[0.5, 0.5], [0.2, 0.8]]})
    ),
    "late_ragged_lists.parquet": _late_ragged_list,
    "missing_list.parquet": lambda: _parquet(
        pa.table({"y_true": [[1.0, 0.0], None], "y_pred": [[0.5, 0.5], [0.2, 0.8]]})
    ),
    "widths.parquet": lambda: _parquet(
        pa.table({"y_true": [[1.0, 0.0]] * 2, "y_pred": [[0.5, 0.25, 0.25]] * 2})
    ),
    "labels.parquet": lambda: _parquet(
        pa.table({"y_true": [0, 5, -1], "p_0": [0.5, 0.25, 0.75], "p_1": [0.5, 0.75, 0.25]})
    ),
    "fractional_labels.parquet": lambda: _parquet(
        pa.table({"y_true": [0.5, 1.0], "p_0": [0.5, 0.25], "p_1": [0.5, 0.75]})
    ),
    "weights.parquet": lambda: _parquet(
        pa.table(
            {
                "y_true": [1.0, 0.0, 1.0],
                "y_pred": [0.75, 0.25, 0.5],
                "negative": [1.0, -1.0, 1.0],
                "nan": [1.0, 1.0, float("nan")],
            }
        )
    ),
    "all_nan.parquet": lambda: _parquet(
        pa.table({"y_true": [float("nan")] * 3, "y_pred": [0.75, 0.25, 0.5]})
    ),
    "groups.parquet": lambda: _parquet(
        pa.table(
            {
                "y_true": [1.0, 0.0],
                "y_pred": [0.75, 0.25],
                "region": ["north", "south"],
                "tags": [[1], [2]],
                "point": [{"x": 1}, {"x": 2}],
            }
        )
    ),
    # Arrow IPC
    "truncated.arrow": lambda: _ARROW[: len(_ARROW) // 2],
    "truncated.arrows": lambda: _ARROWS[: len(_ARROWS) // 2],
    "schema_cut.arrows": lambda: _ARROWS[:30],
    "feather_v1.arrow": lambda: b"FEA1" + bytes(64),
    # JSON Lines
    "bad_json.jsonl": lambda: b'{"y_true": 1, "y_pred": 0.5}\n{"y_true": 1, "y_pred": \n',
    "array_line.jsonl": lambda: b'{"y_true": 1, "y_pred": 0.5}\n[1, 2]\n',
    "type_change.jsonl": lambda: b'{"y_true": 1, "y_pred": 0.5}\n{"y_true": "x", "y_pred": 0.5}\n',
    "late_type_change.jsonl": _late_jsonl,
    "nested.jsonl": lambda: _jsonl([{"y_true": 1, "y_pred": {"a": 1}}]),
    "trailing_garbage.jsonl": lambda: b'{"y_true": 1, "y_pred": 0.5} xyz\n',
    "empty_objects.jsonl": lambda: b"{}\n{}\n",
    "array.json": lambda: b'[{"y_true": 1, "y_pred": 0.5}]',
    # several files that do not fit together
    "conflict/a.parquet": lambda: _parquet(pa.table({"y_true": [1.0], "y_pred": [0.5]})),
    "conflict/b.parquet": lambda: _parquet(pa.table({"y_true": ["x"], "y_pred": [0.5]})),
    "lacking/a.parquet": lambda: _parquet(pa.table({"y_true": [1.0], "y_pred": [0.5]})),
    "lacking/b.parquet": lambda: _parquet(pa.table({"y_true": [1.0]})),
    "mixed/a.parquet": lambda: _parquet(pa.table({"y_true": [1.0], "y_pred": [0.5]})),
    "mixed/b.csv": lambda: b"y_true,y_pred\n1,0.5\n",
    # state files for `losscli merge`
    "state.json": lambda: _state(),
    "state_mae.json": lambda: _state(
        losses=[{"label": "mean_absolute_error", "name": "mean_absolute_error", "params": {}}],
        states={"mean_absolute_error": json.loads(_state())["states"]["mean_squared_error"]},
    ),
    "state_ci.json": lambda: _state(options={**json.loads(_state())["options"], "level": 0.9}),
    "state_not_json.json": lambda: b"{not json",
    "state_list.json": lambda: b"[1, 2]",
    "state_binary.json": lambda: _PARQUET,
    "state_version.json": lambda: _state(version=99),
    "state_no_states.json": lambda: _state(states=_DELETE),
    "state_bad_count.json": lambda: _state(rows_read=-5),
    "state_states_list.json": lambda: _state(states=[]),
    "state_unknown_loss.json": lambda: _state(
        losses=[{"label": "mean_squared_error", "name": "no_such_loss", "params": {}}]
    ),
    # training logs for `losscli curve`
    "log.csv": lambda: b"epoch,loss\n0,1.0\n1,0.5\n",
    "log_no_loss.csv": lambda: b"epoch,accuracy\n0,0.5\n1,0.6\n",
    "log_strings.csv": lambda: b"epoch,loss\n0,abc\n1,def\n",
    "log_no_rows.csv": lambda: b"epoch,loss\n",
    "log_fractional_epoch.csv": lambda: b"epoch,loss\n0.5,1.0\n1.5,0.5\n",
    # weights for `losscli penalty`
    "not_zip.npz": lambda: b"hello",
    "truncated.npz": lambda: _npz(kernel=np.ones(3))[:50],
    "objects.npz": lambda: _npz(kernel=np.array([{"x": 1}], dtype=object)),
    "strings.npz": lambda: _npz(kernel=np.array(["a", "b"])),
    "complex.npz": lambda: _npz(kernel=np.array([1 + 2j])),
    "empty.npz": lambda: _npz(),
    "one_array.npy": lambda: _npy(np.ones(3)),
    # --config files
    "config_not_toml.toml": lambda: b"[evaluate\nloss=",
    "config_unknown.toml": lambda: b"[evaluate]\nbogus = 1\n",
    "config_bad_value.toml": lambda: b"[evaluate]\nbatch_size = 'many'\n",
    "config_table_value.toml": lambda: b"[evaluate]\ngroup_by = {a = 1}\n",
    "config_out_of_range.toml": lambda: b"[evaluate]\nci = 2\n",
    "config_not_table.toml": lambda: b"evaluate = 3\n",
    "config_not_utf8.toml": lambda: b"[evaluate]\nloss = '\xff'\n",
    # custom losses
    "syntax_error.py": lambda: b"def loss(:\n",
    "raises.py": lambda: b"def loss(y_true, y_pred):\n    raise RuntimeError('boom')\n",
    "wrong_shape.py": lambda: (
        b"import numpy as np\n\n\ndef loss(y_true, y_pred):\n    return np.zeros(3)\n"
    ),
    "not_callable.py": lambda: b"loss = 5\n",
    "raises_multiline.py": lambda: (
        b"def loss(y_true, y_pred):\n    raise ValueError('first\\nsecond \\x1b[31mred')\n"
    ),
    "imports_missing.py": lambda: b"import no_such_module_xyz\n",
    "exits.py": lambda: b"import sys\n\nsys.exit(5)\n",
    # class weights
    "class_weight_not_json.json": lambda: b"{not json",
    "class_weight_list.json": lambda: b"[1, 2]",
    "class_weight_binary.json": lambda: bytes(range(128, 256)),
}


def write_all(directory: Path, names: list[str] | None = None) -> None:
    """Write the corpus files (all, or ``names``) under ``directory``."""
    for name in names if names is not None else list(FILES):
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(FILES[name]())


if __name__ == "__main__":  # pragma: no cover - a tool for people
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.corpus.files DIR")
    write_all(Path(sys.argv[1]))
    print(f"wrote {len(FILES)} files to {sys.argv[1]}")
