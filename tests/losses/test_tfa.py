"""The TensorFlow Addons losses (``losscli.losses.tfa``) against TFA and an independent reference.

Three independent checks of the numbers:

* LOSS_SEMANTICS.md section 7.1b and 7.3 (T1-T44): TFA 0.23.0's values, float32, rtol 1e-6;
* ``tests/fixtures/tfa_vectors.json``: TFA 0.23.0 itself on seeded random and edge inputs
  (``tests/fixtures/make_tfa_vectors.py`` made it), float32 to 1e-6 and float64 to 1e-9;
* a slow reference written below with plain Python loops and :mod:`math` from
  LOSS_SEMANTICS.md section 4 (no NumPy in the formulas, no code shared with losscli), on
  random float64 inputs at rtol 1e-9, per row and after every reduction, with weights.

The specs are bound directly (``Loss(spec, params)``), so these tests do not depend on the
module being registered.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import losscli
from losscli.errors import (
    InputDataError,
    LabelError,
    NonFiniteError,
    ParameterError,
    ShapeError,
    UnknownLossError,
)
from losscli.losses import Loss, LossSpec, Scope, Target, get_spec, normalize_identifier, tfa
from tests.cli.conftest import invoke
from tests.samplers.tfa import SAMPLERS

SPECS: dict[str, LossSpec] = {spec.name: spec for spec in tfa.LOSSES}
BATCH_SCALAR = ("triplet_semihard", "triplet_hard", "lifted_struct", "npairs", "weighted_kappa")
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "tfa_vectors.json"


def bound(name: str, **params: Any) -> Loss:
    """The TFA loss ``name`` with validated parameters."""
    spec = SPECS[name]
    return Loss(spec, spec.validate_params(params))


def compute(name: str, y_true: Any, y_pred: Any, **kwargs: Any) -> losscli.LossResult:
    """``losscli.compute`` of a TFA loss; keyword arguments that are not compute's are params."""
    options = ("reduction", "sample_weight", "class_weight", "dtype", "nan")
    params = {key: value for key, value in kwargs.items() if key not in options}
    api = {key: value for key, value in kwargs.items() if key in options}
    return losscli.compute(bound(name, **params), y_true, y_pred, **api)


# ----------------------------------------------------------------------------- declarations

TFA_IDENTIFIERS = {
    "sigmoid_focal_crossentropy": ("SigmoidFocalCrossEntropy",),
    "giou": ("GIoULoss", "giou_loss"),
    "iou": ("iou_loss",),
    "contrastive": ("ContrastiveLoss", "contrastive_loss"),
    "pinball": ("PinballLoss", "pinball_loss"),
    "triplet_semihard": ("TripletSemiHardLoss", "triplet_semihard_loss"),
    "triplet_hard": ("TripletHardLoss", "triplet_hard_loss"),
    "lifted_struct": ("LiftedStructLoss", "lifted_struct_loss"),
    "npairs": ("NpairsLoss", "npairs_loss"),
    "weighted_kappa": ("WeightedKappaLoss", "weighted_kappa_loss"),
}

# TFA 0.23.0 constructor defaults (LOSS_SEMANTICS.md section 4); num_classes has none in TFA
# (it is required there) and is implied by the columns here.
TFA_DEFAULTS: dict[str, dict[str, Any]] = {
    "sigmoid_focal_crossentropy": {"alpha": 0.25, "gamma": 2.0, "from_logits": False},
    "giou": {},
    "iou": {},
    "contrastive": {"margin": 1.0},
    "pinball": {"tau": 0.5},
    "triplet_semihard": {"margin": 1.0, "distance_metric": "L2"},
    "triplet_hard": {"margin": 1.0, "soft": False, "distance_metric": "L2"},
    "lifted_struct": {"margin": 1.0},
    "npairs": {},
    "weighted_kappa": {"num_classes": None, "weightage": "quadratic", "epsilon": 1e-6},
}

# Classes whose TFA default reduction is NONE; losscli defaults to sum_over_batch_size.
TFA_NONE_DEFAULT = ("sigmoid_focal_crossentropy", *BATCH_SCALAR)


def test_every_tfa_loss_is_declared_with_its_identifiers() -> None:
    assert set(SPECS) == set(TFA_IDENTIFIERS)
    for name, aliases in TFA_IDENTIFIERS.items():
        spec = SPECS[name]
        assert spec.origin == "tfa"
        assert set(aliases) <= set(spec.aliases), name
        assert spec.reference_class is not None
        assert spec.family in ("probabilistic", "overlap", "embedding", "regression"), name


@pytest.mark.parametrize("name", sorted(TFA_DEFAULTS))
def test_defaults_are_tfa_defaults(name: str) -> None:
    assert SPECS[name].defaults == TFA_DEFAULTS[name]


def test_default_reduction_is_sum_over_batch_size_with_a_note_where_tfa_differs() -> None:
    for name, spec in SPECS.items():
        assert spec.default_reduction == "sum_over_batch_size", name
        notes = " ".join(spec.notes)
        if name in TFA_NONE_DEFAULT:
            assert "reduction='none'" in notes, name


def test_scopes_and_targets() -> None:
    for name in BATCH_SCALAR:
        assert SPECS[name].scope is Scope.BATCH
    for name in ("sigmoid_focal_crossentropy", "giou", "iou", "contrastive", "pinball"):
        assert SPECS[name].scope is Scope.ROW
    assert SPECS["giou"].target is SPECS["iou"].target is Target.BOXES


def test_identifiers_do_not_collide_with_registered_losses() -> None:
    """Each TFA identifier is either unknown to the registry or already names this loss."""
    keys: dict[str, str] = {}
    for spec in tfa.LOSSES:
        for identifier in (spec.name, *spec.aliases):
            key = normalize_identifier(identifier)
            assert keys.setdefault(key, spec.name) == spec.name, identifier
            with contextlib.suppress(UnknownLossError):
                assert get_spec(identifier).name == spec.name, identifier


def test_module_level_specs_load_by_reference() -> None:
    """``--loss losscli.losses.tfa:GIOU`` works before the module is registered."""
    assert get_spec("losscli.losses.tfa:GIOU") is tfa.GIOU


# ------------------------------------------------------------------ LOSS_SEMANTICS.md vectors

TUTORIAL_TRUE = [[0.97], [0.91], [0.03]]
TUTORIAL_PRED = [[1.0], [1.0], [0.0]]


def test_tutorial_focal_values_hold_in_float32_left_to_right() -> None:
    """Section 7.1b: the published [0.00010971, 0.00329749, 0.00030611]."""
    result = compute("sigmoid_focal_crossentropy", TUTORIAL_TRUE, TUTORIAL_PRED, reduction="none")
    np.testing.assert_allclose(result.value, [0.00010971, 0.00329749, 0.00030611], atol=5e-9)
    tfa_eager = [0.000109709006, 0.00329748658, 0.000306107511]
    np.testing.assert_allclose(result.value, tfa_eager, rtol=1e-6)
    in_float64 = compute(
        "sigmoid_focal_crossentropy",
        TUTORIAL_TRUE,
        TUTORIAL_PRED,
        reduction="none",
        dtype="float64",
    )
    np.testing.assert_allclose(in_float64.value, [0.00011037, 0.00331721, 0.00030611], atol=5e-9)


def test_t3_graph_optimised_values_are_not_reproduced() -> None:
    """T3 is TFA inside a tf.function on float32 arrays: TensorFlow re-associates 1 - o + eps
    and the values move; losscli keeps the written order whatever the input type."""
    arrays = (np.array(TUTORIAL_TRUE, np.float32), np.array(TUTORIAL_PRED, np.float32))
    value = compute("sigmoid_focal_crossentropy", *arrays, reduction="none").value
    np.testing.assert_allclose(value, [0.00010971, 0.00329749, 0.00030611], atol=5e-9)
    assert not np.allclose(value, [0.00010910798, 0.003279422, 0.0003061075], rtol=1e-3)


LAB4 = [0, 0, 1, 1, 2]
EMB = [[0.6, 0.8], [0.8, 0.6], [1.0, 0.0], [0.0, 1.0], [-0.6, -0.8]]
YTM = [[0, 1, 0], [1, 0, 1]]
YPM = [[0.2, 0.7, 0.1], [0.6, 0.3, 0.9]]
BOXES1 = [[4, 3, 7, 5], [5, 6, 10, 7]]
BOXES2 = [[3, 4, 6, 8], [14, 14, 15, 15]]
S3 = [[2.3, 1.5, 1.7], [5.1, 3.3, 3.5], [7.9, 5.1, 5.3]]
KAPPA_TRUE = [[0, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]
KAPPA_PRED = [
    [0.1, 0.2, 0.6, 0.1],
    [0.1, 0.5, 0.3, 0.1],
    [0.8, 0.05, 0.05, 0.1],
    [0.01, 0.09, 0.1, 0.8],
]
FOCAL = "sigmoid_focal_crossentropy"
DOC_TRUE, DOC_PRED = [[1.0], [1.0], [0.0]], [[0.97], [0.91], [0.03]]

# (id, loss, params, y_true, y_pred, reduction, sample_weight, expected). T3 (graph-optimised
# TFA), T9 (Keras 2 BCE), T15 (a 1-D input as one sample), T40 (NpairsMultilabel) and T45-T46
# (Sparsemax) are not losscli losses in this form. "sum_over_batch_size" is TFA's AUTO.
T_VECTORS: list[tuple[str, str, dict[str, Any], Any, Any, str, Any, Any]] = [
    ("T1", FOCAL, {}, DOC_TRUE, DOC_PRED, "none", None,
     [6.8532745e-06, 0.0001909787, 2.0559824e-05]),
    ("T2", FOCAL, {}, DOC_TRUE, DOC_PRED, "sum_over_batch_size", None, 7.279726e-05),
    ("T4", FOCAL, {}, YTM, YPM, "none", None, [0.015509687, 0.044771962]),
    ("T5", FOCAL, {}, YTM, YPM, "none", [2.0, 0.5], [0.031019375, 0.022385981]),
    ("T6", FOCAL, {"from_logits": True}, YTM, [[-2.0, 1.5, 0.3], [4.0, -1.0, 20.0]], "none",
     None, [0.21447122, 0.016995009]),
    ("T7", FOCAL, {"alpha": 0.5, "gamma": 1.0}, YTM, YPM, "none", None,
     [0.08108358, 0.16093431]),
    ("T8", FOCAL, {"alpha": 0.0, "gamma": 0.0}, YTM, YPM, "none", None,
     [0.6851786, 0.9728606]),
    ("T10", "giou", {}, BOXES1, BOXES2, "sum_over_batch_size", None, 1.5041667),
    ("T11", "giou", {}, BOXES1, BOXES2, "none", None, [1.075, 1.9333334]),
    ("T12", "iou", {}, BOXES1, BOXES2, "none", None, [0.875, 1.0]),
    ("T13", "iou", {}, BOXES1, BOXES2, "sum_over_batch_size", None, 0.9375),
    ("T14", "giou", {}, BOXES1, BOXES2, "sum_over_batch_size", [1.0, 3.0], 3.4375),
    ("T16", "pinball", {"tau": 0.1}, [[0.0, 0.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 0.0]],
     "none", None, [0.9, 0.05]),
    ("T17", "pinball", {"tau": 0.1}, [[0.0, 0.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 0.0]],
     "sum_over_batch_size", None, 0.475),
    ("T18", "pinball", {"tau": 0.9}, [[0.0, 2.0], [1.0, 1.0]], [[1.0, 1.0], [1.5, 0.0]],
     "none", None, [0.5, 0.475]),
    ("T19", "contrastive", {}, [1, 0, 0], [8.06, 2.0, 4.473], "none", None,
     [64.96361, 0.0, 0.0]),
    ("T20", "contrastive", {}, [1, 0, 0], [8.06, 2.0, 4.473], "sum_over_batch_size", None,
     21.654535),
    ("T21", "contrastive", {}, [1, 0, 0, 1], [0.3, 0.5, 1.4, 0.2], "none", None,
     [0.09, 0.25, 0.0, 0.040000003]),
    ("T22", "contrastive", {}, [1, 0, 0, 1], [0.3, 0.5, 1.4, 0.2], "sum_over_batch_size", None,
     0.095),
    ("T23", "contrastive", {"margin": 2.0}, [1, 0, 0, 1], [0.3, 0.5, 1.4, 0.2],
     "sum_over_batch_size", None, 0.68499994),
    ("T24", "triplet_semihard", {}, [0, 0], [[0.0, 1.0], [1.0, 0.0]], "sum_over_batch_size",
     None, 2.4142137),
    ("T25", "triplet_hard", {}, [0, 0], [[0.0, 1.0], [1.0, 0.0]], "sum_over_batch_size", None,
     1.0),
    ("T26", "triplet_semihard", {}, LAB4, EMB, "sum_over_batch_size", None, 0.6107451),
    ("T27", "triplet_semihard", {"margin": 0.5}, LAB4, EMB, "sum_over_batch_size", None,
     0.11074507),
    ("T28", "triplet_hard", {}, LAB4, EMB, "sum_over_batch_size", None, 0.97285795),
    ("T29", "triplet_hard", {"soft": True}, LAB4, EMB, "sum_over_batch_size", None, 0.70775),
    ("T30", "triplet_semihard", {"distance_metric": "squared-L2"}, LAB4, EMB,
     "sum_over_batch_size", None, 0.3399999),
    ("T31", "triplet_semihard", {"margin": 0.5, "distance_metric": "squared-L2"}, LAB4, EMB,
     "sum_over_batch_size", None, 0.089999914),
    ("T32", "triplet_hard", {"distance_metric": "squared-L2"}, LAB4, EMB,
     "sum_over_batch_size", None, 1.3119999),
    ("T33", "triplet_hard", {"soft": True, "distance_metric": "squared-L2"}, LAB4, EMB,
     "sum_over_batch_size", None, 0.93990815),
    ("T34", "triplet_semihard", {"distance_metric": "angular"}, LAB4, EMB,
     "sum_over_batch_size", None, 0.56999993),
    ("T35", "triplet_semihard", {"margin": 0.5, "distance_metric": "angular"}, LAB4, EMB,
     "sum_over_batch_size", None, 0.16999996),
    ("T36", "triplet_hard", {"distance_metric": "angular"}, LAB4, EMB, "sum_over_batch_size",
     None, 1.056),
    ("T37", "triplet_hard", {"soft": True, "distance_metric": "angular"}, LAB4, EMB,
     "sum_over_batch_size", None, 0.7517579),
    ("T38", "npairs", {}, [0, 1, 2], S3, "sum_over_batch_size", None, 1.843895),
    ("T39", "npairs", {}, [0, 0, 2], S3, "sum_over_batch_size", None, 1.6772283),
    ("T41", "lifted_struct", {}, LAB4, EMB, "sum_over_batch_size", None, 3.6130023),
    ("T42", "lifted_struct", {"margin": 0.5}, LAB4, EMB, "sum_over_batch_size", None,
     2.4251292),
    ("T43", "weighted_kappa", {"num_classes": 4}, KAPPA_TRUE, KAPPA_PRED,
     "sum_over_batch_size", None, -1.1611925),
    ("T44", "weighted_kappa", {"num_classes": 4, "weightage": "linear"}, KAPPA_TRUE,
     KAPPA_PRED, "sum_over_batch_size", None, -0.9997988),
]  # fmt: skip


@pytest.mark.parametrize(
    ("loss", "params", "y_true", "y_pred", "reduction", "weights", "expected"),
    [pytest.param(*case[1:], id=f"{case[0]}-{case[1]}") for case in T_VECTORS],
)
def test_matches_tfa_reference_vectors(
    loss: str,
    params: dict[str, Any],
    y_true: Any,
    y_pred: Any,
    reduction: str,
    weights: Any,
    expected: Any,
) -> None:
    result = compute(loss, y_true, y_pred, reduction=reduction, sample_weight=weights, **params)
    np.testing.assert_allclose(np.ravel(result.value), np.ravel(expected), rtol=1e-6)
    assert result.dtype == "float32"


def test_default_reduction_gives_tfa_auto_value() -> None:
    assert compute("giou", BOXES1, BOXES2).value == pytest.approx(1.5041667, rel=1e-6)
    assert compute("triplet_hard", LAB4, EMB).value == pytest.approx(0.97285795, rel=1e-6)


# ------------------------------------------------------------------------- parameter checks


def test_distance_metric_is_a_choice_matched_ignoring_case() -> None:
    assert (
        bound("triplet_semihard", distance_metric="squared-l2").params["distance_metric"]
        == "squared-L2"
    )
    assert bound("triplet_hard", distance_metric="ANGULAR").params["distance_metric"] == "angular"
    with pytest.raises(ParameterError, match="must be one of L2, squared-L2, angular, not 'L1'"):
        bound("triplet_semihard", distance_metric="L1")
    with pytest.raises(ParameterError, match="must be one of"):
        bound("triplet_hard", distance_metric=2)
    spec = SPECS["triplet_semihard"]
    assert spec.param("distance_metric").parse("Squared-L2", spec.name) == "squared-L2"


def test_weightage_is_linear_or_quadratic() -> None:
    assert bound("weighted_kappa", weightage="Linear").params["weightage"] == "linear"
    with pytest.raises(ParameterError, match="must be one of linear, quadratic"):
        bound("weighted_kappa", weightage="cubic")


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("pinball", {"tau": 1.5}, r"tau=1\.5 is out of range; it must be in \[0\.0, 1\.0\]"),
        ("pinball", {"tau": [0.1, -0.2]}, r"out of range"),
        (FOCAL, {"gamma": -1.0}, r"gamma=-1\.0 is out of range"),
        (FOCAL, {"alpha": 1.5}, r"alpha=1\.5 is out of range"),
        ("contrastive", {"margin": -1.0}, r"margin=-1\.0 is out of range"),
        ("triplet_hard", {"soft": "yes"}, r"soft must be a bool"),
        ("weighted_kappa", {"num_classes": 1}, r"num_classes=1 is out of range"),
        ("weighted_kappa", {"num_classes": 2.5}, r"num_classes must be a int or none"),
        ("weighted_kappa", {"epsilon": -1e-6}, r"epsilon=-1e-06 is out of range"),
        ("giou", {"mode": "iou"}, r"unknown parameter 'mode' \(parameters: none\)"),
    ],
)
def test_bad_parameters_are_rejected(name: str, params: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        bound(name, **params)


def test_num_classes_must_match_the_columns_when_given() -> None:
    assert compute("weighted_kappa", KAPPA_TRUE, KAPPA_PRED, num_classes=4).value == (
        compute("weighted_kappa", KAPPA_TRUE, KAPPA_PRED).value
    )
    with pytest.raises(ParameterError, match="num_classes=5 but y_pred has 4 class columns"):
        compute("weighted_kappa", KAPPA_TRUE, KAPPA_PRED, num_classes=5)


def test_kappa_epsilon_zero_falls_back_to_1e_7() -> None:
    zero = compute("weighted_kappa", KAPPA_TRUE, KAPPA_PRED, epsilon=0.0, dtype="float64")
    keras = compute("weighted_kappa", KAPPA_TRUE, KAPPA_PRED, epsilon=1e-7, dtype="float64")
    assert zero.value == keras.value
    perfect = compute("weighted_kappa", np.eye(3), np.eye(3), epsilon=0.0, dtype="float64")
    assert perfect.value == pytest.approx(math.log(1e-7), rel=1e-12)


def test_focal_alpha_and_gamma_of_zero_switch_their_factor_off() -> None:
    """alpha=0 is no alpha factor (not zero weight); both off is the row SUM of Keras-2 BCE."""
    off = compute(FOCAL, YTM, YPM, reduction="none", alpha=0.0, gamma=0.0, dtype="float64")
    bce = [
        sum(ref_keras2_bce(y, p) for y, p in zip(ys, ps, strict=True))
        for ys, ps in zip(YTM, YPM, strict=True)
    ]
    np.testing.assert_allclose(off.value, bce, rtol=1e-12)
    assert np.all(off.value > 0)


def test_pinball_tau_per_column() -> None:
    y_true, y_pred = [[0.0, 2.0, 1.0], [1.0, 1.0, -1.0]], [[1.0, 1.0, 1.0], [1.5, 0.0, 0.0]]
    value = compute(
        "pinball", y_true, y_pred, reduction="none", tau=[0.1, 0.5, 0.9], dtype="float64"
    )
    np.testing.assert_allclose(value.value, ref_pinball(y_true, y_pred, tau=[0.1, 0.5, 0.9]))
    with pytest.raises(ParameterError, match="tau has 2 values but y_pred has 3"):
        compute("pinball", y_true, y_pred, tau=[0.1, 0.5])


# ----------------------------------------------------------------------------- input checks


def test_boxes_need_four_matching_columns() -> None:
    with pytest.raises(ShapeError, match=r"boxes \[y_min, x_min, y_max, x_max\]"):
        compute("giou", [[0, 0, 1]], [[0, 0, 1]])
    with pytest.raises(ShapeError, match="4 columns"):
        compute("iou", [[0, 0, 1, 1]], [[0, 0, 1, 1, 2]])
    with pytest.raises(ShapeError, match="4 columns"):
        compute("giou", [0, 0, 1, 1], [0, 0, 1, 1])  # one column: 4 rows of one number


def test_npairs_needs_the_batch_similarity_matrix() -> None:
    with pytest.raises(ShapeError, match=r"\[rows, rows\] similarity matrix.*--batch-size"):
        compute("npairs", [0, 1, 2], [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with pytest.raises(LabelError, match="integer class ids"):
        compute("npairs", [0.5, 1.0], [[1.0, 2.0], [3.0, 4.0]])


def test_kappa_checks_probabilities_and_classes() -> None:
    with pytest.raises(InputDataError, match=r"must be in \[0, 1\]; found -0\.5 at row 1"):
        compute("weighted_kappa", [[1, 0], [0, 1]], [[0.5, 0.5], [-0.5, 1.5]])
    with pytest.raises(ShapeError, match="one column per class"):
        compute("weighted_kappa", [[1], [0]], [[0.5], [0.5]])


def test_focal_rejects_logits_passed_as_probabilities() -> None:
    with pytest.raises(InputDataError, match="from_logits=true"):
        compute(FOCAL, YTM, [[2.0, -1.0, 0.5], [0.1, 0.2, 0.3]])
    assert np.isfinite(
        compute(FOCAL, YTM, [[2.0, -1.0, 0.5], [0.1, 0.2, 0.3]], from_logits=True).value
    )


def test_embedding_losses_need_integer_labels() -> None:
    with pytest.raises(LabelError, match="integer class ids"):
        compute("triplet_hard", [0.5, 1.0, 1.0], EMB[:3])


def test_one_distance_column_gives_one_value_per_row() -> None:
    result = compute("contrastive", [[1], [0]], [[0.5], [0.25]], reduction="none")
    assert result.value.shape == (2,)
    several = compute("contrastive", [[1, 0], [0, 1]], [[0.5, 1.5], [0.25, 0.0]], reduction="none")
    assert several.value.shape == (2, 2)


# --------------------------------------------------------------- batch-scope behaviour


def test_one_value_per_batch_is_carried_by_every_row() -> None:
    scalar = compute("triplet_hard", LAB4, EMB).value
    per_row = compute("triplet_hard", LAB4, EMB, reduction="none").value
    np.testing.assert_array_equal(per_row, np.full(5, np.float32(scalar)))
    weights = [1.0, 0.0, 2.0, 0.5, 0.5]
    weighted = compute("triplet_hard", LAB4, EMB, sample_weight=weights)
    assert weighted.value == pytest.approx(scalar * np.mean(weights), rel=1e-7)
    mws = compute(
        "triplet_hard", LAB4, EMB, sample_weight=weights, reduction="mean_with_sample_weight"
    )
    assert mws.value == pytest.approx(scalar, rel=1e-7)


@pytest.mark.parametrize("name", ["triplet_semihard", "lifted_struct"])
def test_no_positive_pair_is_nan_as_tfa(name: str) -> None:
    labels, embeddings = [0, 1, 2], EMB[:3]
    with pytest.raises(NonFiniteError, match="--nan"):
        compute(name, labels, embeddings)
    value = compute(name, labels, embeddings, nan="propagate").value
    assert math.isnan(value)


def test_lifted_struct_with_a_single_label_is_nan_as_tfa() -> None:
    assert math.isnan(compute("lifted_struct", [1, 1, 1], EMB[:3], nan="propagate").value)


def test_triplet_semihard_without_negatives_uses_the_row_minimum() -> None:
    """T24: one class; the degenerate masked maximum is the row minimum (0), loss 1 + sqrt 2."""
    value = compute("triplet_semihard", [0, 0], [[0.0, 1.0], [1.0, 0.0]], dtype="float64")
    assert value.value == pytest.approx(1 + math.sqrt(2), rel=1e-12)


@pytest.mark.parametrize("name", BATCH_SCALAR)
def test_batch_losses_are_invariant_to_a_permutation_of_the_batch(name: str) -> None:
    rng = np.random.default_rng(7)
    y_true, y_pred = SAMPLERS[name](rng, 9)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    order = rng.permutation(9)
    permuted_pred = y_pred[order][:, order] if name == "npairs" else y_pred[order]
    first = compute(name, y_true, y_pred, dtype="float64").value
    second = compute(name, y_true[order], permuted_pred, dtype="float64").value
    assert second == pytest.approx(first, rel=1e-12)


@pytest.mark.parametrize("name", sorted(SAMPLERS))
@pytest.mark.parametrize("rows", [3, 8])
def test_samplers_give_finite_losses(name: str, rows: int) -> None:
    y_true, y_pred = SAMPLERS[name](np.random.default_rng(rows), rows)
    for reduction in ("none", "sum", "sum_over_batch_size", "mean_with_sample_weight"):
        value = compute(name, y_true, y_pred, reduction=reduction, sample_weight=np.ones(rows))
        assert np.all(np.isfinite(value.value)), (name, reduction)


def test_samplers_cover_every_tfa_loss() -> None:
    assert set(SAMPLERS) == set(SPECS)


# ------------------------------------------------------------------------ command line


def _write(path: Path, columns: dict[str, Any]) -> None:
    pq.write_table(pa.table(columns), path, row_group_size=5)


def _cli_value(path: Path, name: str, *options: str) -> float:
    result = invoke(
        "compute", "--format", "json", "-l", f"losscli.losses.tfa:{name}", *options, str(path)
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["results"][0]["value"]


def test_cli_streams_a_batch_loss_per_batch_size_chunk(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    labels, embeddings = SAMPLERS["triplet_hard"](rng, 23)
    weights = rng.random(23)
    path = tmp_path / "embeddings.parquet"
    _write(path, {"label": labels, **{f"e{k}": embeddings[:, k] for k in range(3)}, "w": weights})
    state = None
    for start in range(0, 23, 4):
        part = slice(start, start + 4)
        chunk = compute(
            "triplet_hard", labels[part], embeddings[part], sample_weight=weights[part]
        ).state
        state = chunk if state is None else state.merge(chunk)
    assert state is not None
    columns = ("--y-true", "label", "--y-pred", "e*", "--sample-weight", "w")
    for reduction in ("sum_over_batch_size", "sum", "mean_with_sample_weight"):
        options = (*columns, "--batch-size", "4", "--reduction", reduction)
        got = _cli_value(path, "TRIPLET_HARD", *options)
        assert got == pytest.approx(state.result(reduction), rel=1e-12)


def test_cli_reads_boxes_from_a_list_column(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    y_true, y_pred = SAMPLERS["giou"](rng, 12)
    path = tmp_path / "boxes.parquet"
    _write(path, {"t": pa.array(y_true.tolist()), "p": pa.array(y_pred.tolist())})
    got = _cli_value(path, "GIOU", "--y-true", "t", "--y-pred", "p", "--batch-size", "5")
    assert got == pytest.approx(compute("giou", y_true, y_pred).value, rel=1e-12)


def test_cli_npairs_takes_one_similarity_column_per_batch_row(tmp_path: Path) -> None:
    """Each --batch-size chunk of rows holds its own [rows, rows] similarity block."""
    rng = np.random.default_rng(5)
    parts = [SAMPLERS["npairs"](rng, 4) for _ in range(3)]
    labels = np.concatenate([part[0] for part in parts])
    similarities = np.concatenate([part[1] for part in parts])
    columns = {"label": labels, **{f"s{k}": similarities[:, k] for k in range(4)}}
    path = tmp_path / "npairs.parquet"
    _write(path, columns)
    expected = [compute("npairs", *part).value for part in parts]
    options = ("--y-true", "label", "--y-pred", "s*", "--batch-size", "4")
    assert _cli_value(path, "NPAIRS", *options) == pytest.approx(np.mean(expected), rel=1e-12)
    # A batch whose rows do not match the similarity columns is an error, never a guess.
    short = tmp_path / "short.parquet"
    _write(short, {key: value[:10] for key, value in columns.items()})
    result = invoke("compute", "-l", "losscli.losses.tfa:NPAIRS", *options, str(short))
    assert result.exit_code == 3
    assert "[rows, rows] similarity matrix" in result.stderr
    assert "got y_true (2,) and y_pred (2, 4)" in result.stderr


# -------------------------------------------------------------------- the TFA fixture


@cache
def fixture() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())


def fixture_cases() -> list[Any]:
    return [pytest.param(case, id=case["id"]) for case in fixture()["cases"]]


def test_fixture_covers_every_tfa_loss() -> None:
    cases = fixture()["cases"]
    assert {case["loss"] for case in cases} == set(SPECS)
    assert {case["dtype"] for case in cases} == {"float32", "float64"}
    assert fixture()["tensorflow_addons"] == "0.23.0"
    # TFA itself fails in float64 only where its metric-learning helpers cast to float32.
    assert {error["loss"] for error in fixture()["tfa_errors"]} <= {
        "triplet_semihard",
        "triplet_hard",
        "lifted_struct",
    }


def _fixture_tolerance(case: dict[str, Any]) -> tuple[float, float]:
    """(rtol, atol). atol is relative to the largest per-row value (terms of mixed size); the
    kappa loss is a log of a ratio near 1, so its absolute error is that of the ratio."""
    rtol = 1e-6 if case["dtype"] == "float32" else 1e-9
    values = np.abs(np.asarray(case["results"]["none"], dtype=np.float64))
    finite = values[np.isfinite(values)]
    scale = float(finite.max()) if finite.size else 0.0
    if case["loss"] == "weighted_kappa":
        scale = max(scale, 2.0)
    return rtol, rtol * scale


@pytest.mark.parametrize("case", fixture_cases())
def test_agrees_with_tfa(case: dict[str, Any]) -> None:
    params = {
        key: tuple(value) if isinstance(value, list) else value
        for key, value in case["params"].items()
    }
    scalar = case["loss"] in BATCH_SCALAR
    rtol, atol = _fixture_tolerance(case)
    for reduction, expected in case["results"].items():
        if scalar and reduction == "sum":
            # Keras 2 returns an unweighted scalar loss unreduced; losscli's rows each carry
            # it, so its sum is rows x value (sum_over_batch_size is the value, checked here).
            continue
        result = compute(
            case["loss"],
            case["y_true"],
            case["y_pred"],
            reduction=reduction,
            sample_weight=case["sample_weight"],
            dtype=case["dtype"],
            nan="propagate",
            **params,
        )
        got = np.asarray(result.value, dtype=np.float64).ravel()
        want = np.asarray(expected, dtype=np.float64).ravel()
        if scalar and reduction == "none":
            want = np.broadcast_to(want, got.shape)
        np.testing.assert_allclose(
            got,
            want,
            rtol=rtol,
            atol=atol,
            equal_nan=True,
            err_msg=f"{case['id']} reduction={reduction}",
        )


# ------------------------------------------------------------------ the slow reference
#
# Plain Python over nested lists, float64, written from LOSS_SEMANTICS.md section 4. Per-row
# losses return one float per row (or a list per row for several contrastive columns); the
# batch losses return one float for the batch.

EPS = 1e-7
Rows = Sequence[Sequence[float]]


def ref_sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def ref_keras2_bce(y: float, p: float) -> float:
    """Keras 2's element-wise BCE: clip to [eps, 1 - eps] and add eps inside both logs."""
    o = min(max(p, EPS), 1.0 - EPS)
    return -(y * math.log(o + EPS) + (1.0 - y) * math.log(1.0 - o + EPS))


def ref_sigmoid_focal_crossentropy(
    y_true: Rows,
    y_pred: Rows,
    *,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
) -> list[float]:
    out = []
    for ys, ps in zip(y_true, y_pred, strict=True):
        total = 0.0
        for y, raw in zip(ys, ps, strict=True):
            if from_logits:
                ce = max(raw, 0.0) - raw * y + math.log1p(math.exp(-abs(raw)))
                q = ref_sigmoid(raw)
            else:
                ce, q = ref_keras2_bce(y, raw), raw
            p_t = y * q + (1.0 - y) * (1.0 - q)
            a = y * alpha + (1.0 - y) * (1.0 - alpha) if alpha else 1.0
            m = (1.0 - p_t) ** gamma if gamma else 1.0
            total += a * m * ce
        out.append(total)
    return out


def _ref_box(truth: Sequence[float], pred: Sequence[float], mode: str) -> float:
    t_ymin, t_xmin, t_ymax, t_xmax = truth
    p_ymin, p_xmin, p_ymax, p_xmax = pred

    def area(ymin: float, xmin: float, ymax: float, xmax: float) -> float:
        return max(0.0, xmax - xmin) * max(0.0, ymax - ymin)

    intersection = area(
        max(t_ymin, p_ymin), max(t_xmin, p_xmin), min(t_ymax, p_ymax), min(t_xmax, p_xmax)
    )
    union = area(*truth) + area(*pred) - intersection
    overlap = intersection / union if union != 0 else 0.0
    if mode == "iou":
        return 1.0 - overlap
    enclosing = area(
        min(t_ymin, p_ymin), min(t_xmin, p_xmin), max(t_ymax, p_ymax), max(t_xmax, p_xmax)
    )
    penalty = (enclosing - union) / enclosing if enclosing != 0 else 0.0
    return 1.0 - (overlap - penalty)


def ref_giou(y_true: Rows, y_pred: Rows) -> list[float]:
    return [_ref_box(t, p, "giou") for t, p in zip(y_true, y_pred, strict=True)]


def ref_iou(y_true: Rows, y_pred: Rows) -> list[float]:
    return [_ref_box(t, p, "iou") for t, p in zip(y_true, y_pred, strict=True)]


def ref_contrastive(y_true: Rows, y_pred: Rows, *, margin: float = 1.0) -> list[Any]:
    out: list[Any] = []
    for ys, ds in zip(y_true, y_pred, strict=True):
        row = [
            y * d * d + (1.0 - y) * max(margin - d, 0.0) ** 2 for y, d in zip(ys, ds, strict=True)
        ]
        out.append(row[0] if len(row) == 1 else row)
    return out


def ref_pinball(y_true: Rows, y_pred: Rows, *, tau: Any = 0.5) -> list[float]:
    out = []
    for ys, ps in zip(y_true, y_pred, strict=True):
        taus = list(tau) if isinstance(tau, (list, tuple)) else [tau] * len(ys)
        terms = [
            max(t * (y - p), (t - 1.0) * (y - p)) for t, y, p in zip(taus, ys, ps, strict=True)
        ]
        out.append(math.fsum(terms) / len(terms))
    return out


def ref_distances(embeddings: Rows, metric: str) -> list[list[float]]:
    """Section 4.3: the Gram-form L2 (clamped, zero diagonal) or 1 - cosine (clamped)."""
    n = len(embeddings)

    def dot(a: Sequence[float], b: Sequence[float]) -> float:
        return math.fsum(x * y for x, y in zip(a, b, strict=True))

    if metric == "angular":
        unit = [[x / math.sqrt(max(dot(e, e), 1e-12)) for x in e] for e in embeddings]
        return [[max(1.0 - dot(unit[i], unit[j]), 0.0) for j in range(n)] for i in range(n)]
    out = [[0.0] * n for _ in range(n)]
    for i, j in itertools.product(range(n), repeat=2):
        if i != j:
            a, b = embeddings[i], embeddings[j]
            squared = max(dot(a, a) + dot(b, b) - 2.0 * dot(a, b), 0.0)
            out[i][j] = squared if metric == "squared-L2" else math.sqrt(squared)
    return out


def ref_triplet_semihard(
    labels: Sequence[int], embeddings: Rows, *, margin: float = 1.0, distance_metric: str = "L2"
) -> float:
    d = ref_distances(embeddings, distance_metric)
    n, total, pairs = len(labels), 0.0, 0
    for i, j in itertools.product(range(n), repeat=2):
        if i == j or labels[i] != labels[j]:
            continue
        pairs += 1
        negatives = [d[i][k] for k in range(n) if labels[k] != labels[i]]
        farther = [value for value in negatives if value > d[i][j]]
        if farther:
            negative = min(farther)
        elif negatives:
            negative = max(negatives)
        else:
            negative = min(d[i])  # TFA's masked maximum of nothing: the row minimum
        total += max(margin + d[i][j] - negative, 0.0)
    return total / pairs if pairs else math.nan


def ref_triplet_hard(
    labels: Sequence[int],
    embeddings: Rows,
    *,
    margin: float = 1.0,
    soft: bool = False,
    distance_metric: str = "L2",
) -> float:
    d = ref_distances(embeddings, distance_metric)
    n, values = len(labels), []
    for i in range(n):
        positives = [d[i][j] for j in range(n) if j != i and labels[j] == labels[i]]
        negatives = [d[i][k] for k in range(n) if labels[k] != labels[i]]
        hardest_positive = max(positives) if positives else min(d[i])
        hardest_negative = min(negatives) if negatives else max(d[i])
        gap = hardest_positive - hardest_negative
        values.append(math.log1p(math.exp(gap)) if soft else max(gap + margin, 0.0))
    return math.fsum(values) / n


def ref_lifted_struct(labels: Sequence[int], embeddings: Rows, *, margin: float = 1.0) -> float:
    """Needs a positive pair and two labels (TFA gives NaN otherwise)."""
    d = ref_distances(embeddings, "L2")
    n = len(labels)
    negatives = [[k for k in range(n) if labels[k] != labels[i]] for i in range(n)]
    best = [max(margin - d[i][k] for k in negatives[i]) for i in range(n)]
    total, pairs = 0.0, 0
    for i, j in itertools.product(range(n), repeat=2):
        if i == j or labels[i] != labels[j]:
            continue
        pairs += 1
        top = max(best[i], best[j])
        spread = math.fsum(math.exp(margin - d[i][k] - top) for k in negatives[i])
        spread += math.fsum(math.exp(margin - d[j][k] - top) for k in negatives[j])
        total += max(top + math.log(spread) + d[i][j], 0.0) ** 2
    return 0.25 * total / (pairs / 2.0)


def ref_npairs(labels: Sequence[int], similarities: Rows) -> float:
    n, values = len(labels), []
    for i in range(n):
        row = similarities[i]
        top = max(row)
        log_sum = top + math.log(math.fsum(math.exp(s - top) for s in row))
        same = [j for j in range(n) if labels[j] == labels[i]]
        values.append(math.fsum(log_sum - row[j] for j in same) / len(same))
    return math.fsum(values) / n


def ref_weighted_kappa(
    y_true: Rows,
    y_pred: Rows,
    *,
    num_classes: int | None = None,
    weightage: str = "quadratic",
    epsilon: float = 1e-6,
) -> float:
    classes = len(y_pred[0])

    def weight(a: float, b: float) -> float:
        return abs(a - b) if weightage == "linear" else (a - b) ** 2

    numerator = 0.0
    for ys, ps in zip(y_true, y_pred, strict=True):
        position = math.fsum(c * y for c, y in enumerate(ys))
        numerator += math.fsum(weight(position, c) * p for c, p in enumerate(ps))
    label_dist = [math.fsum(row[c] for row in y_true) for c in range(classes)]
    pred_dist = [math.fsum(row[c] for row in y_pred) for c in range(classes)]
    denominator = math.fsum(
        label_dist[a] * weight(a, b) * pred_dist[b]
        for a, b in itertools.product(range(classes), repeat=2)
    ) / len(y_pred)
    ratio = numerator / denominator if denominator != 0 else 0.0
    return math.log(ratio + (epsilon or 1e-7))


# -------------------------------------------------------------- random float64 inputs

Inputs = tuple[Any, Any]


def focal_probabilities(rng: np.random.Generator) -> Inputs:
    """Hard/soft labels, probabilities in (0.001, 0.999) and some exact 0/1 entries."""
    n, k = int(rng.integers(1, 9)), int(rng.integers(1, 5))
    y = rng.integers(0, 2, (n, k)).astype(float)
    soft = rng.random(n) < 0.3
    y[soft] = rng.random((int(soft.sum()), k))
    p = rng.uniform(0.001, 0.999, (n, k))
    edge = rng.random((n, k)) < 0.15
    p[edge] = rng.integers(0, 2, int(edge.sum()))
    return y, p


def focal_logits(rng: np.random.Generator) -> Inputs:
    y, _ = focal_probabilities(rng)
    z = rng.normal(0, 4, y.shape)
    big = rng.random(y.shape) < 0.15
    z[big] = rng.choice([-40.0, 40.0], int(big.sum()))
    return y, z


def random_boxes(rng: np.random.Generator) -> Inputs:
    """Overlapping and disjoint boxes, with identical, degenerate and zero-area rows."""
    n = int(rng.integers(1, 9))

    def boxes() -> np.ndarray:
        low = rng.uniform(0, 8, (n, 2))
        return np.concatenate([low, low + rng.uniform(0.1, 5, (n, 2))], axis=1)

    truth, pred = boxes(), boxes()
    special = rng.integers(0, n)
    kind = rng.integers(0, 4)
    if kind == 0:
        pred[special] = truth[special]  # identical
    elif kind == 1:
        pred[special] = pred[special][[2, 3, 0, 1]]  # max < min: area 0
    elif kind == 2:
        truth[special] = pred[special] = [1.0, 1.0, 1.0, 1.0]  # zero union, zero enclosure
    return truth, pred


def pair_distances(columns: int) -> Callable[[np.random.Generator], Inputs]:
    def make(rng: np.random.Generator) -> Inputs:
        n = int(rng.integers(1, 9))
        return rng.integers(0, 2, (n, columns)).astype(float), rng.uniform(0, 2.5, (n, columns))

    make.__name__ = f"pair_distances_{columns}"
    return make


def reals(rng: np.random.Generator) -> Inputs:
    n, k = int(rng.integers(1, 9)), int(rng.integers(1, 5))
    return rng.normal(0, 3, (n, k)), rng.normal(0, 3, (n, k))


def reals_3(rng: np.random.Generator) -> Inputs:
    n = int(rng.integers(1, 9))
    return rng.normal(0, 3, (n, 3)), rng.normal(0, 3, (n, 3))


def labelled_unit_rows(rng: np.random.Generator) -> Inputs:
    """Labels 0..2 (some anchors without positives or negatives), unit embeddings."""
    n, dims = int(rng.integers(2, 10)), int(rng.integers(2, 5))
    labels = rng.integers(0, 3, n)
    labels[1] = labels[0]  # a positive pair, so semi-hard is not 0/0
    rows = rng.normal(0, 1, (n, dims))
    return labels, rows / np.linalg.norm(rows, axis=1, keepdims=True)


def labelled_raw_rows(rng: np.random.Generator) -> Inputs:
    """Labels with a positive pair and two labels; unnormalised embeddings."""
    n, dims = int(rng.integers(3, 10)), int(rng.integers(2, 5))
    labels = rng.integers(0, 3, n)
    labels[1], labels[2] = labels[0], (labels[0] + 1) % 3
    return labels, rng.normal(0, 1.5, (n, dims))


def similarity_matrix(rng: np.random.Generator) -> Inputs:
    n = int(rng.integers(1, 9))
    return rng.integers(0, 3, n), rng.normal(0, 3, (n, n))


def kappa_rows(rng: np.random.Generator) -> Inputs:
    """One-hot (some soft) label rows and probability rows."""
    n, classes = int(rng.integers(1, 9)), int(rng.integers(2, 6))
    y = np.eye(classes)[rng.integers(0, classes, n)]
    soft = rng.random(n) < 0.25
    y[soft] = rng.dirichlet(np.ones(classes), int(soft.sum()))
    return y, rng.dirichlet(np.ones(classes), n)


@dataclass(frozen=True)
class Case:
    loss: str
    make: Callable[[np.random.Generator], Inputs]
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        shown = ",".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.loss}[{shown}]-{self.make.__name__}"

    def reference(self, y_true: Any, y_pred: Any) -> Any:
        function = globals()[f"ref_{self.loss}"]
        return function(np.asarray(y_true).tolist(), np.asarray(y_pred).tolist(), **self.params)


REFERENCE_CASES = [
    Case(FOCAL, focal_probabilities),
    Case(FOCAL, focal_probabilities, {"alpha": 0.6, "gamma": 1.5}),
    Case(FOCAL, focal_probabilities, {"alpha": 0.0}),
    Case(FOCAL, focal_probabilities, {"gamma": 0.0}),
    Case(FOCAL, focal_logits, {"from_logits": True}),
    Case(FOCAL, focal_logits, {"from_logits": True, "alpha": 0.9, "gamma": 3.0}),
    Case("giou", random_boxes),
    Case("iou", random_boxes),
    Case("contrastive", pair_distances(1)),
    Case("contrastive", pair_distances(3), {"margin": 1.7}),
    Case("pinball", reals),
    Case("pinball", reals, {"tau": 0.05}),
    Case("pinball", reals, {"tau": 1.0}),
    Case("pinball", reals_3, {"tau": [0.2, 0.5, 0.95]}),
    *(
        Case("triplet_semihard", labelled_unit_rows, {"margin": margin, "distance_metric": m})
        for m in tfa.DISTANCE_METRICS
        for margin in (1.0, 0.3)
    ),
    *(
        Case("triplet_hard", labelled_unit_rows, {"soft": soft, "distance_metric": m})
        for m in tfa.DISTANCE_METRICS
        for soft in (False, True)
    ),
    Case("triplet_hard", labelled_raw_rows, {"margin": 0.2}),
    Case("lifted_struct", labelled_raw_rows),
    Case("lifted_struct", labelled_raw_rows, {"margin": 0.4}),
    Case("npairs", similarity_matrix),
    Case("weighted_kappa", kappa_rows),
    Case("weighted_kappa", kappa_rows, {"weightage": "linear"}),
    Case("weighted_kappa", kappa_rows, {"epsilon": 0.0}),
]
SEEDS = (0, 1, 2, 3, 4)
REFERENCE_RTOL, REFERENCE_ATOL = 1e-9, 1e-12


def expected_reductions(values: Any, rows: int, weights: np.ndarray | None) -> dict[str, Any]:
    """Keras's reductions of reference values (a batch value is carried by every row)."""
    per_row = np.full(rows, values) if np.ndim(values) == 0 else np.asarray(values, float)
    w = np.ones(rows) if weights is None else weights
    weighted = per_row * w.reshape((rows,) + (1,) * (per_row.ndim - 1))
    total = math.fsum(weighted.ravel())
    out = {
        "none": weighted,
        "sum": total,
        "sum_over_batch_size": total / per_row.size,
    }
    if per_row.ndim == 1:
        out["mean_with_sample_weight"] = total / math.fsum(w) if math.fsum(w) else 0.0
    return out


@pytest.mark.parametrize(
    ("case", "seed"),
    [
        pytest.param(case, seed, id=f"{case.id}-seed{seed}")
        for case in REFERENCE_CASES
        for seed in SEEDS
    ],
)
def test_kernels_match_the_slow_reference(case: Case, seed: int) -> None:
    rng = np.random.default_rng([seed, *map(ord, case.id)])
    y_true, y_pred = case.make(rng)
    rows = len(y_pred)
    reference = case.reference(y_true, y_pred)
    for weights in (None, rng.uniform(0, 2, rows)):
        for reduction, expected in expected_reductions(reference, rows, weights).items():
            result = compute(
                case.loss,
                y_true,
                y_pred,
                reduction=reduction,
                sample_weight=weights,
                dtype="float64",
                **case.params,
            )
            np.testing.assert_allclose(
                np.asarray(result.value, float),
                expected,
                rtol=REFERENCE_RTOL,
                atol=REFERENCE_ATOL,
                err_msg=f"{case.id} seed={seed} reduction={reduction}",
            )


def test_reference_cases_cover_every_loss_and_parameter() -> None:
    assert {case.loss for case in REFERENCE_CASES} == set(SPECS)
    for name, spec in SPECS.items():
        varied = {key for case in REFERENCE_CASES if case.loss == name for key in case.params}
        assert varied >= {p.name for p in spec.params} - {"num_classes"}, name
