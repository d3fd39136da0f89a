"""scikit-learn's losses against scikit-learn itself.

Three sources of truth: the golden values of LOSS_SEMANTICS.md section 7.5 (scikit-learn 1.9.1),
the vectors in ``tests/fixtures/sklearn_vectors.json`` produced by running scikit-learn on
seeded random and edge-case inputs (``tests/fixtures/make_sklearn_vectors.py`` made them), and
the input checks that stand where scikit-learn raises. Agreement is to 1e-9 relative, float64.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import losscli
from losscli import errors
from losscli.errors import InputDataError, LabelError, ParameterError, ShapeError
from losscli.losses import Scope, get_loss, get_spec, list_losses
from tests.cli.conftest import invoke

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "sklearn_vectors.json"
RTOL = 1e-9

# §7.5 inputs
YT = [3.0, -0.5, 2.0, 7.0]
YP = [2.5, 0.0, 2.0, 8.0]
SW = [1, 2, 3, 4]
Y2 = [[0.5, 1], [-1, 1], [7, -6]]
P2 = [[0, 2], [-1, 2], [8, -5]]
YL = [3, 5, 2.5, 7]
PL = [2.5, 5, 4, 8]
YTP = [2, 0, 1, 4]
YPP = [0.5, 0.5, 2, 2]
YTP1 = [3, 1, 2, 5]  # ytp + 1
BIN_T = [0, 1, 1, 0]
BIN_P = [0.1, 0.9, 0.8, 0.3]

# (id, loss, y_true, y_pred, keyword arguments of losscli.compute, expected)
GOLDEN: list[tuple[str, str, Any, Any, dict[str, Any], float]] = [
    # S1 uses the labels "spam"/"ham": sorted, ham = 0 and spam = 1.
    ("S1", "log_loss", [1, 0, 0, 1], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]], {},
     0.21616187468057912),
    ("S2", "log_loss", [0, 1, 1, 0], [0.1, 0.8, 0.6, 0.3], {}, 0.2990011586691898),
    ("S3", "log_loss", [0, 1, 1, 0], [0.1, 0.8, 0.6, 0.3], {"reduction": "sum"},
     1.1960046346767592),
    ("S4", "log_loss", [0, 1, 1, 0], [0.1, 0.8, 0.6, 0.3], {"sample_weight": SW},
     0.35108242653391475),
    ("S5", "log_loss", [1, 0], [0.0, 1.0], {}, 36.04365338911715),
    ("S7", "log_loss", [1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], {}, 1.176939193690798),
    ("S8", "log_loss", [1, 2], [[0.1, 0.9, 0.0], [0.2, 0.6, 0.1]], {}, 1.203972804325936),
    ("S9", "brier_score", BIN_T, [0.1, 0.9, 0.8, 0.3], {}, 0.03749999999999999),
    ("S10", "brier_score", BIN_T, [0.1, 0.9, 0.8, 0.3], {"sample_weight": SW},
     0.051000000000000004),
    # S11 is pos_label=0, which losscli does not take: the same score with 1 - y_true.
    ("S11", "brier_score", [1, 0, 0, 1], [0.1, 0.9, 0.8, 0.3], {}, 0.6875),
    ("S12", "brier_score", BIN_T, [0.1, 0.9, 0.8, 0.3], {"scale_by_half": False},
     0.07499999999999998),
    ("S13", "brier_score", [0, 1, 2], [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.2, 0.2, 0.6]], {},
     0.21333333333333337),
    ("S18", "zero_one", [1, 2, 3, 4], [2, 2, 3, 4], {}, 0.25),
    ("S19", "zero_one", [1, 2, 3, 4], [2, 2, 3, 4], {"reduction": "sum"}, 1.0),
    ("S20", "zero_one", [1, 2, 3, 4], [2, 2, 3, 4], {"sample_weight": [3, 1, 1, 1]}, 0.5),
    ("S21", "zero_one", [1, 2, 3, 4], [2, 2, 3, 4],
     {"sample_weight": [3, 1, 1, 1], "reduction": "sum"}, 3.0),
    ("S22", "zero_one", [[0, 1], [1, 1]], np.ones((2, 2)), {}, 0.5),
    ("S23", "hamming", [1, 2, 3, 4], [2, 2, 3, 4], {}, 0.25),
    ("S24", "hamming", [[0, 1], [1, 1]], np.zeros((2, 2)), {}, 0.75),
    ("S25", "hamming", [[0, 1], [1, 1]], np.zeros((2, 2)), {"sample_weight": [1, 3]}, 0.875),
    ("S29", "rmse", YT, YP, {}, 0.6123724356957945),
    ("S30", "rmse", YT, YP, {"sample_weight": SW}, 0.689202437604511),
    ("S31", "rmse", Y2, P2, {}, 0.8227486121839513),
    ("S35", "rmsle", YL, PL, {}, 0.19932416558108),
    ("S43", "mean_pinball_loss", YT, YP, {}, 0.25),
    ("S44", "mean_pinball_loss", YT, YP, {"alpha": 0.1}, 0.35),
    ("S45", "mean_pinball_loss", YT, YP, {"alpha": 0.9, "sample_weight": SW}, 0.095),
    ("S46", "mean_pinball_loss", [0, 0, 1, 1], [1, 1, 1, 0], {"alpha": 0.1}, 0.47500000000000003),
    ("S47", "mean_tweedie_deviance", YTP, YPP, {"power": 0}, 1.875),
    ("S48", "mean_tweedie_deviance", YTP, YPP, {"power": 1}, 1.4260151319598084),
    ("S49", "mean_poisson_deviance", YTP, YPP, {}, 1.4260151319598084),
    ("S50", "mean_poisson_deviance", YTP, YPP, {"sample_weight": SW}, 1.256700413903814),
    ("S51", "mean_tweedie_deviance", YTP, YPP, {"power": 1.5}, 1.7781745930520232),
    ("S52", "mean_tweedie_deviance", YTP1, YPP, {"power": 3}, 2.4458333333333333),
    ("S53", "mean_tweedie_deviance", [-1, 0, 2], [0.5, 1, 2], {"power": -1}, 0.33333333333333304),
    ("S55", "mean_gamma_deviance", YTP1, YPP, {}, 2.0494013091689225),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "y_true", "y_pred", "kwargs", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in GOLDEN],
)
def test_golden_values(name: str, y_true: Any, y_pred: Any, kwargs: dict, expected: float) -> None:
    assert losscli.compute(name, y_true, y_pred, **kwargs).value == pytest.approx(
        expected, rel=RTOL
    )


def test_golden_float32_log_loss_clips_at_float32_epsilon() -> None:
    """S6: float32 probabilities are clipped at float32's machine epsilon (1.19e-7)."""
    value = losscli.compute("log_loss", [1, 0], [0.0, 1.0], dtype="float32").value
    assert value == pytest.approx(15.942384719848633, rel=1e-7)


def test_golden_rmse_raw_values_are_the_per_output_roots() -> None:
    """S32: each output alone gives scikit-learn's raw_values; the loss is their mean."""
    columns = [
        losscli.compute("rmse", np.array(Y2)[:, k], np.array(P2)[:, k]).value for k in (0, 1)
    ]
    np.testing.assert_allclose(columns, [0.6454972243679028, 1.0], rtol=RTOL)


@pytest.mark.parametrize(
    ("name", "y_true", "y_pred", "kwargs", "expected"),
    [
        # S28: MSE = RMSE^2 for one output; S34 and S37: MSLE = RMSLE^2.
        ("rmse", YT, YP, {}, 0.375),
        ("rmsle", YL, PL, {}, 0.03973012298459379),
        ("rmsle", [-0.5, 1], [1, 1], {}, 0.9609060278364028),
        # S26 and S27: MAE = 2 x pinball(alpha=0.5).
        ("mean_pinball", YT, YP, {}, 0.5 / 2),
        ("mean_pinball", YT, YP, {"sample_weight": SW}, 0.55 / 2),
    ],
)
def test_golden_values_of_related_metrics(
    name: str, y_true: Any, y_pred: Any, kwargs: dict, expected: float
) -> None:
    value = losscli.compute(name, y_true, y_pred, **kwargs).value
    squared = name in ("rmse", "rmsle")
    assert (value**2 if squared else value) == pytest.approx(expected, rel=RTOL)


def test_golden_max_error_is_the_max_reduction() -> None:
    """S42: max_error is the largest per-row |y - p|, its default `max` reduction."""
    result = losscli.compute("max_error", YT, YP)
    assert result.reduction == "max"
    assert result.value == 1.0
    mean = losscli.compute("max_error", YT, YP, reduction="mean_with_sample_weight")
    assert mean.value == pytest.approx(0.5, rel=RTOL)  # other reductions: the MAE (S26)


# ------------------------------------------------------------------------ the sklearn fixture


@cache
def fixture() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())


def cases(with_error: bool) -> list[Any]:
    return [
        pytest.param(case, id=case["id"])
        for case in fixture()["cases"]
        if ("error" in case) == with_error
    ]


def test_fixture_covers_every_sklearn_loss() -> None:
    covered = {case["loss"] for case in fixture()["cases"]}
    assert covered == {spec.name for spec in list_losses(origin="sklearn")}
    assert fixture()["sklearn"] == "1.9.1"


def params_of(case: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in case["params"].items()}


@pytest.mark.parametrize("case", cases(with_error=False))
def test_agrees_with_sklearn(case: dict[str, Any]) -> None:
    for reduction, expected in case["expected"].items():
        result = losscli.compute(
            case["loss"],
            case["y_true"],
            case["y_pred"],
            reduction=reduction,
            sample_weight=case["sample_weight"],
            dtype="float64",
            **params_of(case),
        )
        got = result.value
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=0, err_msg=reduction)


@pytest.mark.parametrize("case", cases(with_error=True))
def test_rejects_what_sklearn_rejects(case: dict[str, Any]) -> None:
    error = getattr(errors, case["losscli_error"])
    with pytest.raises(error, match=case["loss"]):
        losscli.compute(
            case["loss"], case["y_true"], case["y_pred"], dtype="float64", **params_of(case)
        )


# -------------------------------------------------------------------------------- validation


@pytest.mark.parametrize("power", [0.5, 1e-9, 0.999999])
def test_tweedie_power_gap_is_a_parameter_error(power: float) -> None:
    with pytest.raises(ParameterError, match=r"must be in \(-inf, 0\.0\] or \[1\.0, inf\)"):
        get_loss("mean_tweedie_deviance", power=power)
    spec = get_spec("mean_tweedie_deviance")
    with pytest.raises(ParameterError, match="power"):
        spec.param("power").parse(str(power), spec.name)


@pytest.mark.parametrize("power", [-3.0, 0.0, 1.0, 1.5, 2.0, 7.0])
def test_tweedie_power_outside_the_gap_is_accepted(power: float) -> None:
    assert get_loss("mean_tweedie_deviance", power=power).params["power"] == power


@pytest.mark.parametrize(
    ("name", "params", "y_true", "y_pred", "message"),
    [
        ("mean_gamma_deviance", {}, [1.0, 0.0], [1.0, 1.0], r"y_true must be > 0 .* at row 1"),
        ("mean_poisson_deviance", {}, [1.0, 2.0], [1.0, -1.0], r"y_pred must be > 0 .* at row 1"),
        ("mean_poisson_deviance", {}, [-1.0], [1.0], r"y_true must be >= 0 .* at row 0"),
        ("mean_tweedie_deviance", {"power": -2}, [-5.0, 1.0], [1.0, 0.0], r"y_pred .* row 1"),
        ("root_mean_squared_log_error", {}, [0.0, 1.0], [-1.0, 0.0], r"y_pred must be > -1"),
    ],
)
def test_domain_errors_name_the_row(
    name: str, params: dict, y_true: Any, y_pred: Any, message: str
) -> None:
    with pytest.raises(InputDataError, match=message):
        losscli.compute(name, y_true, y_pred, **params)


def test_domain_error_row_numbers_count_from_the_file_start(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    rows = "\n".join(f"{1.0 if i != 9 else 0.0},1.0" for i in range(12))
    path.write_text("y_true,y_pred\n" + rows + "\n")
    result = invoke("compute", "-l", "mean_gamma_deviance", "--batch-size", "4", str(path))
    assert result.exit_code == 3
    assert "at row 9" in result.stderr


@pytest.mark.parametrize("name", ["log_loss", "brier_score"])
@pytest.mark.parametrize("bad", [1.0000001, -1e-12])
def test_probabilities_outside_zero_one_are_rejected(name: str, bad: float) -> None:
    with pytest.raises(InputDataError, match=r"probabilities in \[0, 1\].* at row 1"):
        losscli.compute(name, [0, 1], [[0.5, 0.5], [1 - bad, bad]])
    with pytest.raises(InputDataError, match="at row 1"):
        losscli.compute(name, [0, 1], [0.5, bad])


@pytest.mark.parametrize(
    ("y_true", "y_pred", "error", "message"),
    [
        ([0, 2], [0.3, 0.4], LabelError, r"label 2 at row 1 .* probability of class 1"),
        ([0, 3], [[0.5, 0.3, 0.2]] * 2, LabelError, r"label 3 at row 1 .* 0\.\.2"),
        ([0, -1], [[0.5, 0.5]] * 2, LabelError, r"label -1 at row 1"),
        ([0, 1.5], [0.3, 0.4], LabelError, r"integer class ids"),
        (["ham", "spam"], [0.3, 0.4], LabelError, r"strings; map the labels"),
        ([[1, 0], [0, 1]], [[0.5, 0.5]] * 2, ShapeError, r"one-hot rows are not accepted"),
    ],
)
def test_class_labels_must_index_the_probability_columns(
    y_true: Any, y_pred: Any, error: type[Exception], message: str
) -> None:
    for name in ("log_loss", "brier_score"):
        with pytest.raises(error, match=message):
            losscli.compute(name, y_true, y_pred)


def test_multilabel_rows_must_be_zero_or_one() -> None:
    for name in ("zero_one", "hamming"):
        with pytest.raises(LabelError, match=r"y_pred must be 0 or 1 .* at row 1"):
            losscli.compute(name, [[0, 1], [1, 1]], [[0, 1], [2, 1]])
        with pytest.raises(ShapeError, match="same shape"):
            losscli.compute(name, [[0, 1], [1, 1]], [1, 1])


@pytest.mark.parametrize("name", ["zero_one", "hamming"])
def test_class_scores_are_predicted_by_their_argmax(name: str) -> None:
    """One label column against C score columns: the first highest score is the prediction."""
    scores = [[0.2, 0.5, 0.3], [0.4, 0.4, 0.2], [0.1, 0.1, 0.8]]  # argmax 1, 0 (a tie), 2
    assert losscli.compute(name, [1, 1, 2], scores).value == pytest.approx(1 / 3, rel=RTOL)
    assert losscli.compute(name, [1, 0, 2], scores, reduction="sum").value == 0.0


@pytest.mark.parametrize(
    "name", ["mean_tweedie_deviance", "mean_poisson_deviance", "mean_gamma_deviance", "max_error"]
)
def test_single_output_losses_reject_several_outputs(name: str) -> None:
    with pytest.raises(ShapeError, match="one output column"):
        losscli.compute(name, [[1.0, 2.0]], [[1.0, 2.0]])


@pytest.mark.parametrize("value", [True, "true", "TRUE", False, "false", "auto"])
def test_scale_by_half_takes_bools_and_text(value: Any) -> None:
    expected = {"true": "true", "false": "false", "auto": "auto"}[str(value).lower()]
    assert get_loss("brier_score", scale_by_half=value).params["scale_by_half"] == expected
    with pytest.raises(ParameterError, match="must be one of auto, true, false"):
        get_loss("brier_score", scale_by_half="half")


@pytest.mark.parametrize("alpha", [-0.1, 1.1])
def test_pinball_alpha_is_a_quantile(alpha: float) -> None:
    with pytest.raises(ParameterError, match=r"alpha=.* must be in \[0\.0, 1\.0\]"):
        get_loss("mean_pinball", alpha=alpha)


def test_valid_inputs_never_warn() -> None:
    """pytest turns warnings into errors; these edges would warn without care."""
    losscli.compute("log_loss", [0, 1], [[0.0, 1.0], [1.0, 0.0]])
    losscli.compute("mean_poisson_deviance", [0.0, 0.0], [1.0, 2.0])
    losscli.compute("mean_tweedie_deviance", [-3.0, 0.0], [1.0, 2.0], power=-1.5)
    losscli.compute("rmsle", [-0.999, 0.0], [0.0, -0.5], sample_weight=[0.0, 0.0])


# ---------------------------------------------------------------------------- registry entries

ALIASES = {
    "log_loss": "log_loss",
    "brier_score_loss": "brier_score",
    "zero_one_loss": "zero_one",
    "hamming_loss": "hamming",
    "mean_tweedie_deviance": "mean_tweedie_deviance",
    "mean_poisson_deviance": "mean_poisson_deviance",
    "mean_gamma_deviance": "mean_gamma_deviance",
    "mean_pinball_loss": "mean_pinball",
    "max_error": "max_error",
    "root_mean_squared_error": "root_mean_squared_error",
    "rmse": "root_mean_squared_error",
    "RMSE": "root_mean_squared_error",
    "root_mean_squared_log_error": "root_mean_squared_log_error",
    "rmsle": "root_mean_squared_log_error",
}


@pytest.mark.parametrize(("identifier", "name"), ALIASES.items())
def test_scikit_learn_identifiers(identifier: str, name: str) -> None:
    spec = get_spec(identifier)
    assert spec.name == name
    assert spec.origin == "sklearn"
    assert spec.reference_dtype == "float64"
    expected = "max" if name == "max_error" else "mean_with_sample_weight"
    assert spec.default_reduction == expected


def test_keras_identifiers_still_name_keras_losses() -> None:
    for identifier in ("mse", "mae", "mean_squared_error", "poisson", "msle"):
        assert get_spec(identifier).origin == "keras"


def test_defaults_are_scikit_learn_defaults() -> None:
    assert get_spec("mean_tweedie_deviance").defaults == {"power": 0.0}
    assert get_spec("mean_pinball").defaults == {"alpha": 0.5}
    assert get_spec("brier_score").defaults == {"scale_by_half": "auto"}
    assert get_spec("log_loss").defaults == {}


def test_rmse_and_rmsle_are_one_value_for_the_dataset() -> None:
    assert get_spec("rmse").scope is Scope.DATASET
    assert get_spec("rmsle").scope is Scope.DATASET
    for reduction in ("sum", "sum_over_batch_size", "mean_with_sample_weight"):
        value = losscli.compute("rmse", YT, YP, sample_weight=SW, reduction=reduction).value
        assert value == pytest.approx(0.689202437604511, rel=RTOL)


def test_rmse_of_all_zero_weights_is_zero() -> None:
    assert losscli.compute("rmse", YT, YP, sample_weight=[0, 0, 0, 0]).value == 0.0


def test_max_error_in_the_command_line_summary(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("y_true,y_pred\n" + "".join(f"{t},{p}\n" for t, p in zip(YT, YP, strict=True)))
    for batch_size in ("1", "3", "100"):
        result = invoke(
            "compute", "--format", "json", "-l", "max_error", "--batch-size", batch_size, str(path)
        )
        assert result.exit_code == 0, result.stderr
        summary = json.loads(result.stdout)["results"][0]
        assert summary["max"] == 1.0
        assert summary["value"] == 1.0
        assert summary["reduction"] == "max"
