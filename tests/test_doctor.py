"""``losscli.doctor``: findings, task inference and suggestions, through the Python API."""

from __future__ import annotations

import importlib.util
import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from losscli.cli import main
from losscli.doctor import (
    DOCTOR_SCHEMA,
    Diagnosis,
    Severity,
    diagnose,
    diagnose_input,
    guess_columns,
)
from losscli.errors import InputDataError
from losscli.io.columns import ColumnRequest, ColumnSpec
from losscli.io.sources import InputSpec

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path("tests/fixtures/doctor")
SAMPLES = Path("sample_data")
E, W = "error", "warning"


def _load_fixture_script() -> Any:
    path = ROOT / "tests" / "fixtures" / "doctor" / "make_doctor_files.py"
    spec = importlib.util.spec_from_file_location("make_doctor_files", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_doctor_files = _load_fixture_script()


@pytest.fixture(autouse=True)
def _at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative paths, so suggested commands can be compared as text."""
    monkeypatch.chdir(ROOT)


def run(path: Path | str, batch_size: int = 65_536, **request: Any) -> Diagnosis:
    return diagnose_input(InputSpec((str(path),), batch_size=batch_size), ColumnRequest(**request))


def brief(diagnosis: Diagnosis) -> list[tuple[Any, ...]]:
    """Each finding as (severity, code, column, row, count)."""
    return [(f.severity.value, f.code, f.column, f.row, f.count) for f in diagnosis.findings]


def losses(diagnosis: Diagnosis) -> list[str]:
    return [s.loss for s in diagnosis.suggestions]


def in_memory(columns: dict[str, Any], y_true: Any, y_pred: Any, weight: str | None = None):
    """Diagnose an in-memory table, in batches of 7 rows."""
    table = pa.table(columns)
    true = (y_true,) if isinstance(y_true, str) else tuple(y_true)
    pred = (y_pred,) if isinstance(y_pred, str) else tuple(y_pred)
    return diagnose(table.to_batches(max_chunksize=7), ColumnSpec(true, pred, weight))


# --------------------------------------------------------------------------------------------
# the shipped broken (and clean) files

FIXTURE_CASES = {
    "clean_regression.csv": ({}, "regression", [], ["mean_squared_error"]),
    "clean_binary.csv": ({}, "binary", [], ["binary_crossentropy"]),
    "clean_sparse.parquet": ({}, "multiclass_sparse", [], ["sparse_categorical_crossentropy"]),
    "clean_onehot.parquet": ({}, "multiclass_onehot", [], ["categorical_crossentropy"]),
    "clean_multilabel.parquet": ({}, "multilabel", [], ["binary_crossentropy"]),
    "logits.csv": ({}, "binary", [(W, "logits", "y_pred", 0, 52)], ["binary_crossentropy"]),
    "nonfinite.parquet": (
        {"sample_weight": "weight"},
        "binary",
        [
            (E, "nan", "y_true", 3, 1),
            (E, "inf", "y_pred", 5, 2),
            (E, "nan", "weight", 7, 1),
            (E, "inf", "weight", 11, 1),
        ],
        ["binary_crossentropy"],
    ),
    "missing.csv": (
        {},
        "regression",
        [(E, "missing", "y_true", 2, 1), (E, "missing", "y_pred", 4, 2)],
        ["mean_squared_error"],
    ),
    "not_normalised.csv": (
        {},
        "multiclass_sparse",
        [(W, "rows_not_normalised", None, 5, 3)],
        ["sparse_categorical_crossentropy"],
    ),
    "bad_labels.csv": (
        {},
        "multiclass_sparse",
        [(E, "labels_not_integer", "label", 20, 1), (E, "labels_out_of_range", "label", 4, 2)],
        ["sparse_categorical_crossentropy"],
    ),
    "bad_onehot.csv": (
        {},
        "multiclass_onehot",
        [(E, "not_one_hot", None, 3, 3)],
        ["categorical_crossentropy"],
    ),
    "constant_pred.csv": (
        {},
        "binary",
        [(W, "constant_column", "y_pred", None, 50)],
        ["binary_crossentropy"],
    ),
    "imbalanced.parquet": (
        {},
        "binary",
        [(W, "class_imbalance", None, None, 5)],
        ["binary_crossentropy", "binary_crossentropy", "binary_focal_crossentropy"],
    ),
    "huge_regression.parquet": (
        {},
        "regression",
        [
            (W, "large_values", "y_true", None, None),
            (W, "wide_range", "y_true", None, None),
            (W, "heavy_tailed_errors", None, None, None),
        ],
        ["mean_squared_logarithmic_error", "huber", "mean_squared_error"],
    ),
}


@pytest.mark.parametrize("name", sorted(FIXTURE_CASES))
def test_each_fixture_gives_its_exact_findings(name: str) -> None:
    request, task, findings, suggested = FIXTURE_CASES[name]
    diagnosis = run(FIXTURES / name, **request)
    assert diagnosis.task == task
    assert brief(diagnosis) == findings
    assert losses(diagnosis) == suggested
    assert diagnosis.ok == (not any(f[0] == E for f in findings))


def test_every_fixture_file_is_tested() -> None:
    shipped = {p.name for p in (ROOT / FIXTURES).iterdir() if p.suffix in (".csv", ".parquet")}
    assert shipped == set(FIXTURE_CASES)


def test_the_fixture_script_writes_the_shipped_files(tmp_path: Path) -> None:
    for path in make_doctor_files.write(tmp_path):
        shipped = ROOT / FIXTURES / path.name
        if path.suffix == ".csv":
            assert path.read_bytes() == shipped.read_bytes(), path.name
        else:
            written, expected = pq.read_table(path), pq.read_table(shipped)
            assert written.schema == expected.schema, path.name
            # repr, so that NaN equals NaN; floats repr exactly
            assert repr(written.to_pydict()) == repr(expected.to_pydict()), path.name


def test_logits_are_a_warning_with_from_logits_in_the_command() -> None:
    diagnosis = run(FIXTURES / "logits.csv")
    assert diagnosis.findings[0].message == (
        "y_pred looks like logits: 52 of 60 values (86.7%) are outside [0, 1], from -3.6289 "
        "to 2.758; pass --param from_logits=true"
    )
    (suggestion,) = diagnosis.suggestions
    assert suggestion.params == {"from_logits": True}
    assert suggestion.command == (
        "losscli compute --loss binary_crossentropy -p from_logits=true "
        "tests/fixtures/doctor/logits.csv"
    )


def test_imbalance_suggests_inverse_frequency_class_weights() -> None:
    diagnosis = run(FIXTURES / "imbalanced.parquet")
    assert diagnosis.findings[0].message == (
        "classes are imbalanced: the rarest, class 1, is 1% of rows (5 of 500), the "
        "commonest, class 0, 99%; consider --class-weight 0=0.5051,1=50 or a focal loss"
    )
    weighted = diagnosis.suggestions[1]
    assert weighted.class_weight == {0: 0.5051, 1: 50.0}
    assert weighted.command == (
        "losscli compute --loss binary_crossentropy --class-weight 0=0.5051,1=50 "
        "tests/fixtures/doctor/imbalanced.parquet"
    )
    assert "class 1 is only 1% of rows" in weighted.reason


def test_label_findings_say_what_is_wrong_and_where() -> None:
    labels = run(FIXTURES / "bad_labels.csv")
    assert [f.message for f in labels.findings] == [
        "1 label in label is not a whole number (first 1.5 at row 20): sparse labels are class "
        "ids 0..2",
        "2 labels in label are outside 0..2 (first 3 at row 4): y_pred has 3 columns, one per "
        "class",
    ]
    one_hot = run(FIXTURES / "bad_onehot.csv")
    assert one_hot.findings[0].message == (
        "3 of 30 rows of y_true are not one-hot: 2 with several 1s (first at row 3), 1 with no "
        "1 (first at row 8); each row needs exactly one 1"
    )


def test_rows_not_normalised_names_the_worst_row() -> None:
    (finding,) = run(FIXTURES / "not_normalised.csv").findings
    assert "worst: row 12 sums to 0.6" in finding.message
    assert finding.severity is Severity.WARNING


def test_nonfinite_findings_name_the_value() -> None:
    findings = run(FIXTURES / "nonfinite.parquet", sample_weight="weight").findings
    assert findings[1].message.startswith("2 infinite values in y_pred (first inf at row 5)")
    assert "the weighted loss is NaN" in findings[2].message


# --------------------------------------------------------------------------------------------
# the shipped sample data


def test_sample_regression_suggests_huber_for_its_few_large_misses() -> None:
    diagnosis = run(SAMPLES / "regression.csv", sample_weight="weight")
    assert diagnosis.task == "regression"
    assert brief(diagnosis) == [(W, "heavy_tailed_errors", None, None, None)]
    assert losses(diagnosis) == ["huber", "mean_squared_error"]
    assert diagnosis.suggestions[0].command == (
        "losscli compute --loss huber -p delta=0.38 --sample-weight weight "
        "sample_data/regression.csv"
    )


def test_sample_binary_suggests_binary_crossentropy() -> None:
    diagnosis = run(SAMPLES / "binary.parquet")
    assert (diagnosis.task, diagnosis.findings) == ("binary", ())
    assert [s.command for s in diagnosis.suggestions] == [
        "losscli compute --loss binary_crossentropy sample_data/binary.parquet"
    ]
    logits = run(SAMPLES / "binary.csv", y_pred="logit")
    assert brief(logits) == [(W, "logits", "logit", 0, 154)]
    assert logits.suggestions[0].command == (
        "losscli compute --loss binary_crossentropy -p from_logits=true --y-pred logit "
        "sample_data/binary.csv"
    )


def test_sample_multiclass_is_sparse_with_label_and_the_prob_columns() -> None:
    diagnosis = run(SAMPLES / "multiclass.csv")
    assert (diagnosis.task, diagnosis.findings) == ("multiclass_sparse", ())
    assert diagnosis.columns.y_pred == ("prob_0", "prob_1", "prob_2")
    assert [s.command for s in diagnosis.suggestions] == [
        "losscli compute --loss sparse_categorical_crossentropy --y-true label "
        "--y-pred 'prob_*' sample_data/multiclass.csv"
    ]


def test_sample_multiclass_one_hot_columns_give_categorical_crossentropy() -> None:
    diagnosis = run(SAMPLES / "multiclass.parquet", y_true="onehot_*", y_pred="prob_*")
    assert (diagnosis.task, diagnosis.findings) == ("multiclass_onehot", ())
    assert diagnosis.suggestions[0].command == (
        "losscli compute --loss categorical_crossentropy --y-true 'onehot_*' "
        "--y-pred 'prob_*' sample_data/multiclass.parquet"
    )


def test_a_list_column_is_one_column_per_element() -> None:
    diagnosis = run(SAMPLES / "multiclass.parquet", y_pred="probs")
    assert diagnosis.task == "multiclass_sparse"
    assert [s.column for s in diagnosis.statistics] == ["label", "probs[0]", "probs[1]", "probs[2]"]
    assert diagnosis.suggestions[0].command.endswith(
        "--y-pred probs sample_data/multiclass.parquet"
    )


SUGGESTED = [
    (SAMPLES / "regression.csv", {"sample_weight": "weight"}),
    (SAMPLES / "binary.csv", {"y_pred": "logit"}),
    (SAMPLES / "multiclass.csv", {}),
    (SAMPLES / "multiclass.parquet", {"y_true": "onehot_*", "y_pred": "prob_*"}),
    (FIXTURES / "imbalanced.parquet", {}),
    (FIXTURES / "clean_multilabel.parquet", {}),
    (FIXTURES / "huge_regression.parquet", {}),
]


@pytest.mark.parametrize(("path", "request_"), SUGGESTED, ids=[str(p) for p, _ in SUGGESTED])
def test_every_suggested_command_runs(path: Path, request_: dict[str, str]) -> None:
    for suggestion in run(path, **request_).suggestions:
        argv = shlex.split(suggestion.command)
        assert argv[:2] == ["losscli", "compute"]
        result = CliRunner().invoke(main, [*argv[1:], "--format", "json", "-q"])
        assert result.exit_code == 0, (suggestion.command, result.stderr)
        assert json.loads(result.stdout)["results"][0]["loss"] == suggestion.loss


# --------------------------------------------------------------------------------------------
# streaming

STREAMED = [
    *((FIXTURES / name, request) for name, (request, *_) in sorted(FIXTURE_CASES.items())),
    (SAMPLES / "regression.parquet", {"sample_weight": "weight"}),
    (SAMPLES / "multiclass.parquet", {"y_pred": "probs"}),
]


@pytest.mark.parametrize(("path", "request_"), STREAMED, ids=[p.name for p, _ in STREAMED])
def test_batch_size_does_not_change_the_diagnosis(path: Path, request_: dict[str, str]) -> None:
    whole, sevens, ones = (run(path, size, **request_) for size in (1_000_000, 7, 1))
    for other in (sevens, ones):
        assert other.task == whole.task
        assert other.findings == whole.findings
        assert other.suggestions == whole.suggestions
        assert other.rows == whole.rows
        for mine, theirs in zip(other.statistics, whole.statistics, strict=True):
            # counts and extremes are exact; sums may differ in the last bits of rounding
            assert (mine.column, mine.rows, mine.missing, mine.nan, mine.inf) == (
                theirs.column,
                theirs.rows,
                theirs.missing,
                theirs.nan,
                theirs.inf,
            )
            assert (mine.min, mine.max) == (theirs.min, theirs.max)
            assert (mine.mean, mine.std) == pytest.approx((theirs.mean, theirs.std), rel=1e-12)


# --------------------------------------------------------------------------------------------
# rules, on small in-memory tables


def test_all_zero_probability_rows_are_an_error() -> None:
    probs = np.tile([0.2, 0.3, 0.5], (10, 1))
    probs[6] = 0
    diagnosis = in_memory(
        {"label": np.arange(10) % 3, **{f"p{k}": probs[:, k] for k in range(3)}},
        "label",
        ["p0", "p1", "p2"],
    )
    assert brief(diagnosis) == [(E, "zero_sum_rows", None, 6, 1)]
    probs[8] = (0.5, 0.5, 0.5)
    both = in_memory(
        {"label": np.arange(10) % 3, **{f"p{k}": probs[:, k] for k in range(3)}},
        "label",
        ["p0", "p1", "p2"],
    )
    assert brief(both) == [(E, "zero_sum_rows", None, 6, 1), (W, "rows_not_normalised", None, 8, 1)]
    assert "worst: row 8 sums to 1.5" in both.findings[1].message


def test_negative_weights_are_an_error() -> None:
    diagnosis = in_memory(
        {"y_true": [1.0, 2.0, 3.0], "y_pred": [1.1, 2.1, 2.9], "w": [1.0, -0.5, 1.0]},
        "y_true",
        "y_pred",
        weight="w",
    )
    assert brief(diagnosis) == [(E, "negative_weight", "w", 1, 1)]


def test_an_absent_class_is_a_warning() -> None:
    diagnosis = in_memory(
        {
            "label": [0, 1, 0, 1],
            "p0": [0.6, 0.2, 0.5, 0.3],
            "p1": [0.3, 0.7, 0.3, 0.6],
            "p2": [0.1, 0.1, 0.2, 0.1],
        },
        "label",
        ["p0", "p1", "p2"],
    )
    assert brief(diagnosis) == [(W, "absent_class", None, None, 1)]
    assert diagnosis.findings[0].message.startswith("class 2 never occurs in y_true (3 classes)")


def test_a_single_ignored_label_value_gets_a_hint() -> None:
    probs = {"p0": [0.6, 0.2, 0.2] * 2, "p1": [0.2, 0.6, 0.2] * 2, "p2": [0.2, 0.2, 0.6] * 2}
    columns = {"label": [0, 1, -1, 2, -1, 1], **probs}
    diagnosis = in_memory(columns, "label", ["p0", "p1", "p2"])
    assert brief(diagnosis) == [(E, "labels_out_of_range", "label", 2, 2)]
    out = diagnosis.findings[0]
    assert out.message.endswith("if -1 marks rows to ignore, pass --param ignore_class=-1")


def test_a_few_probabilities_out_of_range_are_an_error_not_logits() -> None:
    pred = np.linspace(0.01, 0.99, 100)
    pred[40] = 1.2
    diagnosis = in_memory({"y_true": np.arange(100) % 2, "y_pred": pred}, "y_true", "y_pred")
    assert brief(diagnosis) == [(E, "probability_out_of_range", "y_pred", 40, 1)]
    assert losses(diagnosis) == ["binary_crossentropy"]
    assert diagnosis.suggestions[0].params == {}


def test_binary_labels_outside_zero_one_are_an_error() -> None:
    true = np.arange(200) % 2
    true[17] = 2
    diagnosis = in_memory(
        {"y_true": true, "y_pred": np.full(200, 0.4) + true[::-1] * 0.1}, "y_true", "y_pred"
    )
    assert diagnosis.task == "binary"
    assert brief(diagnosis) == [(E, "labels_out_of_range", "y_true", 17, 1)]


def test_counts_over_a_wide_range_suggest_poisson() -> None:
    rng = np.random.default_rng(1)
    counts = np.floor(np.exp(rng.uniform(0, 11, 200)))
    diagnosis = in_memory(
        {"y_true": counts, "y_pred": np.round(counts * rng.uniform(0.8, 1.2, 200) + 0.5)},
        "y_true",
        "y_pred",
    )
    assert losses(diagnosis)[:2] == ["poisson", "mean_squared_logarithmic_error"]
    assert [f.code for f in diagnosis.findings][:2] == ["large_values", "wide_range"]


def test_multilabel_with_logits_and_a_rare_label() -> None:
    rng = np.random.default_rng(2)
    tags = (rng.random((300, 3)) < [0.5, 0.4, 0.03]).astype(np.int64)
    logits = rng.normal(0, 2, (300, 3)) + tags * 2
    columns = {
        **{f"t{k}": tags[:, k] for k in range(3)},
        **{f"z{k}": logits[:, k] for k in range(3)},
    }
    diagnosis = in_memory(columns, ["t0", "t1", "t2"], ["z0", "z1", "z2"])
    assert diagnosis.task == "multilabel"
    assert [f.code for f in diagnosis.findings] == ["logits", "label_imbalance"]
    assert losses(diagnosis) == ["binary_crossentropy", "binary_focal_crossentropy"]
    assert all(s.params == {"from_logits": True} for s in diagnosis.suggestions)


def test_soft_one_hot_rows_are_a_categorical_task() -> None:
    true = np.array([[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]] * 4)
    columns = {**{f"t{k}": true[:, k] for k in range(3)}, **{f"p{k}": true[:, k] for k in range(3)}}
    diagnosis = in_memory(columns, ["t0", "t1", "t2"], ["p0", "p1", "p2"])
    assert (diagnosis.task, diagnosis.findings) == ("multiclass_onehot", ())


def test_one_hot_with_logits() -> None:
    true = np.eye(3)[np.arange(30) % 3]
    logits = true * 3 - 1
    columns = {
        **{f"t{k}": true[:, k] for k in range(3)},
        **{f"z{k}": logits[:, k] for k in range(3)},
    }
    diagnosis = in_memory(columns, ["t0", "t1", "t2"], ["z0", "z1", "z2"])
    assert diagnosis.task == "multiclass_onehot"
    assert [f.code for f in diagnosis.findings] == ["logits"]
    assert diagnosis.suggestions[0].params == {"from_logits": True}


def test_a_constant_target_is_a_warning_in_regression() -> None:
    diagnosis = in_memory(
        {"y_true": [3.0] * 5, "y_pred": [2.0, 3.0, 4.0, 3.5, 2.5]}, "y_true", "y_pred"
    )
    assert brief(diagnosis) == [(W, "constant_column", "y_true", None, 5)]


def test_widths_that_do_not_fit_are_an_error_without_suggestions() -> None:
    columns = {"a": [0, 1], "b": [1, 0], "p": [0.1, 0.2], "q": [0.3, 0.3], "r": [0.6, 0.5]}
    diagnosis = in_memory(columns, ["a", "b"], ["p", "q", "r"])
    assert (diagnosis.task, brief(diagnosis)) == (
        "unknown",
        [(E, "shape_mismatch", None, None, None)],
    )
    assert diagnosis.suggestions == ()


def test_no_rows_is_an_error() -> None:
    empty = pa.table({"y_true": pa.array([], pa.float64()), "y_pred": pa.array([], pa.float64())})
    diagnosis = diagnose(empty.to_batches(), ColumnSpec(("y_true",), ("y_pred",)))
    assert (diagnosis.task, brief(diagnosis)) == ("unknown", [(E, "no_rows", None, None, None)])


def test_missing_elements_of_a_list_column_are_found() -> None:
    probs = pa.array([[0.2, 0.8], [0.5, None], [0.1, 0.9]], pa.list_(pa.float64()))
    table = pa.table({"label": [1, 0, 1], "probs": probs})
    diagnosis = diagnose([table], ColumnSpec(("label",), ("probs",)))
    assert brief(diagnosis) == [(E, "missing", "probs[1]", 1, 1)]


def test_nested_lists_are_bad_input() -> None:
    nested = pa.array([[[0.1, 0.9]], [[0.5, 0.5]]], pa.list_(pa.list_(pa.float64())))
    table = pa.table({"label": [1, 0], "probs": nested})
    with pytest.raises(InputDataError, match="nested lists"):
        diagnose([table], ColumnSpec(("label",), ("probs",)))


def test_numbered_column_families_are_found_with_a_note() -> None:
    schema = pa.schema([("id", pa.int64()), ("onehot_1", pa.int8()), ("onehot_0", pa.int8())])
    schema = schema.append(pa.field("pred_0", pa.float64())).append(
        pa.field("pred_1", pa.float64())
    )
    notes: list[str] = []
    spec = guess_columns(ColumnRequest(), schema, notes.append)
    assert (spec.y_true, spec.y_pred) == (("onehot_0", "onehot_1"), ("pred_0", "pred_1"))
    assert notes == [
        "using columns onehot_0, onehot_1 as y_true (set --y-true to choose)",
        "using columns pred_0, pred_1 as y_pred (set --y-pred to choose)",
    ]


def test_the_json_document() -> None:
    document = run(FIXTURES / "bad_labels.csv").to_dict()
    assert document["schema"] == DOCTOR_SCHEMA == 1
    assert set(document) == {
        "schema", "kind", "inputs", "columns", "rows", "task", "status", "counts",
        "findings", "suggestions", "statistics",
    }  # fmt: skip
    assert document["status"] == "errors"
    assert document["counts"] == {"errors": 2, "warnings": 0}
    assert document["findings"][1] == {
        "severity": "error",
        "code": "labels_out_of_range",
        "message": document["findings"][1]["message"],
        "column": "label",
        "row": 4,
        "count": 2,
    }
    assert json.loads(json.dumps(document, allow_nan=False)) == document


def test_huge_values_do_not_warn_or_overflow() -> None:
    values = np.array([1e200, -1e200, 3e250, 5.0] * 10)
    diagnosis = in_memory({"y_true": values, "y_pred": values[::-1]}, "y_true", "y_pred")
    assert diagnosis.task == "regression"
    assert "large_values" in [f.code for f in diagnosis.findings]
    json.dumps(diagnosis.to_dict(), allow_nan=False)


def test_values_near_the_float_limit_leave_the_json_finite() -> None:
    # The shifted sums overflow here; the mean used to come out as -inf and the JSON failed.
    values = np.array([1.7e308, -1.7e308, 1.0, 2.0] * 10)
    diagnosis = in_memory({"y_true": values, "y_pred": values[::-1]}, "y_true", "y_pred")
    summary = diagnosis.statistics[0]
    assert (summary.min, summary.max, summary.mean, summary.std) == (-1.7e308, 1.7e308, None, None)
    json.dumps(diagnosis.to_dict(), allow_nan=False)
    large = next(f for f in diagnosis.findings if f.code == "large_values")
    assert "(mean none, std none)" in large.message


def test_a_range_too_wide_for_one_division_is_counted_in_decades() -> None:
    # max / smallest positive overflows; the finding used to say "spans inf decades".
    values = np.array([5e-324, 1e10, 3.0, 4.0] * 10)
    diagnosis = in_memory({"y_true": values, "y_pred": values}, "y_true", "y_pred")
    wide = next(f for f in diagnosis.findings if f.code == "wide_range")
    assert wide.message.startswith("y_true spans 333.3 decades (4.94066e-324 to 1e+10)")


def test_the_streaming_path_does_not_import_pandas() -> None:
    script = (
        "import sys\n"
        "from losscli.doctor import diagnose_input\n"
        "from losscli.io.sources import InputSpec\n"
        "for path in ('sample_data/binary.csv', 'tests/fixtures/doctor/clean_sparse.parquet'):\n"
        "    diagnose_input(InputSpec((path,), batch_size=16))\n"
        "assert 'pandas' not in sys.modules, 'pandas was imported'\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert process.returncode == 0, process.stderr
