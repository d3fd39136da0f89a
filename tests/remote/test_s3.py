"""Remote inputs on a local S3 server: every result equals the same files read locally."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import pytest

from losscli.io.sources import InputSpec, open_source
from tests.cli.conftest import invoke, run_process
from tests.remote.conftest import CountingProxy, S3Data, free_port

# (loss arguments, input columns): a few losses of each family and origin.
LOSSES = [
    pytest.param(
        ["-l", "mse", "-l", "huber:delta=0.5", "-l", "log_cosh"], [], id="keras-regression"
    ),
    pytest.param(
        ["-l", "mse", "--sample-weight", "weight", "--reduction", "mean_with_sample_weight"],
        [],
        id="keras-weighted",
    ),
    pytest.param(
        ["-l", "bce", "-l", "binary_focal_crossentropy", "-l", "hinge"],
        ["--y-true", "binary", "--y-pred", "score"],
        id="keras-probabilistic",
    ),
    pytest.param(
        ["-l", "sparse_categorical_crossentropy"],
        ["--y-true", "label", "--y-pred", "prob_0,prob_1,prob_2"],
        id="sparse-ce-list-columns",
    ),
    pytest.param(
        ["-l", "sparse_categorical_crossentropy"],
        ["--y-true", "label", "--y-pred", "prob_*"],
        id="sparse-ce-glob-columns",
    ),
    pytest.param(
        ["-l", "sigmoid_focal_crossentropy", "-l", "log_loss"],
        ["--y-true", "binary", "--y-pred", "score"],
        id="tfa-sklearn",
    ),
    pytest.param(["-l", "smooth_l1", "-l", "mean_pinball"], [], id="torch-sklearn-regression"),
]
DATASETS = [
    pytest.param("parquet/*.parquet", id="parquet-glob"),
    pytest.param("parquet/", id="parquet-prefix"),
    pytest.param("csv/*.csv", id="csv-glob"),
    pytest.param("gz/part-0.csv.gz", id="csv-gzip"),
]


def compute(*args: str) -> dict[str, Any]:
    result = invoke("compute", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def assert_close(remote: Any, local: Any, path: str = "") -> None:
    """Equal structures, numbers within 1e-12 relative (strings naming the input excepted:
    inputs, and doctor's suggested commands, which repeat the input)."""
    if isinstance(local, dict):
        assert remote.keys() == local.keys(), path
        for key in local:
            if key not in ("inputs", "input", "new_input", "old_input", "command"):
                assert_close(remote[key], local[key], f"{path}.{key}")
    elif isinstance(local, list):
        assert len(remote) == len(local), path
        for index, (r, loc) in enumerate(zip(remote, local, strict=True)):
            assert_close(r, loc, f"{path}[{index}]")
    elif isinstance(local, float) and not isinstance(local, bool):
        assert math.isclose(remote, local, rel_tol=1e-12, abs_tol=0.0), (path, remote, local)
    else:
        assert remote == local, path


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize(("losses", "columns"), LOSSES)
def test_compute_over_s3_equals_local(
    s3_data: S3Data, dataset: str, losses: list[str], columns: list[str]
) -> None:
    remote = compute(*losses, *columns, s3_data.uri(dataset), *s3_data.option)
    local = compute(*losses, *columns, s3_data.path(dataset))
    assert remote["rows"]["read"] > 0
    assert_close(remote, local)


def test_the_prefix_reads_every_file_but_hidden_ones(s3_data: S3Data) -> None:
    with open_source(
        InputSpec(
            (s3_data.uri("parquet/"),), storage_options={"endpoint_url": s3_data.endpoint_url}
        )
    ) as source:
        assert source.description == f"3 files in s3://{s3_data.bucket}/parquet/"
        assert source.total_rows == 12_000
        assert source.format == "parquet"


def test_evaluate_with_slices_and_intervals_over_s3_equals_local(s3_data: S3Data) -> None:
    args = ["--format", "json", "-l", "mse", "-l", "mae", "--group-by", "group", "--ci", "0.9"]
    args += ["--replicates", "50", "--threads", "2"]
    remote = invoke("evaluate", *args, s3_data.uri("parquet/*.parquet"), *s3_data.option)
    local = invoke("evaluate", *args, s3_data.path("parquet/*.parquet"))
    assert remote.exit_code == 0, remote.stderr
    assert_close(json.loads(remote.stdout), json.loads(local.stdout))


def test_compare_an_s3_file_with_its_local_twin_finds_no_difference(s3_data: S3Data) -> None:
    result = invoke(
        "compare",
        "--format",
        "json",
        "-l",
        "mse",
        "--aligned",
        "--replicates",
        "20",
        s3_data.uri("parquet/part-1.parquet"),
        s3_data.path("parquet/part-1.parquet"),
        *s3_data.option,
    )
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)["results"]
    assert row["delta"] == {"value": 0.0, "ci_low": 0.0, "ci_high": 0.0}
    assert row["new"]["value"] == row["old"]["value"] > 0


def test_doctor_reads_s3(s3_data: S3Data) -> None:
    args = ["doctor", "--format", "json", "--y-true", "y_true", "--y-pred", "y_pred"]
    remote = invoke(*args, s3_data.uri("csv/part-2.csv"), *s3_data.option)
    local = invoke(*args, s3_data.path("csv/part-2.csv"))
    assert remote.exit_code == local.exit_code
    assert_close(json.loads(remote.stdout), json.loads(local.stdout))


def test_row_groups_are_parts_read_on_their_own(s3_data: S3Data) -> None:
    spec = InputSpec(
        (s3_data.uri("parquet/*.parquet"),),
        batch_size=500,
        storage_options=[f"endpoint_url={s3_data.endpoint_url}"],
    )
    with (
        open_source(spec) as remote,
        open_source(InputSpec((s3_data.path("parquet/*.parquet"),), batch_size=500)) as local,
    ):
        parts = list(remote.parts(["y_pred", "label"]))
        assert len(parts) == 9  # 3 files of 3 row groups
        assert [p.offset for p in parts] == [p.offset for p in local.parts(["y_pred", "label"])]
        # Read the last part first: each opens its own handle.
        tables = {i: [b for b in parts[i].read()] for i in reversed(range(len(parts)))}
        remote_rows = [batch for i in range(len(parts)) for batch in tables[i]]
        local_rows = list(local.batches(["y_pred", "label"]))
    import pyarrow as pa

    assert pa.Table.from_batches(remote_rows).equals(pa.Table.from_batches(local_rows))


def test_only_the_projected_columns_are_fetched(
    s3_data: S3Data, counting_proxy: CountingProxy
) -> None:
    size = (s3_data.local / "wide" / "wide.parquet").stat().st_size
    options = {"endpoint_url": counting_proxy.endpoint_url}
    spec = InputSpec((s3_data.uri("wide/wide.parquet"),), storage_options=options)
    counting_proxy.reset()
    with open_source(spec) as source:
        rows = sum(batch.num_rows for batch in source.batches(["c0", "c1"]))
    two_columns = counting_proxy.received
    counting_proxy.reset()
    with open_source(spec) as source:
        names = source.schema.names
        sum(batch.num_rows for batch in source.batches(names))
    every_column = counting_proxy.received
    assert rows == 60_000
    # 2 of 12 equally sized columns: about a sixth of the file, plus the footer and the first
    # 64 KiB fetched to tell the format.
    assert 2 / 12 * size < two_columns < 0.3 * size, (two_columns, size)
    assert every_column > size, (every_column, size)


def test_the_issue_command_in_a_real_process(s3_data: S3Data) -> None:
    remote = run_process(
        "compute", "--format", "json", "--loss", "mse", s3_data.uri("parquet/*.parquet"),
        "--storage-option", f"endpoint_url={s3_data.endpoint_url}",
    )  # fmt: skip
    local = run_process("compute", "--format", "json", "--loss", "mse", s3_data.path("parquet"))
    assert remote.returncode == 0, remote.stderr.decode()
    assert remote.stderr == b""
    assert_close(json.loads(remote.stdout), json.loads(local.stdout))


# --------------------------------------------------------------------------------------------
# errors: one line, the documented exit code, no traceback, no secret


def fails(*args: str, code: int) -> str:
    result = invoke(*args)
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("losscli: error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_a_missing_bucket(s3_data: S3Data) -> None:
    line = fails("compute", "-l", "mse", "s3://no-such-bucket/x.parquet", *s3_data.option, code=3)
    assert "s3://no-such-bucket/x.parquet" in line


def test_a_missing_bucket_glob(s3_data: S3Data) -> None:
    line = fails("compute", "-l", "mse", "s3://no-such-bucket/*.parquet", *s3_data.option, code=3)
    assert "no such bucket" in line or "no files match" in line


def test_a_missing_key(s3_data: S3Data) -> None:
    line = fails(
        "compute", "-l", "mse", s3_data.uri("parquet/nope.parquet"), *s3_data.option, code=3
    )
    assert "no such object" in line and "parquet/nope.parquet" in line


def test_a_glob_matching_nothing(s3_data: S3Data) -> None:
    line = fails("compute", "-l", "mse", s3_data.uri("parquet/*.arrow"), *s3_data.option, code=3)
    assert f"no files match 's3://{s3_data.bucket}/parquet/*.arrow'" in line


def test_a_wrong_endpoint_never_echoes_the_secret(s3_data: S3Data) -> None:
    line = fails(
        "compute", "-l", "mse", s3_data.uri("parquet/part-0.parquet"),
        "--storage-option", f"endpoint_url=http://127.0.0.1:{free_port()}",
        "--storage-option", "access_key=AKIDEXAMPLE",
        "--storage-option", "secret_key=SUPERSECRET123",
        "--storage-option", "retries=1",
        "--storage-option", "connect_timeout=2",
        code=3,
    )  # fmt: skip
    assert "SUPERSECRET123" not in line
    assert "cannot reach the store" in line and "endpoint_url" in line


def test_a_secret_never_appears_in_a_real_process_either(s3_data: S3Data) -> None:
    result = run_process(
        "compute", "-l", "mse", "s3://no-such-bucket/a.parquet",
        "--storage-option", f"endpoint_url={s3_data.endpoint_url}",
        "--storage-option", "access_key=testing",
        "--storage-option", "secret_key=SUPERSECRET123",
        "--storage-option", "session_token=SUPERSECRET456",
    )  # fmt: skip
    assert result.returncode == 3
    assert b"SUPERSECRET" not in result.stderr + result.stdout
    assert len(result.stderr.decode().strip().splitlines()) == 1


def test_a_missing_extra_names_it(s3_data: S3Data, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow._s3fs", None)  # import fails, as without it
    line = fails("compute", "-l", "mse", s3_data.uri("parquet/"), *s3_data.option, code=2)
    assert "pip install 'losscli[s3]'" in line


def test_an_unknown_storage_option_lists_the_known_ones(s3_data: S3Data) -> None:
    line = fails(
        "compute", "-l", "mse", s3_data.uri("parquet/"), "--storage-option", "endpoint=x", code=2
    )
    assert "unknown --storage-option 'endpoint'" in line and "endpoint_url, " in line


def test_a_storage_option_without_a_key_is_not_echoed() -> None:
    line = fails(
        "compute", "-l", "mse", "s3://b/k.parquet", "--storage-option", "SUPERSECRET123", code=2
    )
    assert "SUPERSECRET123" not in line and "KEY=VALUE" in line


def test_an_unsupported_scheme() -> None:
    line = fails("compute", "-l", "mse", "ftp://host/a.csv", code=2)
    assert "unsupported scheme ftp://" in line and "s3://" in line


def test_access_key_needs_the_secret_key(s3_data: S3Data) -> None:
    line = fails(
        "compute", "-l", "mse", s3_data.uri("parquet/"), "--storage-option", "access_key=a", code=2
    )
    assert "access_key and secret_key" in line


def test_anonymous_must_be_a_flag(s3_data: S3Data) -> None:
    line = fails(
        "compute", "-l", "mse", s3_data.uri("parquet/"), "--storage-option", "anonymous=maybe",
        code=2,
    )  # fmt: skip
    assert "anonymous must be true or false" in line
