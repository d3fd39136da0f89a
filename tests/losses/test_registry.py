"""The registry: names, aliases, Keras configs, parameter validation, suggestions."""

from __future__ import annotations

import json

import pytest

import losscli
from losscli.errors import ParameterError, UnknownLossError
from losscli.losses import Scope, Target, get_loss, get_spec, list_losses

KERAS_LOSSES = {
    "binary_crossentropy": ("BinaryCrossentropy", "bce", "BCE"),
    "binary_focal_crossentropy": ("BinaryFocalCrossentropy",),
    "categorical_crossentropy": ("CategoricalCrossentropy",),
    "categorical_focal_crossentropy": ("CategoricalFocalCrossentropy",),
    "sparse_categorical_crossentropy": ("SparseCategoricalCrossentropy",),
    "categorical_generalized_cross_entropy": ("CategoricalGeneralizedCrossEntropy",),
    "poisson": ("Poisson",),
    "kl_divergence": ("KLDivergence", "kld", "KLD"),
    "mean_squared_error": ("MeanSquaredError", "mse", "MSE"),
    "mean_absolute_error": ("MeanAbsoluteError", "mae", "MAE"),
    "mean_absolute_percentage_error": ("MeanAbsolutePercentageError", "mape", "MAPE"),
    "mean_squared_logarithmic_error": ("MeanSquaredLogarithmicError", "msle", "MSLE"),
    "cosine_similarity": ("CosineSimilarity",),
    "huber": ("Huber",),
    "log_cosh": ("LogCosh",),
    "hinge": ("Hinge",),
    "squared_hinge": ("SquaredHinge",),
    "categorical_hinge": ("CategoricalHinge",),
    "dice": ("Dice",),
    "tversky": ("Tversky",),
    "circle": ("Circle",),
    "ctc": ("CTC",),
}

# Keras 3 constructor defaults (LOSS_SEMANTICS.md section 2.0).
KERAS_DEFAULTS = {
    "binary_crossentropy": {"from_logits": False, "label_smoothing": 0.0, "axis": -1},
    "binary_focal_crossentropy": {
        "apply_class_balancing": False,
        "alpha": 0.25,
        "gamma": 2.0,
        "from_logits": False,
        "label_smoothing": 0.0,
        "axis": -1,
    },
    "categorical_crossentropy": {"from_logits": False, "label_smoothing": 0.0, "axis": -1},
    "categorical_focal_crossentropy": {
        "alpha": 0.25,
        "gamma": 2.0,
        "from_logits": False,
        "label_smoothing": 0.0,
        "axis": -1,
    },
    "sparse_categorical_crossentropy": {"from_logits": False, "ignore_class": None, "axis": -1},
    "categorical_generalized_cross_entropy": {"q": 0.5},
    "cosine_similarity": {"axis": -1},
    "huber": {"delta": 1.0},
    "dice": {"axis": None},
    "tversky": {"alpha": 0.5, "beta": 0.5, "axis": None},
    "circle": {"gamma": 80.0, "margin": 0.4, "remove_diagonal": True},
}


def test_every_keras_loss_is_registered_with_its_identifiers() -> None:
    names = {spec.name for spec in list_losses(origin="keras")}
    assert names == set(KERAS_LOSSES)
    for name, aliases in KERAS_LOSSES.items():
        for identifier in (name, *aliases):
            assert get_spec(identifier).name == name, identifier


@pytest.mark.parametrize("name", sorted(KERAS_LOSSES))
def test_defaults_are_keras_defaults(name: str) -> None:
    assert get_spec(name).defaults == KERAS_DEFAULTS.get(name, {})


@pytest.mark.parametrize(
    "identifier", ["mse", "MSE", "Mse", "mean-squared-error", "MeanSquaredError", " mse "]
)
def test_lookup_ignores_case_dashes_and_underscores(identifier: str) -> None:
    assert get_spec(identifier.strip()).name == "mean_squared_error"


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(UnknownLossError, match="did you mean huber"):
        get_loss("hubber")
    with pytest.raises(UnknownLossError, match="binary_crossentropy"):
        get_loss("binary_crossentropi")
    with pytest.raises(UnknownLossError, match="losscli list"):
        get_loss("zzzzzz")


def test_keras_config_dict_and_json_text() -> None:
    config = {"class_name": "Huber", "config": {"delta": 2.0, "name": "huber_loss"}}
    for identifier in (config, json.dumps(config)):
        loss = get_loss(identifier)
        assert loss.name == "huber"
        assert loss.params["delta"] == 2.0


def test_keras_config_carries_reduction_and_dtype() -> None:
    config = {
        "class_name": "MeanSquaredError",
        "config": {
            "reduction": "sum",
            "dtype": {"class_name": "DTypePolicy", "config": {"name": "float64"}},
        },
    }
    result = losscli.compute(config, [[1.0], [2.0]], [[1.5], [2.5]])
    assert result.reduction == "sum"
    assert result.dtype == "float64"
    assert result.value == pytest.approx(0.5, rel=1e-15)


def test_keras_config_round_trip() -> None:
    loss = get_loss("tversky", alpha=0.7, beta=0.3)
    assert get_loss(loss.keras_config()) == loss


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("huber", {"delta": 0.0}, r"delta=0\.0 is out of range; it must be in \(0\.0, inf\)"),
        ("huber", {"delta": -1}, r"delta=-1 is out of range"),
        ("huber", {"delta": "big"}, r"delta must be a float, not 'big'"),
        ("huber", {"dleta": 1.0}, r"unknown parameter 'dleta' \(parameters: delta\)"),
        ("bce", {"label_smoothing": 1.5}, r"label_smoothing=1\.5 is out of range.*\[0\.0, 1\.0\]"),
        ("bce", {"from_logits": 1}, r"from_logits must be a bool"),
        ("CategoricalGeneralizedCrossEntropy", {"q": 1.0}, r"must be in \(0\.0, 1\.0\)"),
        ("categorical_generalized_cross_entropy", {"q": 0.0}, r"q=0\.0 is out of range"),
        ("binary_focal_crossentropy", {"gamma": -1.0}, r"gamma=-1\.0 is out of range"),
        ("mse", {"delta": 1.0}, r"unknown parameter 'delta' \(parameters: none\)"),
        ("huber", {"delta": float("nan")}, r"out of range"),
    ],
)
def test_bad_parameters_name_the_parameter_range_and_value(
    name: str, params: dict[str, object], message: str
) -> None:
    with pytest.raises(ParameterError, match=message):
        get_loss(name, **params)


def test_parameter_errors_are_usage_errors_and_value_errors() -> None:
    with pytest.raises(ValueError, match="delta"):
        get_loss("huber", delta=-1.0)
    with pytest.raises(losscli.UsageError):
        get_loss("huber", delta=-1.0)


@pytest.mark.parametrize(
    ("name", "param", "text", "expected"),
    [
        ("huber", "delta", "2.5", 2.5),
        ("bce", "from_logits", "true", True),
        ("bce", "from_logits", "False", False),
        ("sparse_categorical_crossentropy", "ignore_class", "none", None),
        ("sparse_categorical_crossentropy", "ignore_class", "-1", -1),
        ("categorical_focal_crossentropy", "alpha", "[0.25, 0.75]", (0.25, 0.75)),
        ("dice", "axis", "(1, 2)", (1, 2)),
    ],
)
def test_command_line_values_parse(name: str, param: str, text: str, expected: object) -> None:
    spec = get_spec(name)
    assert spec.param(param).parse(text, spec.name) == expected


def test_scope_and_target_metadata() -> None:
    assert get_spec("circle").scope is Scope.BATCH
    assert get_spec("dice").scope is Scope.DATASET
    assert get_loss("dice", axis=-1).scope is Scope.ROW
    assert get_spec("ctc").target is Target.SEQUENCE
    assert get_spec("sparse_categorical_crossentropy").target is Target.SPARSE_LABEL
    assert get_spec("circle").target is Target.EMBEDDING_LABEL


def test_loss_str_shows_only_changed_parameters() -> None:
    assert str(get_loss("huber")) == "huber"
    assert str(get_loss("huber", delta=2.0)) == "huber(delta=2.0)"


def test_choice_parameters() -> None:
    from losscli.losses.spec import Param, ParamKind

    param = Param("mode", ParamKind.CHOICE, "giou", "box loss", choices=("giou", "iou"))
    assert param.validate("IoU", "boxes") == "iou"
    assert param.parse("giou", "boxes") == "giou"
    assert param.range_text == "{giou, iou}"
    with pytest.raises(ParameterError, match="must be one of giou, iou, not 'x'"):
        param.validate("x", "boxes")
    with pytest.raises(ParameterError, match="must be one of"):
        param.validate(1.0, "boxes")


def test_a_config_variant_selects_the_loss_and_round_trips() -> None:
    """TFA's GIoULoss(mode='iou') is the iou loss; Keras 2's reduction 'auto' is the default."""
    config = {"class_name": "GIoULoss", "config": {"mode": "iou", "reduction": "auto"}}
    loss = get_loss(config)
    assert loss.name == "iou"
    assert loss.reduction == "sum_over_batch_size"
    assert get_loss({"class_name": "GIoULoss", "config": {}}).name == "giou"
    assert get_loss(get_loss("iou").keras_config()).name == "iou"
