"""The training-log analysis of losscli.curve on hand-made series and on the sample logs."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
import types
from pathlib import Path
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from losscli.curve import (
    CURVE_SCHEMA,
    History,
    analyze,
    best_epoch,
    find_divergence,
    find_overfit,
    first_nonfinite,
    metric_mode,
    read_history,
    require_matplotlib,
    text_chart,
    validation_measured,
    validation_step,
    write_png,
)
from losscli.errors import InputDataError, UsageError

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
NAN = math.nan
INF = math.inf


def history(**columns: list[float | None]) -> History:
    return History.from_columns(columns)


# --------------------------------------------------------------------------------------------
# best epoch


def test_best_epoch_is_the_first_lowest_finite_value() -> None:
    found = best_epoch([3.0, 1.0, NAN, 1.0, -INF, 2.0], epochs=[10, 11, 12, 13, 14, 15])
    assert found is not None
    assert (found.epoch, found.value, found.column) == (11, 1.0, "val_loss")


def test_best_epoch_of_a_score_is_the_highest() -> None:
    found = best_epoch([0.5, 0.9, 0.9, INF], mode="max", column="val_accuracy")
    assert found is not None
    assert (found.epoch, found.value) == (1, 0.9)


def test_best_epoch_of_nothing_finite_is_none() -> None:
    assert best_epoch([NAN, INF]) is None


# --------------------------------------------------------------------------------------------
# non-finite values


def test_first_nonfinite_names_the_earliest_epoch_and_counts_them_all() -> None:
    found = first_nonfinite(
        {"loss": [1.0, 0.5, NAN, NAN], "val_loss": [1.0, INF, 1.0, NAN]}, epochs=[5, 6, 7, 8]
    )
    assert found is not None
    assert (found.epoch, found.column, found.value, found.count) == (6, "val_loss", INF, 3)
    assert found.message() == "val_loss is inf at epoch 6; 3 epochs in all"


def test_first_nonfinite_on_a_tie_names_the_first_column() -> None:
    found = first_nonfinite({"loss": [1.0, NAN], "val_loss": [1.0, NAN]})
    assert found is not None
    assert (found.epoch, found.column, found.count) == (1, "loss", 1)


def test_first_nonfinite_ignores_epochs_that_were_not_measured() -> None:
    measured = {"val_loss": np.array([False, True, False, True])}
    series = {"loss": [1.0, 0.9, 0.8, 0.7], "val_loss": [NAN, 1.0, NAN, 0.9]}
    assert first_nonfinite(series, measured=measured) is None


def test_finite_series_have_no_nonfinite_finding() -> None:
    assert first_nonfinite({"loss": [1.0, 2.0]}) is None


# --------------------------------------------------------------------------------------------
# divergence


def test_divergence_at_exactly_the_factor_times_the_running_minimum() -> None:
    found = find_divergence([2.0, 1.0, 5.0, 9.99, 10.0, 50.0], epochs=[0, 1, 2, 3, 4, 5])
    assert found is not None
    assert (found.epoch, found.value, found.running_min, found.reason) == (4, 10.0, 1.0, "jump")
    assert found.ratio == 10.0


def test_no_divergence_just_below_the_factor() -> None:
    assert find_divergence([1.0, 9.99, 0.5, 4.99]) is None


def test_the_factor_is_a_parameter() -> None:
    found = find_divergence([1.0, 2.0, 3.0], factor=3.0)
    assert found is not None
    assert found.epoch == 2
    with pytest.raises(UsageError):
        find_divergence([1.0], factor=1.0)


def test_a_non_finite_loss_after_a_finite_one_is_divergence() -> None:
    found = find_divergence([1.0, 0.8, NAN, 0.5])
    assert found is not None
    assert (found.epoch, found.reason, found.running_min, found.ratio) == (
        2,
        "non-finite",
        0.8,
        None,
    )
    assert "became NaN at epoch 2" in found.message()


def test_leading_non_finite_values_are_not_divergence() -> None:
    assert find_divergence([NAN, NAN]) is None
    found = find_divergence([NAN, 1.0, 20.0])
    assert found is not None
    assert found.epoch == 2


def test_a_loss_at_or_below_zero_is_checked_only_for_non_finite_values() -> None:
    assert find_divergence([-0.9, -0.5, 3.0]) is None
    assert find_divergence([0.0, 100.0]) is None
    found = find_divergence([-0.9, INF])
    assert found is not None
    assert found.reason == "non-finite"


# --------------------------------------------------------------------------------------------
# overfitting


def test_overfitting_is_found_patience_epochs_after_the_best_validation() -> None:
    train = [1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2]
    val = [1.0, 0.9, 0.7, 0.75, 0.8, 0.9, 1.0]
    found = find_overfit(train, val, epochs=[1, 2, 3, 4, 5, 6, 7])
    assert found is not None
    assert (found.epoch, found.detected_epoch) == (3, 6)
    assert (found.best_value, found.value, found.train_at_best, found.train_value) == (
        0.7,
        0.9,
        0.6,
        0.3,
    )
    assert find_overfit(train, val, patience=4) is not None
    assert find_overfit(train, val, patience=5) is None


def test_validation_still_improving_at_the_end_is_not_overfitting() -> None:
    train = [1.0, 0.5, 0.4, 0.3, 0.2, 0.1]
    val = [1.0, 0.9, 0.95, 0.97, 0.96, 0.89]  # a plateau, then a new best
    assert find_overfit(train, val) is None


def test_a_plateau_at_the_end_while_training_improves_is_overfitting() -> None:
    found = find_overfit([1.0, 0.9, 0.8, 0.7, 0.6], [0.5, 0.4, 0.4, 0.4, 0.4])
    assert found is not None
    assert (found.epoch, found.detected_epoch) == (1, 4)  # a tie does not improve


def test_no_overfitting_when_training_does_not_improve_either() -> None:
    train = [1.0, 0.5, 0.6, 0.7, 0.8, 0.9]
    val = [1.0, 0.5, 0.6, 0.7, 0.8, 0.9]
    assert find_overfit(train, val) is None


def test_detection_waits_for_training_to_improve() -> None:
    train = [1.0, 0.5, 0.6, 0.55, 0.52, 0.49]
    val = [1.0, 0.5, 0.6, 0.7, 0.8, 0.9]
    found = find_overfit(train, val)
    assert found is not None
    assert (found.epoch, found.detected_epoch) == (1, 5)


def test_overfitting_of_a_score_runs_the_other_way() -> None:
    train = [0.5, 0.7, 0.8, 0.9, 0.95, 0.99]
    val = [0.5, 0.7, 0.75, 0.74, 0.72, 0.7]
    found = find_overfit(train, val, mode="max", train_column="accuracy", val_column="val_acc")
    assert found is not None
    assert (found.epoch, found.detected_epoch) == (2, 5)
    assert find_overfit(train, val, mode="min") is None


def test_non_finite_validation_does_not_improve_and_counts_as_an_epoch() -> None:
    found = find_overfit([1.0, 0.5, 0.4, 0.3, 0.2], [1.0, 0.5, NAN, NAN, NAN])
    assert found is not None
    assert (found.epoch, found.detected_epoch) == (1, 4)


def test_overfitting_counts_validated_epochs_only() -> None:
    epochs = np.arange(12)
    measured = (epochs + 1) % 3 == 0  # validation_freq=3: epochs 2, 5, 8, 11
    val = np.where(measured, [0, 0, 1.0, 0, 0, 0.5, 0, 0, 0.6, 0, 0, 0.7], NAN)
    train = np.linspace(1.0, 0.1, 12)
    found = find_overfit(train, val, measured=measured, patience=2, epochs=epochs)
    assert found is not None
    assert (found.epoch, found.detected_epoch) == (5, 11)
    assert find_overfit(train, val, measured=measured, patience=3, epochs=epochs) is None


def test_overfitting_needs_a_finite_validation_value() -> None:
    assert find_overfit([1.0, 0.5], [NAN, NAN]) is None
    with pytest.raises(UsageError):
        find_overfit([1.0], [1.0], patience=0)


# --------------------------------------------------------------------------------------------
# validation every k epochs


@pytest.mark.parametrize(
    ("present", "step"),
    [
        ([True] * 6, 1),
        ([False, True, False, True, False, True], 2),
        ([False, False, True, False, False, True], 3),
        ([True, True, True, False, False, False], 1),  # NaN from epoch 3 on (CSV reads it as NA)
        ([False, False, False, False, False, True], 6),
        ([False] * 6, 1),
    ],
)
def test_validation_step_is_the_gcd_of_epoch_plus_one(present: list[bool], step: int) -> None:
    epochs = np.arange(6)
    assert validation_step(epochs, np.array(present)) == step
    expected = np.ones(6, bool) if step == 1 else (epochs + 1) % step == 0
    assert validation_measured(epochs, np.array(present)).tolist() == expected.tolist()


def test_a_missing_value_on_the_validation_grid_counts_as_nan() -> None:
    val: list[float | None] = [None, 1.0, None, 0.9, None, None]  # every 2 epochs, NaN at 5
    report = analyze(history(loss=[1.0, 0.9, 0.8, 0.7, 0.6, 0.5], val_loss=val))
    assert report.validation_step == 2
    *measured, last = report.series["val_loss"]
    assert measured == [None, 1.0, None, 0.9, None]
    assert last is not None
    assert math.isnan(last)
    assert report.nonfinite is not None
    assert (report.nonfinite.epoch, report.nonfinite.column) == (5, "val_loss")
    assert "val_loss is measured every 2 epochs (validation_freq=2)" in report.notes


# --------------------------------------------------------------------------------------------
# analyze


@pytest.mark.parametrize(
    ("name", "mode"),
    [
        ("loss", "min"),
        ("val_loss", "min"),
        ("accuracy", "max"),
        ("val_sparse_categorical_accuracy", "max"),
        ("auc", "max"),
        ("mean_absolute_error", "min"),
        ("mse", "min"),
        ("dice_loss", "min"),
        ("f1_score", "max"),
    ],
)
def test_metric_mode_guesses_like_keras_auto(name: str, mode: str) -> None:
    assert metric_mode(name) == mode


def test_one_epoch() -> None:
    report = analyze(history(loss=[0.7], val_loss=[0.8]))
    assert report.best is not None
    assert (report.best.epoch, report.best.column) == (0, "val_loss")
    assert report.nonfinite is report.divergence is report.overfit is None


def test_all_nan() -> None:
    report = analyze(history(loss=[NAN, NAN, NAN], val_loss=[None, None, None]))
    assert report.best is None
    assert report.nonfinite is not None
    assert (report.nonfinite.epoch, report.nonfinite.count) == (0, 3)
    assert report.divergence is None
    assert report.overfit is None


def test_without_val_loss_the_best_epoch_is_the_lowest_loss() -> None:
    report = analyze(history(loss=[1.0, 0.5, 0.7]))
    assert report.validation is None
    assert report.best is not None
    assert (report.best.epoch, report.best.column) == (1, "loss")
    assert report.overfit is None


def test_validation_all_nan_falls_back_to_the_training_curve() -> None:
    report = analyze(history(loss=[1.0, 0.5, 0.7], val_loss=[NAN, NAN, NAN]))
    assert report.best is not None
    assert report.best.column == "loss"


def test_a_missing_training_value_counts_as_nan() -> None:
    report = analyze(history(loss=[1.0, None, 0.5]))
    assert report.nonfinite is not None
    assert report.nonfinite.epoch == 1
    assert report.divergence is not None
    assert report.divergence.reason == "non-finite"


def test_metric_chooses_the_curve_and_its_direction() -> None:
    log = history(
        loss=[1.0, 0.8, 0.6, 0.5, 0.4, 0.3],
        val_loss=[1.0, 0.9, 0.85, 0.8, 0.78, 0.77],
        accuracy=[0.5, 0.6, 0.7, 0.8, 0.9, 0.95],
        val_accuracy=[0.5, 0.7, 0.69, 0.68, 0.67, 0.66],
    )
    assert analyze(log).overfit is None
    for metric in ("accuracy", "val_accuracy"):
        report = analyze(log, metric=metric)
        assert (report.metric, report.validation, report.mode) == (
            "accuracy",
            "val_accuracy",
            "max",
        )
        assert report.best is not None
        assert report.best.epoch == 1
        assert report.overfit is not None
        assert report.overfit.epoch == 1
    assert analyze(log, metric="accuracy", mode="min").best.epoch == 0  # type: ignore[union-attr]


def test_an_unknown_metric_suggests_the_available_ones() -> None:
    log = history(loss=[1.0], val_loss=[1.0], accuracy=[0.5], val_accuracy=[0.5])
    with pytest.raises(UsageError, match=r"did you mean 'accuracy'\? \(metrics: loss, accuracy\)"):
        analyze(log, metric="acuracy")
    with pytest.raises(UsageError, match="no training column 'auc'"):
        analyze(history(loss=[1.0], val_auc=[0.5]), metric="val_auc")


def test_nan_checks_cover_the_loss_and_the_chosen_metric_only() -> None:
    log = history(loss=[1.0, 0.9], val_loss=[1.0, 0.9], accuracy=[0.5, NAN], mae=[NAN, 1.0])
    assert analyze(log).nonfinite is None
    found = analyze(log, metric="accuracy").nonfinite
    assert found is not None
    assert (found.epoch, found.column) == (1, "accuracy")


def test_divergence_is_always_about_the_training_loss() -> None:
    log = history(loss=[1.0, 20.0], accuracy=[0.5, 0.6], val_loss=[1.0, 1.0])
    found = analyze(log, metric="accuracy").divergence
    assert found is not None
    assert found.column == "loss"


def test_failures_are_one_line_per_present_finding() -> None:
    report = analyze(history(loss=[1.0, 0.5, NAN], val_loss=[1.0, 0.6, NAN]))
    assert report.failures(["overfit"]) == []
    lines = report.failures(["nan", "divergence", "nan"])
    assert lines == [
        "check failed: nan: loss is NaN at epoch 2",
        "check failed: divergence: loss became NaN at epoch 2 (lowest before: 0.5)",
    ]
    with pytest.raises(UsageError):
        report.failures(["nope"])


def test_the_json_document_is_strict_json_with_a_schema() -> None:
    report = analyze(
        History.from_columns(
            {"loss": [1.0, 0.5, NAN], "val_loss": [None, 0.6, None]}, epochs=[0, 1, 2]
        )
    )
    document = json.loads(json.dumps(report.to_dict(["nan", "overfit"]), allow_nan=False))
    assert document["schema"] == CURVE_SCHEMA
    assert document["kind"] == "curve"
    assert document["epochs"] == [0, 1, 2]
    assert document["series"]["loss"] == [1.0, 0.5, "NaN"]
    assert document["series"]["val_loss"] == [None, 0.6, None]  # validation_freq=2
    assert document["validation_every"] == 2
    assert document["findings"]["nan"]["epoch"] == 2
    assert document["findings"]["nan"]["value"] == "NaN"
    assert document["findings"]["divergence"]["ratio"] is None
    assert document["findings"]["overfit"] is None
    assert document["checks"] == {"nan": "failed", "overfit": "passed"}
    assert set(document) == {
        "schema", "kind", "input", "metric", "validation", "mode", "settings",
        "validation_every", "epochs", "series", "findings", "checks", "notes",
    }  # fmt: skip


def test_from_columns_checks_its_input() -> None:
    with pytest.raises(InputDataError, match="no 'loss' column"):
        History.from_columns({"val_loss": [1.0]})
    with pytest.raises(InputDataError, match="no epochs"):
        History.from_columns({"loss": []})
    with pytest.raises(InputDataError, match="different lengths"):
        History.from_columns({"loss": [1.0], "val_loss": [1.0, 2.0]})
    with pytest.raises(UsageError):
        analyze(history(loss=[1.0]), patience=0)


# --------------------------------------------------------------------------------------------
# reading logs


def test_the_sample_logs_show_what_they_were_made_to_show() -> None:
    healthy = analyze(read_history(SAMPLES / "history.csv"))
    assert healthy.best is not None
    assert healthy.best.epoch == 29
    assert healthy.nonfinite is healthy.divergence is healthy.overfit is None
    assert not healthy.log_scale()

    diverging = analyze(read_history(SAMPLES / "history_nan.csv"))
    assert diverging.nonfinite is not None
    assert diverging.nonfinite.epoch == 12
    assert diverging.divergence is not None
    assert (diverging.divergence.epoch, diverging.divergence.reason) == (9, "jump")
    assert diverging.overfit is None
    assert diverging.log_scale()

    overfitting = analyze(read_history(SAMPLES / "history_overfit.csv"))
    assert overfitting.overfit is not None
    assert 10 <= overfitting.overfit.epoch <= 14
    assert overfitting.nonfinite is overfitting.divergence is None


def test_json_lines_and_csv_give_the_same_report() -> None:
    from_csv = analyze(read_history(SAMPLES / "history.csv"))
    from_jsonl = analyze(read_history(SAMPLES / "history.jsonl"))
    assert from_csv.to_dict()["series"] == from_jsonl.to_dict()["series"]
    assert from_csv.best == from_jsonl.best


def test_a_keras_csv_log_reads_nan_cells_and_crlf_lines(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes(b"epoch,loss,val_loss\r\n0,1.5,1.6\r\n1,0.9,nan\r\n2,nan,nan\r\n3,inf,nan\r\n")
    log = read_history(path)
    assert log.epochs.tolist() == [0, 1, 2, 3]
    assert log.missing["val_loss"].tolist() == [False, True, True, True]
    report = analyze(log)
    assert report.nonfinite is not None
    assert (report.nonfinite.epoch, report.nonfinite.column, report.nonfinite.count) == (
        1,
        "val_loss",
        3,
    )


def test_json_lines_nan_and_null(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text(
        '{"epoch": 0, "loss": 1.0, "val_loss": null}\n{"epoch": 1, "loss": NaN, "val_loss": 2.0}\n'
    )
    log = read_history(path)
    assert log.missing["val_loss"].tolist() == [True, False]
    assert math.isnan(log.columns["loss"][1])
    assert not log.missing["loss"][1]


def test_a_parquet_log_without_epochs_counts_rows_from_zero(tmp_path: Path) -> None:
    path = tmp_path / "log.parquet"
    pq.write_table(pa.table({"loss": [1.0, 0.5], "note": ["a", "b"]}), path)
    log = read_history(path)
    assert log.epochs.tolist() == [0, 1]
    assert log.skipped == ("note",)
    assert "non-numeric columns left out: note" in analyze(log).notes


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("epoch,acc\n0,0.5\n", r"no 'loss' column \(columns: epoch, acc\)"),
        ("epoch,loss\n", "no epochs"),
        ("epoch,loss\n0,abc\n1,0.5\n", "column 'loss' of '.*' is not numeric"),
        ("epoch,loss\nfirst,0.5\n", "column 'epoch' of '.*' is not numeric"),
        ("epoch,loss\n0.5,0.5\n", "column 'epoch' .* whole numbers"),
        ("epoch,loss\n0,0.5\n,0.4\n", "column 'epoch' .* whole numbers"),
    ],
)
def test_bad_logs_are_data_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "log.csv"
    path.write_text(content)
    with pytest.raises(InputDataError, match=message):
        read_history(path)


def test_a_missing_log_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="no such file"):
        read_history(tmp_path / "missing.csv")


def test_an_empty_file_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("")
    with pytest.raises(InputDataError):
        read_history(path)


def test_the_sample_logs_are_what_the_script_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("make_histories", SAMPLES / "make_histories.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main()
    names = ["history.csv", "history.jsonl", "history_nan.csv", "history_overfit.csv"]
    for name in names:
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name


# --------------------------------------------------------------------------------------------
# the text chart


def plain(lines: list[list[tuple[str, str]]]) -> list[str]:
    return ["".join(text for text, _ in line) for line in lines]


@pytest.mark.parametrize("width", [30, 40, 60, 80, 120, 200])
@pytest.mark.parametrize("name", ["history.csv", "history_nan.csv", "history_overfit.csv"])
def test_the_chart_fits_the_width(width: int, name: str) -> None:
    report = analyze(read_history(SAMPLES / name))
    lines = plain(text_chart(report, width))
    assert all(len(line) <= width for line in lines), max(lines, key=len)
    assert any("o" in line and "|" in line for line in lines)


def test_the_chart_uses_a_log_scale_beyond_two_decades() -> None:
    wide = analyze(history(loss=[1000.0, 100.0, 9.0], val_loss=[1000.0, 100.0, 9.0]))
    narrow = analyze(history(loss=[1000.0, 100.0, 11.0], val_loss=[1000.0, 100.0, 11.0]))
    assert wide.log_scale() and not narrow.log_scale()
    assert "log scale" in plain(text_chart(wide, 60))[-1]
    assert "linear scale" in plain(text_chart(narrow, 60))[-1]
    negative = analyze(history(loss=[-1000.0, 1.0]))
    assert not negative.log_scale()


def test_the_chart_marks_the_best_and_non_finite_epochs() -> None:
    report = analyze(history(loss=[2.0, 1.0, 1.5, NAN], val_loss=[2.0, 1.2, 1.6, NAN]))
    lines = text_chart(report, 50)
    roles = {role for line in lines for _, role in line}
    assert {"train", "val", "axis", "best", "bad"} <= roles
    text = "\n".join(plain(lines))
    assert "^ best epoch 1" in text
    assert "! non-finite from epoch 3" in text


def test_charts_of_one_epoch_and_of_nothing_finite() -> None:
    one = plain(text_chart(analyze(history(loss=[0.7])), 40))
    assert any("o" in line for line in one)
    nothing = plain(text_chart(analyze(history(loss=[NAN, NAN])), 40))
    assert nothing[0] == "(no finite values to plot)"


# --------------------------------------------------------------------------------------------
# PNG


def without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("matplotlib", "matplotlib.figure"):
        monkeypatch.setitem(sys.modules, name, None)


def test_png_without_matplotlib_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_matplotlib(monkeypatch)
    report = analyze(history(loss=[1.0, 0.5]))
    with pytest.raises(UsageError, match=r"pip install 'losscli\[plot\]'"):
        require_matplotlib()
    with pytest.raises(UsageError, match=r"pip install 'losscli\[plot\]'"):
        write_png(report, tmp_path / "x.png")
    assert list(tmp_path.iterdir()) == []


class _FakeAxes:
    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    def __getattr__(self, name: str):  # plot, axvline, set_yscale, ...
        return lambda *args, **kwargs: self.calls.append(name)

    def get_legend_handles_labels(self):
        return (["handle"], ["label"])


class _FakeFigure:
    calls: ClassVar[list[str]] = []

    def __init__(self, **kwargs: object) -> None:
        type(self).calls = []

    def add_subplot(self) -> _FakeAxes:
        return _FakeAxes(type(self).calls)

    def savefig(self, file, format: str) -> None:
        file.write(b"\x89PNG fake")


def fake_matplotlib(monkeypatch: pytest.MonkeyPatch) -> type[_FakeFigure]:
    package = types.ModuleType("matplotlib")
    figure = types.ModuleType("matplotlib.figure")
    figure.Figure = _FakeFigure  # type: ignore[attr-defined]
    package.figure = figure  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "matplotlib", package)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", figure)
    return _FakeFigure


def test_png_draws_the_curves_and_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    figure = fake_matplotlib(monkeypatch)
    report = analyze(read_history(SAMPLES / "history_nan.csv"))
    target = tmp_path / "curve.png"
    write_png(report, target)
    assert target.read_bytes() == b"\x89PNG fake"
    assert [p.name for p in tmp_path.iterdir()] == ["curve.png"]  # no temporary file left
    assert figure.calls.count("plot") == 2
    assert {"set_yscale", "axvline", "legend"} <= set(figure.calls)
    with pytest.raises(UsageError, match="no such directory"):
        write_png(report, tmp_path / "missing" / "curve.png")


def test_png_with_real_matplotlib(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    report = analyze(read_history(SAMPLES / "history_overfit.csv"))
    write_png(report, tmp_path / "curve.png")
    assert (tmp_path / "curve.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
