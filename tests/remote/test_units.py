"""The pieces of remote reading that need no server: options, URIs, globs, lazy imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from losscli.errors import UsageError
from losscli.io.remote import _glob_regex
from losscli.io.storage_options import parse_storage_options
from losscli.io.uris import display_uri, is_uri
from tests.test_startup import imported_by

REMOTE_MODULES = {"losscli.io.remote", "losscli.io.storage_options", "fsspec", "aiohttp", "boto3"}


def test_options_parse_and_redact() -> None:
    options = parse_storage_options(["Endpoint-URL=http://h:1", "secret_key=S3CR3T", "region=x"])
    assert options.keys() == ["endpoint_url", "secret_key", "region"]
    assert options.redact("signed with S3CR3T at h:1") == "signed with *** at h:1"
    assert "S3CR3T" not in repr(options)
    assert parse_storage_options({"anonymous": True}).flag("anonymous") is True


@pytest.mark.parametrize("items", [["novalue"], ["=x"], ["a=1", "A=2"]])
def test_bad_options_are_usage_errors(items: list[str]) -> None:
    with pytest.raises(UsageError):
        parse_storage_options(items)


def test_uris_are_told_from_paths_and_shown_without_secrets() -> None:
    assert is_uri("s3://b/k") and is_uri("https://h/x.csv")
    assert not is_uri("data/x.csv") and not is_uri("C:\\data\\x.csv")
    assert display_uri("https://u:pw@h/x.csv?sig=abc&t=1") == "https://u:***@h/x.csv?sig=***&t=***"
    assert display_uri("s3://bucket/a/b.parquet") == "s3://bucket/a/b.parquet"


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("b/part-*.parquet", "b/part-1.parquet", True),
        ("b/part-*.parquet", "b/x/part-1.parquet", False),
        ("b/**/*.parquet", "b/x/y/part-1.parquet", True),
        ("b/**/*.parquet", "b/part-1.parquet", True),
        ("b/part-[01].csv", "b/part-2.csv", False),
        ("b/part-[!0].csv", "b/part-2.csv", True),
        ("b/p?.csv", "b/p1.csv", True),
        ("b/a.b*", "b/axb", False),
    ],
)
def test_globs_match_like_local_ones(pattern: str, path: str, matches: bool) -> None:
    assert bool(_glob_regex(pattern).fullmatch(path)) is matches


def test_help_imports_no_remote_machinery() -> None:
    modules = imported_by("--help")
    assert not modules & REMOTE_MODULES
    assert "pyarrow.fs" not in modules


def test_a_local_input_imports_no_remote_machinery(tmp_path: Path) -> None:
    csv = tmp_path / "small.csv"
    csv.write_text("y_true,y_pred\n1,2\n3,4\n")
    modules = imported_by("compute", "-l", "mse", str(csv))
    assert "numpy" in modules  # it did compute
    assert not modules & REMOTE_MODULES, sorted(modules & REMOTE_MODULES)
