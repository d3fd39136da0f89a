"""The corpus files, written once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus.files import write_all


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("corpus")
    write_all(directory)
    return directory
