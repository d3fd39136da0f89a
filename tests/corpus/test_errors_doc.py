"""docs/errors.md lists every error class with its exit code, and its examples are real.

Each example in the table is what a corpus case prints, run from the corpus directory so the
files are named without a directory; a changed message makes the page stale, and this fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import losscli
import losscli.errors
from losscli.cli import main
from losscli.errors import LossCliError
from tests.corpus.cases import by_id

DOC = Path(__file__).resolve().parents[2] / "docs" / "errors.md"
START, END = "<!-- errors:start -->\n", "<!-- errors:end -->"

# The corpus case each class's example comes from.
EXAMPLES = {
    "UsageError": "batch_size_zero",
    "UnknownLossError": "unknown_loss",
    "ParameterError": "parameter_out_of_range",
    "ConfigError": "config_value_out_of_range",
    "OutputError": "output_directory_missing",
    "InputDataError": "csv_header_only",
    "InputFileError": "csv_late_bad_value",
    "ColumnError": "csv_duplicate_column",
    "ShapeError": "parquet_list_widths",
    "LabelError": "labels_out_of_range",
    "WeightError": "weights_negative",
    "NonFiniteError": "csv_nan",
}


def error_classes() -> dict[str, type[LossCliError]]:
    return {
        name: value
        for name, value in vars(losscli.errors).items()
        if isinstance(value, type) and issubclass(value, LossCliError) and value is not LossCliError
    }


def table() -> dict[str, tuple[int, str]]:
    """Each documented class: its exit code and its example."""
    text = DOC.read_text()
    rows = text[text.index(START) + len(START) : text.index(END)].splitlines()[2:]
    documented = {}
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        name, code, example = cells[0].strip("`"), int(cells[1]), cells[-1]
        documented[name] = (code, re.sub(r"^`+ ?| ?`+$", "", example))
    return documented


def test_every_class_is_documented_with_its_exit_code() -> None:
    documented = table()
    classes = error_classes()
    assert sorted(documented) == sorted(classes)
    for name, cls in classes.items():
        assert documented[name][0] == cls.exit_code, name
        assert getattr(losscli, name) is cls, f"losscli.{name} is not exported"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_example_is_what_its_case_prints(
    name: str, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = by_id()[EXAMPLES[name]]
    assert item.error.__name__ == name
    monkeypatch.chdir(corpus)
    args = [arg.replace("{d}/", "").replace("{out}/", "") for arg in item.args]
    result = CliRunner().invoke(main, args, prog_name="losscli")
    printed = result.stderr.splitlines()[-1].removeprefix("losscli: error: ")
    assert printed == table()[name][1], "docs/errors.md is stale: copy the new message there"
