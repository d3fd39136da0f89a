"""A local S3-compatible server holding prediction files, for tests of remote inputs.

Reusable by any test package (e.g. the Dask engine's): import the fixtures with
``from tests.remote.conftest import s3_data, s3_server  # noqa: F401`` in that package's
conftest, or move them to ``tests/conftest.py``. Nothing leaves the machine.

Fixtures (all session-scoped, started once, skipped when ``moto[server]``/``boto3`` are absent):

``s3_server`` -> :class:`S3Server`
    moto's ``ThreadedMotoServer`` on 127.0.0.1 at a free port, with fake credentials in the
    environment (``AWS_ACCESS_KEY_ID=testing`` ..., ``AWS_EC2_METADATA_DISABLED=true`` so no
    instance-metadata lookup, no user profile files). ``endpoint_url`` is its address; pass it as
    ``--storage-option endpoint_url=...``. Subprocesses inherit the environment.

``s3_data`` -> :class:`S3Data`
    A bucket holding the same prediction data as files under ``local`` (a local directory):
    ``parquet/part-{0,1,2}.parquet`` (3 row groups each; 12,000 rows in all) with a hidden
    ``parquet/_SUCCESS``, the same rows in ``csv/part-{0,1,2}.csv``, ``gz/part-0.csv.gz``, and
    ``wide/wide.parquet`` (12 double columns, 60,000 rows, ~7.1 MB, for measuring what is
    fetched), all public-read (``{endpoint_url}/{bucket}/{key}`` serves them over plain HTTP).
    ``s3_data.uri("parquet/*.parquet")`` is the S3 URI of a key, prefix or glob,
    ``s3_data.path("parquet/*.parquet")`` the same place locally. The columns:
    ``y_true``/``y_pred`` (regression), ``label`` (int) with ``prob_0..2`` (softmax rows),
    ``binary`` (0/1) with ``score`` (a probability), ``weight`` and ``group`` (a, b, c).

``counting_proxy`` -> :class:`CountingProxy`
    A TCP proxy in front of the server counting the bytes it sends back: point
    ``endpoint_url`` at ``counting_proxy.endpoint_url`` and read ``counting_proxy.received``.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import shutil
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

BUCKET = "losscli-test"
_FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


@dataclass(frozen=True)
class S3Server:
    """The running server: its ``endpoint_url`` (http://127.0.0.1:PORT) and port."""

    endpoint_url: str
    port: int


@dataclass(frozen=True)
class S3Data:
    """The bucket's files and their local twins."""

    endpoint_url: str
    bucket: str
    local: Path

    def uri(self, key: str) -> str:
        """``s3://BUCKET/key``."""
        return f"s3://{self.bucket}/{key}"

    def path(self, key: str) -> str:
        """The local twin of ``key`` (a file, a directory or a glob)."""
        return str(self.local / key)

    @property
    def option(self) -> tuple[str, str]:
        """``("--storage-option", "endpoint_url=...")`` for a command line."""
        return ("--storage-option", f"endpoint_url={self.endpoint_url}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    moto_server = pytest.importorskip("moto.server")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in _FAKE_ENV.items():
            patch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            patch.delenv(name, raising=False)
        port = free_port()
        server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            yield S3Server(f"http://127.0.0.1:{port}", port)
        finally:
            server.stop()


def _frame(rows: int, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(rows, 3))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y_true = rng.normal(size=rows)
    return pa.table(
        {
            "y_true": y_true,
            "y_pred": y_true + rng.normal(scale=0.5, size=rows),
            "label": rng.integers(0, 3, size=rows),
            "prob_0": probs[:, 0],
            "prob_1": probs[:, 1],
            "prob_2": probs[:, 2],
            "binary": rng.integers(0, 2, size=rows).astype(np.float64),
            "score": rng.uniform(0.01, 0.99, size=rows),
            "weight": rng.uniform(0.5, 2.0, size=rows),
            "group": pa.array(np.array(["a", "b", "c"])[rng.integers(0, 3, size=rows)]),
        }
    )


def _write_files(root: Path) -> None:
    for folder in ("parquet", "csv", "gz", "wide"):
        (root / folder).mkdir(parents=True)
    for index, rows in enumerate((5_000, 3_000, 4_000)):
        table = _frame(rows, seed=index)
        path = root / "parquet" / f"part-{index}.parquet"
        pq.write_table(table, path, row_group_size=rows // 3 + 1)
        pa_csv.write_csv(table, root / "csv" / f"part-{index}.csv")
    (root / "parquet" / "_SUCCESS").write_bytes(b"")
    csv = (root / "csv" / "part-0.csv").read_bytes()
    (root / "gz" / "part-0.csv.gz").write_bytes(gzip.compress(csv))
    rng = np.random.default_rng(7)
    columns = {f"c{i}": rng.normal(size=60_000) for i in range(12)}
    pq.write_table(pa.table(columns), root / "wide" / "wide.parquet", row_group_size=20_000)


@pytest.fixture(scope="session")
def s3_data(s3_server: S3Server, tmp_path_factory: pytest.TempPathFactory) -> S3Data:
    boto3 = pytest.importorskip("boto3")
    local = tmp_path_factory.mktemp("s3-twin")
    _write_files(local)
    client = boto3.client(
        "s3", endpoint_url=s3_server.endpoint_url, region_name=_FAKE_ENV["AWS_DEFAULT_REGION"]
    )
    client.create_bucket(Bucket=BUCKET)
    for file in sorted(local.rglob("*")):
        if file.is_file():
            key = file.relative_to(local).as_posix()
            # public-read: the http:// tests GET the same objects without credentials.
            client.upload_file(str(file), BUCKET, key, ExtraArgs={"ACL": "public-read"})
    return S3Data(s3_server.endpoint_url, BUCKET, local)


class CountingProxy:
    """A TCP proxy to ``target_port`` that counts the bytes the target sends back."""

    def __init__(self, target_port: int) -> None:
        self.received = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                with socket.create_connection(("127.0.0.1", target_port)) as upstream:
                    pump = threading.Thread(
                        target=_pump, args=(self.request, upstream, None), daemon=True
                    )
                    pump.start()
                    _pump(upstream, self.request, proxy._count)
                    pump.join()

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.endpoint_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _count(self, size: int) -> None:
        with self._lock:
            self.received += size

    def reset(self) -> None:
        """Start counting from zero."""
        with self._lock:
            self.received = 0

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _pump(source: socket.socket, sink: socket.socket, count: object) -> None:
    """Copy ``source`` to ``sink`` until either closes, counting what passes through."""
    with contextlib.suppress(OSError):
        while chunk := source.recv(1 << 16):
            if count is not None:
                count(len(chunk))  # type: ignore[operator]
            sink.sendall(chunk)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


@pytest.fixture(scope="session")
def counting_proxy(s3_server: S3Server) -> Iterator[CountingProxy]:
    proxy = CountingProxy(s3_server.port)
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.fixture(scope="session")
def local_copy(tmp_path_factory: pytest.TempPathFactory, s3_data: S3Data) -> Path:
    """A scratch copy of the local twin that a test may change."""
    target = tmp_path_factory.mktemp("s3-twin-copy")
    shutil.copytree(s3_data.local, target, dirs_exist_ok=True)
    return target
