"""Every bad input in the corpus gives one clear line, its documented exit code, and no debris.

The contract each case of :mod:`tests.corpus.cases` is held to:

- stderr is any number of ``losscli: note:`` lines and then exactly one ``losscli: error:`` line:
  printable, not an internal error, never a traceback or click's usage block;
- the exit code is the one documented for the error's class (docs/errors.md);
- with ``LOSSCLI_<COMMAND>_DEBUG=1`` the error is raised as exactly that class;
- nothing is written to stdout, nothing is left in the output directory, and no temporary file
  is left behind (spooled stdin, half-written outputs).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import losscli.errors
from losscli.cli import main
from losscli.errors import EXIT_INTERNAL, LossCliError
from tests.corpus.cases import CASES, Case, by_id
from tests.corpus.files import FILES

ERROR = "losscli: error: "
NOTE = "losscli: note: "
LONGEST_LINE = 600  # a message with a listing of columns or settings is still one screen line


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """An empty output directory, and a directory standing in for the system's temporary one."""
    out, temp = tmp_path / "out", tmp_path / "tmp"
    out.mkdir()
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return out, temp


def arguments(item: Case, corpus: Path, out: Path) -> list[str]:
    return [arg.replace("{d}", str(corpus)).replace("{out}", str(out)) for arg in item.args]


def run(item: Case, corpus: Path, out: Path, env: dict[str, str] | None = None) -> Result:
    stdin = (corpus / item.stdin).read_bytes() if item.stdin else None
    return CliRunner().invoke(
        main, arguments(item, corpus, out), input=stdin, env=env, catch_exceptions=False
    )


def check_message(item: Case, stderr: str, code: int) -> str:
    """The case's error line, after checking stderr and the exit code against the contract."""
    lines = stderr.splitlines()
    assert lines, f"{item.id}: nothing on stderr"
    *notes, last = lines
    assert all(line.startswith(NOTE) for line in notes), f"{item.id}: {stderr}"
    assert last.startswith(ERROR), f"{item.id}: {stderr}"
    assert "Traceback" not in stderr and "internal error" not in last, f"{item.id}: {stderr}"
    assert last.isprintable() and len(last) <= LONGEST_LINE, f"{item.id}: {last!r}"
    assert code == item.code, f"{item.id}: exit {code}, expected {item.code}: {last}"
    message = last[len(ERROR) :]
    for pattern in item.says:
        assert re.search(pattern, message), f"{item.id}: {pattern!r} not in {message!r}"
    if item.where is not None:
        assert item.where in message, f"{item.id}: the message does not name {item.where!r}"
    return message


@pytest.mark.parametrize("item", CASES, ids=[item.id for item in CASES])
def test_bad_input_gives_one_line_and_its_exit_code(
    item: Case, corpus: Path, scratch: tuple[Path, Path]
) -> None:
    out, temp = scratch
    before = {}
    if item.existing:
        (out / item.existing).write_bytes(b"the output of an earlier run\n")
        before = {item.existing: b"the output of an earlier run\n"}
    result = run(item, corpus, out)
    check_message(item, result.stderr, result.exit_code)
    assert result.stdout == "", f"{item.id}: wrote to stdout: {result.stdout[:200]!r}"
    after = {path.name: path.read_bytes() for path in out.iterdir()}
    assert after == before, f"{item.id}: the output directory holds {sorted(after)}"
    assert list(temp.iterdir()) == [], f"{item.id}: left {list(temp.iterdir())}"


@pytest.mark.parametrize(
    "item", [c for c in CASES if not c.click], ids=[c.id for c in CASES if not c.click]
)
def test_bad_input_raises_its_error_class(
    item: Case, corpus: Path, scratch: tuple[Path, Path]
) -> None:
    # With --debug (here its variable) the traceback comes first, then the same error line and
    # exit code; the traceback's last line names the exception's class.
    out, _ = scratch
    command = item.args[0]
    result = run(item, corpus, out, env={f"LOSSCLI_{command.upper()}_DEBUG": "1"})
    *before, last = result.stderr.splitlines()
    assert "Traceback (most recent call last):" in before, result.stderr
    assert last.startswith(ERROR) and result.exit_code == item.code, result.stderr
    raised = [line for line in before if re.match(r"losscli\.errors\.\w+: ", line)]
    assert raised, result.stderr
    assert raised[-1].startswith(f"losscli.errors.{item.error.__name__}: "), f"{item.id}: {raised}"


# A few cases again as real processes: what a shell sees, with Python's own stdin and exit.
PROCESS_CASES = [
    "csv_late_bad_value",
    "stdin_empty",
    "unknown_command",
    "batch_size_zero",
    "state_binary",
    "parquet_corrupt_pages",
    "per_sample_bad_data_leaves_no_file",
    "log_truncated",
]


@pytest.mark.parametrize("name", PROCESS_CASES)
def test_bad_input_in_a_real_process(name: str, corpus: Path, tmp_path: Path) -> None:
    item = by_id()[name]
    out = tmp_path / "out"
    out.mkdir()
    stdin = (corpus / item.stdin).read_bytes() if item.stdin else b""
    done = subprocess.run(
        [sys.executable, "-m", "losscli", *arguments(item, corpus, out)],
        input=stdin,
        capture_output=True,
        check=False,
        timeout=120,
    )
    check_message(item, done.stderr.decode(), done.returncode)
    assert done.stdout == b""
    assert list(out.iterdir()) == []


# -- the corpus itself --------------------------------------------------------------------------


def test_every_error_class_has_a_case() -> None:
    classes = {
        value
        for value in vars(losscli.errors).values()
        if isinstance(value, type) and issubclass(value, LossCliError) and value is not LossCliError
    }
    covered = {item.error for item in CASES}
    assert classes - covered == set(), "add a corpus case for each of these"


def test_every_documented_exit_code_is_a_class_code() -> None:
    assert {item.code for item in CASES} | {EXIT_INTERNAL} == {2, 3, 4, 5}


def test_every_corpus_file_is_used() -> None:
    used = " ".join(" ".join(item.args) + f" {item.stdin}" for item in CASES)
    unused = [name for name in FILES if f"{{d}}/{name}" not in used and name not in used]
    unused = [name for name in unused if f"{{d}}/{name.split('/')[0]}" not in used]
    assert unused == []


def test_debug_in_a_real_process_adds_the_traceback_and_keeps_the_exit_code(
    corpus: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "losscli", "compute", "-l", "mse", "--debug", f"{corpus}/empty.csv"],
        capture_output=True,
        check=False,
        timeout=120,
    )
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 3
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[-2].startswith("losscli.errors.InputFileError: ")
    assert lines[-1] == f"losscli: error: cannot read '{corpus}/empty.csv': it is empty"
