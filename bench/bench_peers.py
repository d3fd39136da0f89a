"""Time losscli against its peers (polars, DuckDB, pandas + scikit-learn, pyarrow), same run.

Every command is a whole process (start-up included) timed with ``os.wait4``, which also gives
its peak RSS. Each command runs once to warm the page cache (its printed loss is read then),
then ``--repeats`` times, the commands of a workload interleaved (in a rotating order) so the
noise of this shared machine hits them all alike. The table reports medians and the ratio of
losscli's time to each peer's; every peer's printed loss must agree with losscli's.

The peers are the small scripts in bench/peers/, run by the benchmark environment's Python
(.venv-bench, from bench/requirements-peers.txt; not project dependencies). The data files
are written once, seeded, by bench/datagen.py under bench/data/ (which git ignores).

Run: make bench   (or: python bench/bench_peers.py [--quick] [--repeats N] [--only WORKLOAD]
[--losscli PATH]); the section of docs/benchmarks.md it owns is rewritten, the others kept.
This process imports nothing but the standard library, so it adds nothing to the children's
peak RSS.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench_stream import DOCS, replace_section
from datagen import Spec

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
PEERS = HERE / "peers"
MARKER = "## losscli against its peers"
DEFAULT_LOSSCLI = ROOT / ".venv" / "bin" / "losscli"
DEFAULT_PEER_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
TOLERANCE = 1e-6  # relative difference allowed between a peer's loss and losscli's
UNSET = (
    "OPENBLAS_CORETYPE",  # as `make bench`: NumPy as shipped
    "OPENBLAS_L2_SIZE",
    "PYTHONDONTWRITEBYTECODE",  # an installed losscli has its bytecode compiled
)

# Peer scripts, by the name the tables give them.
PANDAS, DUCKDB, POLARS, PYARROW = "pandas + sklearn", "DuckDB SQL", "polars lazy", "pyarrow read"
PEER_SCRIPTS = {
    PANDAS: "pandas_sklearn.py",
    DUCKDB: "duckdb_sql.py",
    POLARS: "polars_lazy.py",
    PYARROW: "pyarrow_read.py",
}
VERSIONS = """
import importlib.metadata as m, json, platform
names = ["polars", "duckdb", "pandas", "scikit-learn", "pyarrow", "numpy"]
print(json.dumps({"python": platform.python_version(), **{n: m.version(n) for n in names}}))
"""


@dataclass(frozen=True)
class Shapes:
    """Row counts of the data files of one mode."""

    name: str
    large: int  # the MSE and BCE Parquet files (and the evaluate and memory workloads)
    classes: int  # the 10-class Parquet file
    csv: int  # the MSE CSV file
    medium: int  # the smaller MSE Parquet file of the constant-memory workload
    small: int = 1_000  # the start-up CSV file


FULL = Shapes("full", 50_000_000, 10_000_000, 10_000_000, 10_000_000)
QUICK = Shapes("quick", 5_000_000, 1_000_000, 1_000_000, 1_000_000)
WORKLOADS = ("mse", "bce", "scce", "csv", "evaluate", "startup", "memory")


@dataclass(frozen=True)
class Command:
    """One timed process: its row label, its argv and how to read the loss it prints.

    ``reads`` is "compute" or "evaluate" (losscli's JSON), "float" (a peer's last line) or
    None (prints no loss). ``against`` names the row of the same workload whose time is
    divided by this row's in the ratio column (None: no ratio on this row). ``slow`` rows
    (pandas) may run fewer times.
    """

    tool: str
    argv: tuple[str, ...]
    reads: str | None = None
    against: str | None = None
    slow: bool = False


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    commands: tuple[Command, ...]
    reference: str | None = None  # the row whose loss every other printed loss must match


@dataclass
class Result:
    """Wall seconds and peak RSS (MiB) of each timed run, and the loss the command printed."""

    walls: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    value: float | None = None

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def peak(self) -> float:
        return max(self.rss)


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    met: bool


def data_specs(key: str, shapes: Shapes, seed: int) -> list[Spec]:
    """The data files workload ``key`` reads."""
    return {
        "mse": [Spec("mse", shapes.large, seed)],
        "bce": [Spec("bce", shapes.large, seed)],
        "scce": [Spec("scce", shapes.classes, seed)],
        "csv": [Spec("mse-csv", shapes.csv, seed)],
        "evaluate": [Spec("mse", shapes.large, seed)],
        "startup": [Spec("mse-csv", shapes.small, seed)],
        "memory": [Spec("mse", shapes.medium, seed), Spec("mse", shapes.large, seed)],
    }[key]


def build(key: str, shapes: Shapes, seed: int, losscli: str, python: str, peer: str) -> Workload:
    """Workload ``key``: losscli's command(s) and, for the loss workloads, the four peers.

    ``python`` is losscli's own interpreter (start-up baselines), ``peer`` the peers'.
    """
    paths = [str(DATA / spec.filename) for spec in data_specs(key, shapes, seed)]
    path = paths[-1]

    def peers(loss: str) -> tuple[Command, ...]:
        return tuple(
            Command(
                tool,
                (peer, str(PEERS / script), loss, path),
                reads=None if tool == PYARROW else "float",
                against="losscli",
                slow=tool == PANDAS,
            )
            for tool, script in PEER_SCRIPTS.items()
        )

    def compute(*loss: str, tool: str = "losscli", file: str = path, **kw: str) -> Command:
        return Command(tool, (losscli, "compute", *loss, file), reads="compute", **kw)

    if key == "mse":
        title = f"MSE, {shapes.large:,} rows Parquet"
        return Workload(key, title, (compute("-l", "mse"), *peers("mse")), "losscli")
    if key == "bce":
        title = f"BCE, {shapes.large:,} rows Parquet"
        return Workload(key, title, (compute("-l", "bce"), *peers("bce")), "losscli")
    if key == "scce":
        title = f"sparse categorical CE, {shapes.classes:,} rows x 10 float32 classes, Parquet"
        columns = ("--y-true", "label", "--y-pred", "prob_*")
        command = compute("-l", "sparse_categorical_crossentropy", *columns)
        return Workload(key, title, (command, *peers("scce")), "losscli")
    if key == "csv":
        title = f"MSE, {shapes.csv:,} rows CSV"
        return Workload(key, title, (compute("-l", "mse"), *peers("mse")), "losscli")
    if key == "evaluate":
        losses = ("-l", "mse", "-l", "mae", "-l", "huber", "-l", "log_cosh", "-l", "msle")
        argv = (losscli, "evaluate", *losses, path)
        evaluate = Command("losscli evaluate, 5 losses", argv, reads="evaluate")
        base = compute("-l", "mse", tool="losscli compute -l mse", against=evaluate.tool)
        title = f"evaluate -l mse -l mae -l huber -l log_cosh -l msle, {shapes.large:,} rows"
        return Workload(key, title, (evaluate, base), evaluate.tool)
    if key == "startup":
        help_, small = "losscli --help", f"losscli compute -l mse, {shapes.small:,}-row CSV"
        commands = (
            Command(help_, (losscli, "--help")),
            Command("python -c pass", (python, "-c", "pass"), against=help_),
            compute("-l", "mse", tool=small),
            Command(
                "python -c 'import numpy, pyarrow.csv'",
                (python, "-c", "import numpy, pyarrow.csv"),
                against=small,
            ),
        )
        return Workload(key, "start-up", commands)
    if key == "memory":
        title = "constant memory: compute -l mse on two Parquet sizes"
        commands = tuple(
            compute("-l", "mse", tool=f"losscli, {rows:,} rows", file=file)
            for rows, file in zip((shapes.medium, shapes.large), paths, strict=True)
        )
        return Workload(key, title, commands)
    raise ValueError(f"unknown workload {key!r}")


def read_value(reads: str | None, stdout: str) -> float | None:
    """The loss a command printed: losscli's JSON summary or a peer's last line."""
    if reads is None:
        return None
    if reads == "float":
        return float(stdout.split()[-1])
    results = json.loads(stdout)["results"]
    if reads == "compute":
        return float(results[0]["value"])
    overall = (r for r in results if r["loss"] == "mean_squared_error" and r["slice"] is None)
    return float(next(overall)["value"])


def relative_difference(value: float, reference: float) -> float:
    return abs(value - reference) / abs(reference) if reference else abs(value)


def measure(argv: tuple[str, ...]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB and standard output of one process."""
    env = {name: value for name, value in os.environ.items() if name not in UNSET}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if status != 0:
            tail = err.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}):\n{tail}")
        return elapsed, usage.ru_maxrss / 1024, out.read().decode()


def run(workload: Workload, repeats: int, slow_repeats: int) -> dict[str, Result]:
    """One warm-up run per command (its printed loss is kept), then interleaved repeats."""
    results = {command.tool: Result() for command in workload.commands}
    for command in workload.commands:
        _, _, stdout = measure(command.argv)
        results[command.tool].value = read_value(command.reads, stdout)
    commands = workload.commands
    for repeat in range(repeats):
        shift = repeat % len(commands)
        for command in commands[shift:] + commands[:shift]:
            if command.slow and repeat >= slow_repeats:
                continue
            wall, rss, _ = measure(command.argv)
            results[command.tool].walls.append(wall)
            results[command.tool].rss.append(rss)
    for tool, result in results.items():
        print(f"  {tool}: {result.wall:.2f} s, {result.peak:.0f} MiB", flush=True)
    return results


def ratio(workload: Workload, results: dict[str, Result], tool: str) -> float | None:
    """Time of the row ``tool`` is compared with, divided by ``tool``'s (None: no ratio)."""
    command = next(c for c in workload.commands if c.tool == tool)
    if command.against is None:
        return None
    return results[command.against].wall / results[tool].wall


def disagreements(workload: Workload, results: dict[str, Result]) -> dict[str, float]:
    """Relative difference of each printed loss from the reference row's."""
    if workload.reference is None:
        return {}
    reference = results[workload.reference].value
    assert reference is not None
    return {
        tool: relative_difference(result.value, reference)
        for tool, result in results.items()
        if tool != workload.reference and result.value is not None
    }


def loss_targets(workload: Workload, results: dict[str, Result]) -> list[Target]:
    """Parquet: ≤ 1.0x (moonshot) and ≤ 1.3x polars, faster than DuckDB, ≥ 8x faster than
    pandas + sklearn, ≤ 300 MB on the large MSE and BCE files; CSV: the polars and DuckDB ones.
    """
    key = workload.key
    polars, duckdb = (ratio(workload, results, tool) or 0.0 for tool in (POLARS, DUCKDB))
    found = [
        Target(f"{key}: ≤ 1.3x polars", f"{polars:.2f}x", polars <= 1.3),
        Target(f"{key}: faster than DuckDB", f"{duckdb:.2f}x", duckdb < 1.0),
    ]
    if key == "csv":
        return found
    pandas = ratio(workload, results, PANDAS) or 0.0
    found.insert(0, Target(f"{key}: ≤ 1.0x polars (moonshot)", f"{polars:.2f}x", polars <= 1.0))
    found.append(
        Target(
            f"{key}: ≥ 8x faster than pandas + sklearn",
            f"{1 / pandas:.1f}x faster",
            pandas <= 1 / 8,
        )
    )
    if key in ("mse", "bce"):
        peak = results["losscli"].peak
        found.append(Target(f"{key}: peak RSS ≤ 300 MB", f"{peak:.0f} MiB", peak <= 300))
    return found


def evaluate_targets(workload: Workload, results: dict[str, Result]) -> list[Target]:
    """evaluate with 5 losses ≤ 1.5x compute with one, and ≤ 300 MB on the large file."""
    evaluate, compute = (results[command.tool] for command in workload.commands)
    slower = evaluate.wall / compute.wall
    return [
        Target("evaluate: 5 losses ≤ 1.5x compute -l mse", f"{slower:.2f}x", slower <= 1.5),
        Target("evaluate: peak RSS ≤ 300 MB", f"{evaluate.peak:.0f} MiB", evaluate.peak <= 300),
    ]


def startup_targets(workload: Workload, results: dict[str, Result]) -> list[Target]:
    """--help ≤ 1.5x `python -c pass` + 0.1 s; a 1,000-row compute ≤ 1.3x the imports."""
    help_, bare, small, imports = (results[command.tool].wall for command in workload.commands)
    limit = 1.5 * bare + 0.1
    return [
        Target(
            "start-up: `losscli --help` ≤ 1.5x `python -c pass` + 0.1 s",
            f"{help_:.3f} s (limit {limit:.3f} s)",
            help_ <= limit,
        ),
        Target(
            "start-up: compute on the small CSV ≤ 1.3x `import numpy, pyarrow.csv`",
            f"{small / imports:.2f}x",
            small / imports <= 1.3,
        ),
    ]


def memory_targets(workload: Workload, results: dict[str, Result]) -> list[Target]:
    """The larger file's peak RSS within 10% of the smaller one's."""
    smaller, larger = (results[command.tool].peak for command in workload.commands)
    growth = larger / smaller - 1
    return [
        Target(
            "constant memory: peak RSS on the larger file within 10%",
            f"{smaller:.0f} → {larger:.0f} MiB ({growth:+.1%})",
            abs(growth) <= 0.10,
        )
    ]


def agreement_targets(workload: Workload, results: dict[str, Result]) -> list[Target]:
    """Every printed loss within TOLERANCE (relative) of the reference row's."""
    differences = disagreements(workload, results)
    if not differences or workload.reference is None:
        return []
    worst = max(differences, key=differences.__getitem__)
    value = results[workload.reference].value
    return [
        Target(
            f"{workload.key}: every printed loss agrees with losscli's (≤ {TOLERANCE:g} relative)",
            f"{value:.10g}; largest difference {differences[worst]:.1e} ({worst})",
            differences[worst] <= TOLERANCE,
        )
    ]


TARGETS = {
    "mse": loss_targets,
    "bce": loss_targets,
    "scce": loss_targets,
    "csv": loss_targets,
    "evaluate": evaluate_targets,
    "startup": startup_targets,
    "memory": memory_targets,
}


def targets(workloads: list[Workload], results: dict[str, dict[str, Result]]) -> list[Target]:
    """The issue's targets, as measured in this run, for the workloads that ran."""
    found: list[Target] = []
    for workload in workloads:
        found += TARGETS[workload.key](workload, results[workload.key])
        found += agreement_targets(workload, results[workload.key])
    return found


def render(
    header: list[str], workloads: list[Workload], results: dict[str, dict[str, Result]]
) -> str:
    """The section: ``header`` lines, the timings table, then the targets table."""
    lines = [MARKER, "", *header, ""]
    lines += [
        "| work | tool | median wall | peak RSS | losscli/peer ratio |",
        "|---|---|---|---|---|",
    ]
    for workload in workloads:
        res = results[workload.key]
        for index, command in enumerate(workload.commands):
            result = res[command.tool]
            value = ratio(workload, res, command.tool)
            shown = "—" if value is None else f"{value:.2f}"
            if command.against not in (None, "losscli"):
                shown += f" ({command.against} / this)"
            runs = (
                ""
                if len(result.walls) == len(res[workload.commands[0].tool].walls)
                else (f" ({len(result.walls)} runs)")
            )
            work = workload.title if index == 0 else ""
            lines.append(
                f"| {work} | {command.tool}{runs} | {result.wall:.2f} s | {result.peak:.0f} MiB "
                f"| {shown} |"
            )
    lines += ["", "### Targets", "", "| target | measured | |", "|---|---|---|"]
    for target in targets(workloads, results):
        verdict = "met" if target.met else "**not met**"
        lines.append(f"| {target.name} | {target.measured} | {verdict} |")
    return "\n".join(lines) + "\n"


def interpreter(script: str) -> str:
    """The Python a console script runs under: its ``#!`` line, else the ``python`` beside it."""
    path = Path(script)
    try:
        first = path.read_bytes()[:200].split(b"\n", 1)[0].decode()
    except (OSError, UnicodeDecodeError):
        first = ""
    if first.startswith("#!") and "python" in first:
        return first[2:].strip().split()[0]
    return str(path.with_name("python"))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return float("nan")


def megabytes(size: int) -> str:
    return f"{size / 1e6:,.0f} MB" if size >= 1e6 else f"{size / 1e3:,.0f} kB"


def output_of(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()


def commit() -> str:
    """HEAD of the repository running the benchmark, "+changes" if it has uncommitted ones
    (besides docs/benchmarks.md, which the benchmark itself rewrites)."""
    git = ["git", "-C", str(ROOT)]
    try:
        head = output_of([*git, "rev-parse", "--short", "HEAD"])
        status = [*git, "status", "--porcelain", "--untracked-files=no", "--", "."]
        changes = output_of([*status, ":(exclude)docs/benchmarks.md"])
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if changes else "")


def header(
    args: argparse.Namespace, shapes: Shapes, elapsed: float, sizes: dict[str, int]
) -> list[str]:
    """Mode, command line, date, machine and method: the lines above the tables."""
    peers = json.loads(output_of([args.peer_python, "-c", VERSIONS]))
    library = ", ".join(f"{name} {version}" for name, version in peers.items() if name != "python")
    files = ", ".join(f"{name} ({megabytes(size)})" for name, size in sizes.items())
    slow = (
        f"; {PANDAS}, the slowest and largest peer, timed {args.slow_repeats} times only"
        if args.slow_repeats < args.repeats
        else ""
    )
    return [
        f"Produced by `{' '.join(['python bench/bench_peers.py', *args.argv])}` "
        f"— **{shapes.name} mode** — on {datetime.date.today().isoformat()}, in {elapsed:.0f} s "
        "(data generation included).",
        "",
        f"Machine: {os.cpu_count()} cores, {cpu_model()}, {memory_gib():.0f} GiB, "
        f"{platform.system()} {platform.release()}; shared, so compare ratios within one run.",
        f"losscli: `{args.losscli}` ({output_of([args.losscli, '--version'])}); the repository "
        f"running the benchmark at {args.commit}.",
        f"Peers (.venv-bench): Python {peers['python']}, {library}.",
        f"Data (seed {args.seed}, bench/datagen.py): {files}.",
        "",
        "Whole processes, start-up included, warm page cache (one warm-up run per command), "
        f"median wall time of {args.repeats} runs interleaved across the commands of a "
        f"workload{slow}, largest peak RSS (`ru_maxrss`) of those runs. "
        "The ratio column is losscli's median time over the row's (below 1: losscli is faster). "
        "Every peer's printed loss is checked against losscli's. Load average (1 min) at the "
        f"start and end of the run: {args.load[0]:.1f}, {os.getloadavg()[0]:.1f}.",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5M/1M-row files, 3 repeats")
    parser.add_argument("--repeats", type=int, help="timed runs per command (default 5, quick 3)")
    parser.add_argument("--slow-repeats", type=int, help=f"timed runs of {PANDAS} (default 3)")
    parser.add_argument(
        "--only",
        action="append",
        choices=WORKLOADS,
        metavar="WORKLOAD",
        help=f"run only this workload (repeatable): {', '.join(WORKLOADS)}",
    )
    parser.add_argument("--losscli", default=str(DEFAULT_LOSSCLI), help="losscli command to time")
    parser.add_argument("--peer-python", default=str(DEFAULT_PEER_PYTHON))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--output",
        type=Path,
        help="Markdown file whose section to rewrite (default: docs/benchmarks.md, "
        "unless --only is given: then the tables are only printed)",
    )
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else argv
    shapes = QUICK if args.quick else FULL
    args.repeats = args.repeats or (3 if args.quick else 5)
    args.slow_repeats = min(args.repeats, args.slow_repeats or 3)
    output = args.output or (None if args.only else DOCS)
    for program in (args.losscli, args.peer_python):
        if not os.access(program, os.X_OK):
            parser.error(f"{program} not found: run `make install bench-env`, or pass its path")

    start = time.perf_counter()
    args.commit, args.load = commit(), os.getloadavg()
    keys = [key for key in WORKLOADS if not args.only or key in args.only]
    specs = list(dict.fromkeys(s for key in keys for s in data_specs(key, shapes, args.seed)))
    texts = [f"{spec.kind}:{spec.rows}" for spec in specs]
    datagen = [args.peer_python, str(HERE / "datagen.py"), str(DATA), "--seed", str(args.seed)]
    subprocess.run([*datagen, *texts], check=True)
    sizes = {spec.filename: (DATA / spec.filename).stat().st_size for spec in specs}

    python = interpreter(args.losscli)
    workloads = [
        build(key, shapes, args.seed, args.losscli, python, args.peer_python) for key in keys
    ]
    results: dict[str, dict[str, Result]] = {}
    for workload in workloads:
        print(f"{workload.title}:", flush=True)
        results[workload.key] = run(workload, args.repeats, args.slow_repeats)

    lines = header(args, shapes, time.perf_counter() - start, sizes)
    section = render(lines, workloads, results)
    print("\n" + section)
    if output is not None:
        text = output.read_text() if output.exists() else "# Benchmarks\n\n"
        output.write_text(replace_section(text, MARKER, section))
        print(f"wrote {output}")
    wrong = [t for t in targets(workloads, results) if "agrees" in t.name and not t.met]
    if wrong:
        print("error: a peer's loss disagrees with losscli's:", *(t.measured for t in wrong))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
