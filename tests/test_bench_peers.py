"""The peers benchmark without timing anything: its data generator at a tiny size, and the
harness's pure parts (specs, reading printed losses, medians and ratios, targets, tables).

The peers themselves live in .venv-bench, which the test suite does not need.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture
def datagen(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH))  # bench/ holds scripts, not a package
    module = importlib.import_module("datagen")
    monkeypatch.setattr(module, "CHUNK", 7)  # several chunks and row groups even when tiny
    monkeypatch.setattr(module, "ROW_GROUP", 5)
    return module


@pytest.fixture
def harness(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("bench_peers")


def test_datagen_writes_each_kind(datagen: ModuleType, tmp_path: Path) -> None:
    mse = pq.read_table(datagen.ensure(tmp_path, datagen.Spec("mse", 20)))
    assert mse.column_names == ["y_true", "y_pred"]
    assert mse.num_rows == 20
    assert str(mse.schema.field("y_pred").type) == "double"

    bce = pq.read_table(datagen.ensure(tmp_path, datagen.Spec("bce", 30))).to_pydict()
    assert set(bce["y_true"]) <= {0.0, 1.0}
    assert all(0 < p < 1 for p in bce["y_pred"])

    scce = pq.read_table(datagen.ensure(tmp_path, datagen.Spec("scce", 25)))
    assert scce.column_names == ["label", *(f"prob_{k}" for k in range(10))]
    probs = np.column_stack([scce.column(f"prob_{k}").to_numpy() for k in range(10)])
    assert probs.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)
    assert set(scce.column("label").to_pylist()) <= set(range(10))

    path = datagen.ensure(tmp_path, datagen.Spec("mse-csv", 15))
    assert path.suffix == ".csv"
    assert pacsv.read_csv(path).column_names == ["y_true", "y_pred"]


def test_datagen_is_seeded_and_writes_once(datagen: ModuleType, tmp_path: Path) -> None:
    path = datagen.ensure(tmp_path / "a", datagen.Spec("mse", 12, seed=3))
    again = datagen.ensure(tmp_path / "b", datagen.Spec("mse", 12, seed=3))
    assert pq.read_table(path).equals(pq.read_table(again))

    stamp = path.stat().st_mtime_ns
    assert datagen.ensure(tmp_path / "a", datagen.Spec("mse", 12, seed=3)) == path
    assert path.stat().st_mtime_ns == stamp  # unchanged spec: not rewritten

    other = datagen.ensure(tmp_path / "a", datagen.Spec("mse", 12, seed=4))
    assert other == path  # same name, new seed: rewritten in place
    assert not pq.read_table(other).equals(pq.read_table(again))


def test_parse_spec(datagen: ModuleType) -> None:
    assert datagen.parse_spec("scce:1000", seed=2) == datagen.Spec("scce", 1000, 2)
    assert datagen.Spec("mse-csv", 1000).filename == "peers-mse-1000.csv"
    for text in ("mse", "nope:10", "mse:-1", "mse:0"):
        with pytest.raises(ValueError, match="KIND:ROWS"):
            datagen.parse_spec(text)


def test_read_value(harness: ModuleType) -> None:
    compute = {"results": [{"loss": "mean_squared_error", "value": 0.25}]}
    evaluate = {
        "results": [
            {"loss": "mean_absolute_error", "slice": None, "value": 0.4},
            {"loss": "mean_squared_error", "slice": {"region": "a"}, "value": 9.0},
            {"loss": "mean_squared_error", "slice": None, "value": 0.5},
        ]
    }
    assert harness.read_value("compute", json.dumps(compute)) == 0.25
    assert harness.read_value("evaluate", json.dumps(evaluate)) == 0.5
    assert harness.read_value("float", "note\n0.123456789\n") == 0.123456789
    assert harness.read_value(None, "") is None


def test_interpreter_reads_the_shebang(harness: ModuleType, tmp_path: Path) -> None:
    script = tmp_path / "losscli"
    script.write_text("#!/opt/env/bin/python3.11\nimport sys\n")
    assert harness.interpreter(str(script)) == "/opt/env/bin/python3.11"
    binary = tmp_path / "bin" / "tool"
    binary.parent.mkdir()
    binary.write_bytes(b"\x7fELF\x00")
    assert harness.interpreter(str(binary)) == str(tmp_path / "bin" / "python")


def fake_results(harness: ModuleType, workload, walls: dict[str, float], value: float = 0.5):
    """Three runs per row around ``walls[tool]``, 100 MiB, every loss equal to ``value``."""
    return {
        command.tool: harness.Result(
            walls=[walls[command.tool] * f for f in (1.1, 1.0, 0.9)],
            rss=[90.0, 100.0, 95.0],
            value=value if command.reads else None,
        )
        for command in workload.commands
    }


def test_median_ratio_targets_and_table(harness: ModuleType) -> None:
    shapes = harness.QUICK
    mse = harness.build("mse", shapes, 0, "losscli", "python", "peer-python")
    assert [c.tool for c in mse.commands] == ["losscli", *harness.PEER_SCRIPTS]
    assert mse.commands[0].argv[:4] == ("losscli", "compute", "-l", "mse")
    assert mse.commands[0].argv[-1].endswith("peers-mse-5000000.parquet")
    walls = {"losscli": 1.0, "pandas + sklearn": 10.0, "DuckDB SQL": 1.25, "polars lazy": 0.9}
    results = fake_results(harness, mse, {**walls, "pyarrow read": 0.5})
    results["DuckDB SQL"].value = 0.5 * (1 + 5e-7)

    assert results["losscli"].wall == pytest.approx(1.0)  # the median, not the mean
    assert results["losscli"].peak == 100.0
    assert harness.ratio(mse, results, "polars lazy") == pytest.approx(1 / 0.9)
    assert harness.ratio(mse, results, "losscli") is None
    assert harness.disagreements(mse, results)["DuckDB SQL"] == pytest.approx(5e-7)

    verdicts = {t.name: t.met for t in harness.targets([mse], {"mse": results})}
    assert verdicts == {
        "mse: ≤ 1.0x polars (moonshot)": False,
        "mse: ≤ 1.3x polars": True,
        "mse: faster than DuckDB": True,
        "mse: ≥ 8x faster than pandas + sklearn": True,
        "mse: peak RSS ≤ 300 MB": True,
        "mse: every printed loss agrees with losscli's (≤ 1e-06 relative)": True,
    }
    results["polars lazy"].value = 0.6  # a wrong answer is reported, not hidden
    (agreement,) = (t for t in harness.targets([mse], {"mse": results}) if "agrees" in t.name)
    assert not agreement.met
    assert "polars lazy" in agreement.measured

    table = harness.render(["quick mode"], [mse], {"mse": results})
    assert table.startswith(harness.MARKER + "\n\nquick mode\n")
    assert "| work | tool | median wall | peak RSS | losscli/peer ratio |" in table
    assert "|  | polars lazy | 0.90 s | 100 MiB | 1.11 |" in table
    assert "| mse: ≤ 1.0x polars (moonshot) | 1.11x | **not met** |" in table


def test_startup_memory_and_evaluate_targets(harness: ModuleType) -> None:
    shapes = harness.FULL
    workloads = [
        harness.build(key, shapes, 0, "losscli", "python", "peer")
        for key in ("startup", "memory", "evaluate")
    ]
    startup, memory, evaluate = workloads
    assert startup.commands[1].argv == ("python", "-c", "pass")
    assert [c.argv[-1].rsplit("-", 1)[-1] for c in memory.commands] == [
        "10000000.parquet",
        "50000000.parquet",
    ]
    results = {
        "startup": fake_results(
            harness,
            startup,
            dict(zip([c.tool for c in startup.commands], (0.12, 0.02, 0.30, 0.25), strict=True)),
        ),
        "memory": fake_results(harness, memory, {c.tool: 1.0 for c in memory.commands}),
        "evaluate": fake_results(harness, evaluate, {c.tool: 1.0 for c in evaluate.commands}),
    }
    results["memory"][memory.commands[1].tool].rss = [115.0]
    results["evaluate"][evaluate.commands[0].tool].walls = [1.6]
    verdicts = {t.name: t.met for t in harness.targets(workloads, results)}
    assert verdicts["start-up: `losscli --help` ≤ 1.5x `python -c pass` + 0.1 s"] is True
    assert verdicts["start-up: compute on the small CSV ≤ 1.3x `import numpy, pyarrow.csv`"]
    assert verdicts["constant memory: peak RSS on the larger file within 10%"] is False
    assert verdicts["evaluate: 5 losses ≤ 1.5x compute -l mse"] is False
    assert verdicts["evaluate: every printed loss agrees with losscli's (≤ 1e-06 relative)"]

    text = "# Benchmarks\n\n## Other\n\nkept\n"
    section = harness.render(["full mode"], workloads, results)
    updated = harness.replace_section(text, harness.MARKER, section)
    assert "## Other\n\nkept" in updated
    assert harness.replace_section(updated, harness.MARKER, section) == updated
