"""The PyTorch losses against torch itself, and their inputs, parameters and conventions.

``tests/fixtures/torch_vectors.json`` holds torch 2.13.0's outputs (float32 and float64) for
seeded random and edge-case inputs; ``tests/fixtures/make_torch_vectors.py`` made it (torch
stays out of losscli's dependencies). ``SPEC_VECTORS`` are LOSS_SEMANTICS.md section 7.4.

torch's element-wise losses give one value per element, losscli one per row (the row's mean),
so a torch ``none`` of shape ``[n, K]`` is compared as its row means and torch's ``sum`` with
losscli's ``sum`` times K; torch's ``mean`` is losscli's default reduction.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import losscli
from losscli.errors import InputDataError, LabelError, ParameterError, ShapeError
from losscli.losses import Target, get_loss, get_spec, list_losses
from tests.cli.conftest import invoke

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "torch_vectors.json"
TOLERANCE = {"float32": 1e-6, "float64": 1e-9}

# canonical name -> (torch class, functional name, torch's defaults as losscli parameters)
TORCH_LOSSES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "nll": ("NLLLoss", "nll_loss", {"ignore_index": -100}),
    "smooth_l1": ("SmoothL1Loss", "smooth_l1_loss", {"beta": 1.0}),
    "poisson_nll": (
        "PoissonNLLLoss",
        "poisson_nll_loss",
        {"log_input": True, "full": False, "eps": 1e-8},
    ),
    "gaussian_nll": ("GaussianNLLLoss", "gaussian_nll_loss", {"full": False, "eps": 1e-6}),
    "margin_ranking": ("MarginRankingLoss", "margin_ranking_loss", {"margin": 0.0}),
    "soft_margin": ("SoftMarginLoss", "soft_margin_loss", {}),
    "multilabel_soft_margin": (
        "MultiLabelSoftMarginLoss",
        "multilabel_soft_margin_loss",
        {"weight": 1.0},
    ),
    "multi_margin": (
        "MultiMarginLoss",
        "multi_margin_loss",
        {"p": 1, "margin": 1.0, "weight": 1.0},
    ),
    "cosine_embedding": ("CosineEmbeddingLoss", "cosine_embedding_loss", {"margin": 0.0}),
    "hinge_embedding": ("HingeEmbeddingLoss", "hinge_embedding_loss", {"margin": 1.0}),
    "triplet_margin": (
        "TripletMarginLoss",
        "triplet_margin_loss",
        {"margin": 1.0, "p": 2.0, "eps": 1e-6, "swap": False},
    ),
}


# ------------------------------------------------------------------------- torch's numbers


def check_against_torch(
    loss: str,
    params: dict[str, Any],
    y_true: Any,
    y_pred: Any,
    expected: dict[str, Any],
    *,
    dtype: str = "float32",
    class_weight: dict[int, float] | None = None,
    what: str = "",
) -> None:
    """losscli's none / default / sum against torch's none / mean / sum."""
    torch_none = np.asarray(expected["none"], dtype=np.float64)
    per_row = torch_none.ndim > 1  # element-wise in torch: one value per element
    elements = int(np.prod(torch_none.shape[1:])) if per_row else 1
    rows = torch_none.reshape(len(torch_none), -1).mean(axis=1) if per_row else torch_none
    mean = expected["mean"]
    if np.isnan(mean) and loss == "nll":
        mean = 0.0  # every target ignored: torch divides 0 by 0, losscli gives 0
    rtol = TOLERANCE[dtype]
    finite = np.abs(torch_none[np.isfinite(torch_none)])
    atol = rtol * (float(finite.max()) if finite.size else 0.0)

    def run(reduction: str | None) -> np.ndarray:
        result = losscli.compute(
            loss,
            y_true,
            y_pred,
            reduction=reduction,
            class_weight=class_weight,
            dtype=dtype,
            nan="propagate",
            **params,
        )
        assert result.dtype == dtype
        return np.asarray(result.value, dtype=np.float64)

    for reduction, got, want in (
        ("none", run("none"), rows),
        ("default", run(None), mean),
        ("sum", run("sum") * elements, expected["sum"]),
    ):
        np.testing.assert_allclose(
            got, want, rtol=rtol, atol=atol, equal_nan=True, err_msg=f"{what} {reduction}"
        )


@cache
def fixture() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())


def fixture_cases() -> list[Any]:
    return [pytest.param(case, id=case["id"]) for case in fixture()["cases"]]


def test_fixture_covers_every_torch_loss_in_both_dtypes() -> None:
    cases = fixture()["cases"]
    assert {case["loss"] for case in cases} == set(TORCH_LOSSES)
    assert {spec.name for spec in list_losses(origin="torch")} == set(TORCH_LOSSES)
    assert {case["dtype"] for case in cases} == {"float32", "float64"}
    assert fixture()["torch"].startswith("2.13.0")


@pytest.mark.parametrize("case", fixture_cases())
def test_agrees_with_torch(case: dict[str, Any]) -> None:
    params = {
        key: tuple(value) if isinstance(value, list) else value
        for key, value in case["params"].items()
    }
    weights = case["class_weight"]
    check_against_torch(
        case["loss"],
        params,
        case["y_true"],
        case["y_pred"],
        case["results"],
        dtype=case["dtype"],
        class_weight=None if weights is None else dict(enumerate(weights)),
        what=case["id"],
    )


# ---------------------------------------------------- LOSS_SEMANTICS.md 7.4 (torch, float32)

LOG_PROBABILITIES = [
    [-0.41702995, -1.41703, -2.31703],
    [-2.1531782, -0.15317824, -3.6531782],
    [-1.0986123, -1.0986123, -1.0986123],
]
R_TRUE, R_PRED = [[1.0, 2.0, 3.0], [4.0, 0.0, -1.0]], [[1.5, 1.0, 3.5], [3.0, 0.5, 1.0]]
P_TRUE, P_PRED = [[1.0, 2.0, 0.0], [3.0, 0.0, 1.0]], [[0.5, 1.5, 0.25], [2.0, 1.0, 1e-9]]
G_TRUE, G_MEAN = [[1.0, 2.0], [4.0, 0.0]], [[1.5, 1.0], [3.0, 0.5]]
RANK_LABELS, RANK_PAIRS = [1, 1, -1, -1], [[0.8, 0.3], [-0.2, 0.4], [0.5, 0.5], [1.0, -1.0]]
ML_TRUE, ML_PRED = [[1, 0, 1], [0, 1, 1]], [[0.3, -1.2, 2.0], [2.0, 0.1, -0.5]]
MM_TRUE, MM_PRED = [3, 1], [[0.1, 0.2, 0.4, 0.8], [0.9, 0.1, 0.3, 0.2]]
COS_PAIRS = [[1, 0, 1, 1, 1, 0], [0.5, 0.5, 0, -0.5, 0.5, 0], [1, 2, 3, 1, 2, 2.9]]
HE_TRUE, HE_PRED = [1, -1, -1, 1], [0.3, 1.5, 0.2, 2.0]
ANCHOR, POS_NEG = [[0, 0], [1, 1]], [[0, 1, 1, 0], [1, 2, 1.5, 1]]
W123 = {0: 1.0, 1: 2.0, 2: 3.0}

# (id, loss, params, y_true, y_pred, class_weight, torch none, torch mean, torch sum)
SPEC_VECTORS: list[tuple[str, str, dict[str, Any], Any, Any, Any, Any, float, float]] = [
    ("P1", "NLLLoss", {}, [0, 2, 1], LOG_PROBABILITIES, None,
     [0.41702995, 3.6531782, 1.0986123], 1.7229401, 5.1688204),
    ("P2", "NLLLoss", {}, [0, 2, 1], LOG_PROBABILITIES, W123,
     [0.41702995, 10.959535, 2.1972246], 2.2622983, 13.57379),
    ("P3", "NLLLoss", {"ignore_index": 2}, [0, 2, 1], LOG_PROBABILITIES, None,
     [0.41702995, 0.0, 1.0986123], 0.75782114, 1.5156423),
    ("P4", "NLLLoss", {"ignore_index": 2}, [0, 2, 1], LOG_PROBABILITIES, W123,
     [0.41702995, 0.0, 2.1972246], 0.8714182, 2.6142545),
    ("P7", "SmoothL1Loss", {"beta": 1.0}, R_TRUE, R_PRED, None,
     [[0.125, 0.5, 0.125], [0.5, 0.125, 1.5]], 0.47916666, 2.875),
    ("P8", "SmoothL1Loss", {"beta": 0.5}, R_TRUE, R_PRED, None,
     [[0.25, 0.75, 0.25], [0.75, 0.25, 1.75]], 0.6666667, 4.0),
    ("P11 (L1Loss)", "smooth_l1", {"beta": 0.0}, R_TRUE, R_PRED, None,
     [[0.5, 1.0, 0.5], [1.0, 0.5, 2.0]], 0.9166667, 5.5),
    ("P13", "PoissonNLLLoss", {}, P_TRUE, P_PRED, None,
     [[1.1487212, 1.481689, 1.2840254], [1.3890562, 2.7182817, 1.0]], 1.5036288, 9.021773),
    ("P14", "PoissonNLLLoss", {"log_input": False}, P_TRUE, P_PRED, None,
     [[1.1931472, 0.6890698, 0.25], [-0.07944155, 1.0, 18.32537]], 3.5630245, 21.378147),
    ("P15", "PoissonNLLLoss", {"log_input": False, "full": True}, P_TRUE, P_PRED, None,
     [[1.1931472, 1.3408763, 0.25], [1.68464, 1.0, 18.32537]], 3.9656725, 23.794035),
    ("P16", "PoissonNLLLoss", {"full": True}, P_TRUE, P_PRED, None,
     [[1.1487212, 2.1334953, 1.2840254], [3.1531377, 2.7182817, 1.0]], 1.9062771, 11.437662),
    ("P17", "GaussianNLLLoss", {}, G_TRUE, [[1.5, 1.0, 0.5, 2.0], [3.0, 0.5, 1e-8, 1.0]], None,
     [[-0.09657359, 0.5965736], [499993.1, 0.125]], 124998.43, 499993.72),
    ("P18", "GaussianNLLLoss", {"full": True}, G_TRUE,
     [[1.5, 1.0, 0.5, 2.0], [3.0, 0.5, 1e-8, 1.0]], None,
     [[0.8223649, 1.5155121], [499994.0, 1.0439385]], 124999.34, 499997.38),
    ("P19", "GaussianNLLLoss", {}, G_TRUE, [[1.5, 1.0, 0.5], [3.0, 0.5, 2.0]], None,
     [[-0.09657359, 0.6534264], [0.5965736, 0.4090736]], 0.390625, 1.5625),
    ("P20", "MarginRankingLoss", {}, RANK_LABELS, RANK_PAIRS, None,
     [0.0, 0.6, 0.0, 2.0], 0.65, 2.6),
    ("P21", "MarginRankingLoss", {"margin": 0.5}, RANK_LABELS, RANK_PAIRS, None,
     [0.0, 1.1, 0.5, 2.5], 1.025, 4.1),
    ("P22", "SoftMarginLoss", {}, [[1, -1], [-1, 1]], [[0.3, -1.2], [2.0, 0.1]], None,
     [[0.5543552, 0.26328245], [2.126928, 0.64439666]], 0.89724064, 3.5889626),
    ("P23", "MultiLabelSoftMarginLoss", {}, ML_TRUE, ML_PRED, None,
     [0.31485525, 1.2484672], 0.7816612, 1.5633224),
    ("P24", "MultiLabelSoftMarginLoss", {"weight": (1.0, 2.0, 0.5)}, ML_TRUE, ML_PRED, None,
     [0.38146138, 1.30092], 0.8411907, 1.6823814),
    ("P25", "MultiMarginLoss", {}, MM_TRUE, MM_PRED, None,
     [0.325, 1.025], 0.67499995, 1.3499999),
    ("P26", "MultiMarginLoss", {"p": 2, "margin": 0.5}, MM_TRUE, MM_PRED, None,
     [0.0024999997, 0.635], 0.31875, 0.6375),
    ("P27", "MultiMarginLoss", {"weight": (1.0, 2.0, 3.0, 4.0)}, MM_TRUE, MM_PRED, None,
     [1.3, 2.05], 1.675, 3.35),
    ("P28", "CosineEmbeddingLoss", {}, [1, -1, -1], COS_PAIRS, None,
     [0.5, 0.0, 0.99986684], 0.49995562, 1.4998668),
    ("P29", "CosineEmbeddingLoss", {"margin": 0.5}, [1, -1, -1], COS_PAIRS, None,
     [0.5, 0.0, 0.49986684], 0.33328894, 0.99986684),
    ("P30", "HingeEmbeddingLoss", {}, HE_TRUE, HE_PRED, None,
     [0.3, 0.0, 0.8, 2.0], 0.775, 3.1),
    ("P31", "HingeEmbeddingLoss", {"margin": 2.0}, HE_TRUE, HE_PRED, None,
     [0.3, 0.5, 1.8, 2.0], 1.15, 4.6),
    ("P32", "TripletMarginLoss", {}, ANCHOR, POS_NEG, None, [1.0, 1.5], 1.25, 2.5),
    ("P33", "TripletMarginLoss", {"p": 1.0, "margin": 0.5, "swap": True}, ANCHOR, POS_NEG, None,
     [0.5, 1.0], 0.75, 1.5),
]  # fmt: skip


@pytest.mark.parametrize(
    ("loss", "params", "y_true", "y_pred", "class_weight", "none", "mean", "total"),
    [pytest.param(*case[1:], id=f"{case[0]}-{case[1]}") for case in SPEC_VECTORS],
)
def test_spec_vectors(loss, params, y_true, y_pred, class_weight, none, mean, total) -> None:
    expected = {"none": none, "mean": mean, "sum": total}
    check_against_torch(loss, params, y_true, y_pred, expected, class_weight=class_weight)


# ----------------------------------------------------------------------- registry entries


def test_every_torch_loss_is_registered_with_torch_names() -> None:
    for name, (class_name, functional, _) in TORCH_LOSSES.items():
        spec = get_spec(name)
        assert spec.origin == "torch"
        assert spec.reference_class == class_name
        for identifier in (name, class_name, functional):
            assert get_spec(identifier).name == name, identifier


@pytest.mark.parametrize("name", sorted(TORCH_LOSSES))
def test_defaults_are_torch_defaults(name: str) -> None:
    assert get_spec(name).defaults == TORCH_LOSSES[name][2]


def test_torch_config_round_trip() -> None:
    loss = get_loss({"class_name": "SmoothL1Loss", "config": {"beta": 0.5}})
    assert loss.name == "smooth_l1"
    assert loss.params["beta"] == 0.5
    assert get_loss(loss.keras_config()) == loss


def test_default_reductions_are_torchs_mean() -> None:
    assert get_loss("nll").default_reduction == "mean_with_sample_weight"
    for name in set(TORCH_LOSSES) - {"nll"}:
        assert get_loss(name).default_reduction == "sum_over_batch_size", name


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("smooth_l1", {"beta": -0.1}, r"beta=-0\.1 is out of range; it must be in \[0\.0, inf\)"),
        ("triplet_margin", {"margin": 0.0}, r"margin=0\.0 is out of range.*\(0\.0, inf\)"),
        ("triplet_margin", {"p": 0.0}, r"p=0\.0 is out of range"),
        ("multi_margin", {"p": 3}, r"p=3 is out of range; it must be in \[1, 2\]"),
        ("multi_margin", {"p": 1.5}, r"p must be a int"),
        ("nll", {"ignore_index": 0.5}, r"ignore_index must be a int"),
        ("poisson_nll", {"eps": -1e-8}, r"eps=-1e-08 is out of range"),
        ("multilabel_soft_margin", {"weight": [1.0, -2.0]}, r"weight=.* is out of range"),
    ],
)
def test_bad_parameters(name: str, params: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        get_loss(name, **params)


def test_command_line_values_parse() -> None:
    spec = get_spec("multilabel_soft_margin")
    assert spec.param("weight").parse("[1, 2.5]", spec.name) == (1.0, 2.5)
    spec = get_spec("nll")
    assert spec.param("ignore_index").parse("-1", spec.name) == -1


# ------------------------------------------------------------------------------ input checks


@pytest.mark.parametrize(
    ("name", "y_true", "y_pred", "error", "message"),
    [
        ("gaussian_nll", [[1.0, 2.0]], [[1.0, 2.0, 3.0, 4.0, 5.0]], ShapeError,
         r"\[rows, 2K\].*\[rows, K \+ 1\].*got y_true \(1, 2\) and y_pred \(1, 5\)"),
        ("gaussian_nll", [[1.0], [2.0]], [[1.0, 0.5], [2.0, -0.25]], InputDataError,
         r"variances must be >= 0; found -0\.25 at row 1 \(1 negative variance"),
        ("margin_ranking", [1, -1], [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]], ShapeError,
         r"one label \(1 or -1\) per row.*\[rows, 2 \* dims\]"),
        ("cosine_embedding", [[1, -1]], [[1.0, 2.0]], ShapeError, r"one label .* per row"),
        ("triplet_margin", [[0.0, 1.0]], [[1.0, 2.0, 3.0]], ShapeError,
         r"y_true is the anchor.*got y_true \(1, 2\) and y_pred \(1, 3\)"),
        ("nll", [0, 3], [[-1.0, -2.0, -3.0]] * 2, LabelError, r"label 3 at row 1 is out of range"),
        ("nll", [0, -1], [[-1.0, -2.0]] * 2, LabelError, r"label -1 at row 1 is out of range"),
        ("nll", [0.5, 1], [[-1.0, -2.0]] * 2, LabelError, r"integer class ids; found 0\.5"),
        ("multi_margin", [0, 2], [[1.0, 2.0]] * 2, LabelError, r"label 2 at row 1"),
        ("nll", ["a", "b"], [[-1.0, -2.0]] * 2, LabelError, r"must hold integer class ids"),
    ],
)  # fmt: skip
def test_bad_inputs_name_the_problem(name, y_true, y_pred, error, message) -> None:
    with pytest.raises(error, match=message):
        losscli.compute(name, y_true, y_pred)


@pytest.mark.parametrize(("name", "classes"), [("multi_margin", 2), ("multilabel_soft_margin", 2)])
def test_per_class_weights_need_one_per_class(name: str, classes: int) -> None:
    y_true = [0, 1] if name == "multi_margin" else [[0, 1], [1, 0]]
    with pytest.raises(ParameterError, match=r"weight has 3 values but y_pred has 2 classes"):
        losscli.compute(name, y_true, [[0.5, 1.0], [1.0, 0.5]], weight=(1.0, 2.0, 3.0))


def test_single_columns_are_one_output() -> None:
    """A y_true column and [mean, variance] columns; labels may be [n] or [n, 1]."""
    gaussian = losscli.compute(
        "gaussian_nll", [1.0, 4.0], [[1.5, 0.5], [3.0, 2.0]], dtype="float64"
    )
    assert gaussian.value == pytest.approx(0.25, rel=1e-12)  # P19's first column
    pair = losscli.compute(
        "margin_ranking", [[1], [-1]], [[0.0, 1.0], [0.0, 1.0]], reduction="none"
    )
    np.testing.assert_array_equal(pair.value, [1.0, 0.0])


# ------------------------------------------------------------------------ torch conventions


def test_nll_class_weights_are_torchs_weight_and_its_mean() -> None:
    """torch's weighted mean divides by the weights of the rows not ignored (P4)."""
    result = losscli.compute("nll", [0, 2, 1], LOG_PROBABILITIES, class_weight=W123, ignore_index=2)
    assert result.reduction == "mean_with_sample_weight"
    assert result.value == pytest.approx(0.8714182, rel=1e-6)
    assert result.weight_sum == 1.0 + 2.0  # row 1 (class 2 = ignored) leaves the weight sum
    # Without weights the Keras default divides by the rows not ignored, as torch does (P3).
    plain = losscli.compute(
        "nll", [0, 2, 1], LOG_PROBABILITIES, reduction="sum_over_batch_size", ignore_index=2
    )
    assert plain.value == pytest.approx(0.75782114, rel=1e-6)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight"])
def test_nll_all_rows_ignored_reduce_to_zero(reduction: str) -> None:
    value = losscli.compute("nll", [-100, -100], [[-1.0, -2.0]] * 2, reduction=reduction).value
    assert value == 0.0


def test_nll_of_a_zero_probability_is_inf() -> None:
    """A log-probability of -inf gives inf, as in torch (no clipping)."""
    log_p = [[-np.inf, 0.0, 0.0]] * 2
    values = losscli.compute("nll", [0, 1], log_p, reduction="none", nan="propagate").value
    np.testing.assert_array_equal(values, [np.inf, 0.0])


def test_multi_margin_weight_equals_class_weights() -> None:
    weight = (1.0, 2.0, 3.0, 4.0)
    for reduction in ("none", "sum_over_batch_size", "sum"):
        by_param = losscli.compute(
            "multi_margin", MM_TRUE, MM_PRED, reduction=reduction, weight=weight
        )
        by_class = losscli.compute(
            "multi_margin",
            MM_TRUE,
            MM_PRED,
            reduction=reduction,
            class_weight=dict(enumerate(weight)),
        )
        np.testing.assert_allclose(by_param.value, by_class.value, rtol=1e-6)


def test_soft_margin_does_not_overflow_where_torch_float32_does() -> None:
    """torch float32 gives inf for -y x = 100 and 1000 (log1p(exp(.))); the value is -y x."""
    for dtype in ("float32", "float64"):
        values = losscli.compute(
            "soft_margin", [[1.0], [-1.0]], [[-100.0], [1000.0]], reduction="none", dtype=dtype
        ).value
        np.testing.assert_allclose(values, [100.0, 1000.0], rtol=1e-7)


def test_relations_with_keras_losses() -> None:
    """smooth_l1(beta) = huber(delta=beta) / beta; multilabel soft margin = BCE from logits."""
    rng = np.random.default_rng(7)
    y, p = rng.normal(0, 2, (6, 3)), rng.normal(0, 2, (6, 3))
    for beta in (0.5, 1.0, 3.0):
        smooth = losscli.compute("smooth_l1", y, p, reduction="none", dtype="float64", beta=beta)
        huber = losscli.compute("huber", y, p, reduction="none", dtype="float64", delta=beta)
        np.testing.assert_allclose(smooth.value, huber.value / beta, rtol=1e-12)
    labels = rng.integers(0, 2, (6, 3)).astype(float)
    soft = losscli.compute("multilabel_soft_margin", labels, p, reduction="none", dtype="float64")
    bce = losscli.compute("bce", labels, p, reduction="none", dtype="float64", from_logits=True)
    np.testing.assert_allclose(soft.value, bce.value, rtol=1e-12)


def test_target_kinds() -> None:
    assert get_spec("margin_ranking").target is Target.PAIR
    assert get_spec("cosine_embedding").target is Target.PAIR
    assert get_spec("triplet_margin").target is Target.TRIPLET
    assert get_spec("nll").target is Target.SPARSE_LABEL


# ------------------------------------------------------------------------------ command line


def test_command_line_nll_with_class_weights(tmp_path: Path) -> None:
    path = tmp_path / "logp.csv"
    labels = [0, 2, 1]
    rows = [
        f"{y},{','.join(map(str, lp))}" for y, lp in zip(labels, LOG_PROBABILITIES, strict=True)
    ]
    path.write_text("label,lp0,lp1,lp2\n" + "\n".join(rows) + "\n")
    result = invoke(
        "compute", "--format", "json", "-l", "NLLLoss", "--y-true", "label", "--y-pred", "lp*",
        "--class-weight", "0=1,1=2,2=3", str(path),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)["results"][0]
    assert summary["reduction"] == "mean_with_sample_weight"
    assert summary["value"] == pytest.approx(2.2622983, rel=1e-6)  # P2


def test_command_line_negative_variance_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "gauss.csv"
    path.write_text("y,mu,var\n1.0,1.5,0.5\n2.0,2.5,-1.0\n")
    result = invoke(
        "compute", "-l", "gaussian_nll", "--y-true", "y", "--y-pred", "mu,var", str(path)
    )
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "variances must be >= 0; found -1 at row 1" in result.stderr
