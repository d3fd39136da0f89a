"""https:// inputs (through fsspec): the S3 server also serves its objects over plain HTTP."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import invoke
from tests.remote.conftest import S3Data
from tests.remote.test_s3 import assert_close, fails

pytest.importorskip("fsspec")
pytest.importorskip("aiohttp")


def url(s3_data: S3Data, key: str) -> str:
    return f"{s3_data.endpoint_url}/{s3_data.bucket}/{key}"


@pytest.mark.parametrize("key", ["parquet/part-0.parquet", "csv/part-1.csv", "gz/part-0.csv.gz"])
def test_a_url_equals_the_local_file(s3_data: S3Data, key: str) -> None:
    args = ["compute", "--format", "json", "-l", "mse", "-l", "mae"]
    remote = invoke(*args, url(s3_data, key))
    local = invoke(*args, s3_data.path(key))
    assert remote.exit_code == 0, remote.stderr
    assert_close(json.loads(remote.stdout), json.loads(local.stdout))


def test_several_urls_are_one_dataset(s3_data: S3Data) -> None:
    keys = [f"parquet/part-{i}.parquet" for i in range(3)]
    args = ["compute", "--format", "json", "-l", "huber"]
    remote = invoke(*args, *(url(s3_data, key) for key in keys))
    local = invoke(*args, s3_data.path("parquet"))
    assert remote.exit_code == 0, remote.stderr
    assert_close(json.loads(remote.stdout), json.loads(local.stdout))


def test_a_url_cannot_be_a_glob(s3_data: S3Data) -> None:
    line = fails("compute", "-l", "mse", url(s3_data, "parquet/*.parquet"), code=2)
    assert "give each file's URL" in line


def test_a_missing_url_hides_its_query(s3_data: S3Data) -> None:
    line = fails("compute", "-l", "mse", url(s3_data, "nope.csv?signature=SUPERSECRET"), code=3)
    assert "SUPERSECRET" not in line and "nope.csv?signature=***" in line
