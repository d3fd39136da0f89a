"""``--engine dask`` over S3 inputs: the issue's command, against the local S3 server.

The workers read the parts from the server themselves (the client reads only metadata), and
the result equals the local engine on the same files read from disk.
"""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import invoke
from tests.distributed.test_dask_engine import assert_close
from tests.remote.conftest import S3Data, s3_data, s3_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.cluster


def _json(*args: str) -> dict:
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_compute_on_dask_over_s3_equals_local_files(
    scheduler: str,
    s3_data: S3Data,  # noqa: F811
) -> None:
    option = list(s3_data.option)
    losses = ["-l", "mse", "-l", "huber", "-l", "log_cosh"]
    on_dask = _json(
        "compute", "-q", "--format", "json", *losses, "--engine", "dask",
        "--scheduler", scheduler, s3_data.uri("parquet/*.parquet"), *option,
    )  # fmt: skip
    local = _json("compute", "-q", "--format", "json", *losses, s3_data.path("parquet/*.parquet"))
    on_dask.pop("inputs"), local.pop("inputs")
    assert on_dask["rows"]["read"] == 12_000
    assert_close(local, on_dask)


def test_evaluate_on_dask_over_s3_csv_with_slices_and_intervals(
    scheduler: str,
    s3_data: S3Data,  # noqa: F811
) -> None:
    option = list(s3_data.option)
    args = ["evaluate", "-q", "--format", "json", "-l", "bce", "--y-true", "binary"]
    args += ["--y-pred", "score", "--group-by", "group", "--ci", "0.9", "--replicates", "50"]
    on_dask = _json(
        *args, "--engine", "dask", "--scheduler", scheduler, s3_data.uri("csv/*.csv"), *option
    )
    local = _json(*args, s3_data.path("csv/*.csv"))
    on_dask.pop("inputs", None), local.pop("inputs", None)
    assert_close(local, on_dask)
