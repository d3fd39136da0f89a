"""``losscli describe``: formula, inputs, parameters and an example that runs."""

from __future__ import annotations

import json
import shlex

import pytest

from losscli.catalog import example_command
from losscli.losses import get_spec, list_losses
from tests.cli.conftest import ROOT, invoke


def test_describe_prints_formula_parameters_reference_and_example() -> None:
    result = invoke("describe", "Huber")
    assert result.exit_code == 0
    for text in ("huber:", "formula", "delta=1.0 in (0.0, inf)", "Keras 3 Huber", "example"):
        assert text in result.stdout


def test_describe_json_and_unknown_names() -> None:
    record = json.loads(invoke("describe", "mse", "--format", "json").stdout)
    assert record["name"] == "mean_squared_error"
    unknown = invoke("describe", "hubber")
    assert unknown.exit_code == 2
    assert "did you mean huber" in unknown.stderr


@pytest.mark.parametrize(
    "spec",
    [s for s in list_losses() if "COLUMNS" not in example_command(s)],
    ids=lambda s: s.name,
)
def test_examples_run_on_the_sample_data(spec, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args = shlex.split(example_command(get_spec(spec.name)))[1:]
    result = invoke(*args[:1], "--format", "json", *args[1:])
    assert result.exit_code == 0, result.stderr
