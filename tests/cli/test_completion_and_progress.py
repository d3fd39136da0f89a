"""Shell completion of losses and columns, and when the progress bar shows."""

from __future__ import annotations

import io
from types import SimpleNamespace

import click
import pytest

from losscli.cli.completion import complete_columns, complete_losses
from losscli.cli.compute_cmd import compute_command
from losscli.cli.context import IOContext
from losscli.cli.output import progress
from tests.cli.conftest import SAMPLES


def completions(items: list) -> list[str]:
    return [item.value for item in items]


def test_loss_names_and_aliases_complete() -> None:
    ctx = click.Context(compute_command)
    found = completions(complete_losses(ctx, compute_command.params[0], "hu"))
    assert "huber" in found and "huber_loss" in found
    assert "MeanSquaredError" in completions(
        complete_losses(ctx, compute_command.params[0], "Mean")
    )


def test_column_names_complete_from_the_files_schema() -> None:
    ctx = click.Context(compute_command)
    ctx.params["inputs"] = (str(SAMPLES / "multiclass.parquet"),)
    found = completions(complete_columns(ctx, compute_command.params[0], "prob_"))
    assert found == ["prob_0", "prob_1", "prob_2"]
    after_comma = completions(complete_columns(ctx, compute_command.params[0], "prob_0,prob_"))
    assert after_comma[0] == "prob_0,prob_0"


def test_column_completion_is_silent_without_a_readable_file() -> None:
    ctx = click.Context(compute_command)
    ctx.params["inputs"] = ("/nonexistent.parquet",)
    assert complete_columns(ctx, compute_command.params[0], "") == []


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("terminal", "quiet", "rows", "shown"),
    [
        (True, False, 10_000_000, True),
        (True, False, 1_000, False),  # a small input finishes before a bar helps
        (False, False, 10_000_000, False),  # not a terminal
        (True, True, 10_000_000, False),  # -q
    ],
)
def test_progress_only_on_a_terminal_for_big_inputs(
    terminal: bool, quiet: bool, rows: int, shown: bool
) -> None:
    stderr = Terminal() if terminal else io.StringIO()
    context = IOContext(quiet=quiet, stderr=stderr)
    source = SimpleNamespace(total_rows=rows, total_bytes=None, description="big.parquet")
    with progress(context, source) as advance:
        assert (advance is not None) == shown
        if advance is not None:
            advance(rows)
