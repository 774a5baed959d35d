"""Benchmarks of issue 13: batch replay against json-logic, workers, Dask, 1M documents, cold start.

    python benchmarks/replay.py            # full: about 20 minutes on 2 cores
    python benchmarks/replay.py --quick    # the same sections, smaller: a few minutes
    python benchmarks/replay.py --only batch,cold

Needs the ``bench`` extra (json-logic) and, for the dask section, the ``dask`` extra. Every
number is a ratio against a baseline measured in the same run; targets are reported, never
asserted. Results go to ``benchmarks/results/replay-<time>.json`` (not committed).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import jsonlogic_baseline  # noqa: E402 -- after the path set-up above
import machine  # noqa: E402
import memory  # noqa: E402
import startup  # noqa: E402
import workloads  # noqa: E402

from incident_rules import Engine, Incident  # noqa: E402
from incident_rules._features import compute_features  # noqa: E402

AT = "detected+30m"
#: The backend of the workers, dask and million sections (``--backend``): native, the one that
#: runs everywhere; batch and explained measure every backend that imports.
BACKEND = {"name": "native"}
SECTIONS = ("batch", "explained", "workers", "dask", "million", "cold")
FULL = {"batch": 3000, "rounds": 5, "workers": 40_000, "dask": 100_000, "million": 1_000_000, "cold": 7}
QUICK = {"batch": 500, "rounds": 3, "workers": 4000, "dask": 10_000, "million": 50_000, "cold": 3}
TARGETS = {
    "batch / json-logic": ("<", 1.0),
    "explained / json-logic": ("<=", 3.0),
    "workers=2 speed-up": (">=", 1.7),
    "dask 2 workers speed-up": (">=", 1.6),
    "cold CLI / python -c pass": ("<=", 5.0),
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def write_lines(path: Path, count: int, distinct: int = 1000) -> Path:
    """``count`` JSON lines cycling through ``distinct`` generated documents, each with its own id."""
    texts = [json.dumps(document) for document, _ in workloads.documents(distinct)]
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            out.write(texts[n % distinct].replace('"id": "', f'"id": "{n}-', 1) + "\n")
    return path


def per_document(call: Callable[[], int], rounds: int) -> float:
    """Median CPU µs per document of ``call`` (which returns how many it did) over ``rounds``.

    CPU time of this process, not wall time: on this shared machine a process often waits for
    a core, and the wait would land on whichever subject was running then.
    """
    samples = []
    for _ in range(rounds):
        start = time.process_time()
        done = call()
        samples.append((time.process_time() - start) / done * 1e6)
    return statistics.median(samples)


def _json_logic_inputs(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    engine = Engine.default()
    inputs = []
    for document in documents:
        incident = Incident.from_dict(document)
        at = incident.detected_at
        features = compute_features(incident, at, engine.params)
        inputs.append(jsonlogic_baseline.facts(incident, bool(features["change_correlated"].value)))
    return inputs


def json_logic_us(documents: list[dict[str, Any]], rounds: int) -> float:
    """The json-logic baseline: both trees on precomputed facts, µs per document."""
    inputs = _json_logic_inputs(documents)
    return per_document(lambda: len([jsonlogic_baseline.decide(facts) for facts in inputs]), rounds)


def section_batch(size: dict[str, int], folder: Path) -> dict[str, Any]:
    """Batch decisions from JSON lines (every ruleset, features, deadlines) against json-logic."""
    path = write_lines(folder / "batch.jsonl", size["batch"])
    documents = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    out: dict[str, Any] = {}
    for backend in _backends():
        engine = Engine.default(backend=backend)
        batch_us, logic_us = [], []
        for _ in range(size["rounds"]):  # interleaved: a slow spell hits both
            batch_us.append(per_document(lambda e=engine: sum(1 for _ in e.assess_many(path, at=AT)), 1))
            logic_us.append(json_logic_us(documents, 1))
        out[backend] = {
            "batch_us": statistics.median(batch_us),
            "json_logic_us": statistics.median(logic_us),
            "batch / json-logic": statistics.median(batch_us) / statistics.median(logic_us),
        }
    return out


def _explained(engine: Engine, pairs: list[tuple[dict[str, Any], Any]]) -> int:
    for document, at in pairs:
        assessment = engine.assess(document, at=at)
        for outcome in assessment.decisions.values():
            for decision in outcome if isinstance(outcome, tuple) else (outcome,) if outcome else ():
                _ = decision.explanation
    return len(pairs)


def section_explained(size: dict[str, int], folder: Path) -> dict[str, Any]:
    """An explained assessment from a dict (every explanation read) against json-logic."""
    documents = [document for document, _ in workloads.documents(size["batch"] // 3)]
    pairs = [(d, Incident.from_dict(d).detected_at + timedelta(minutes=30)) for d in documents]
    out: dict[str, Any] = {}
    for backend in _backends():
        engine = Engine.default(backend=backend)
        explained, logic = [], []
        for _ in range(size["rounds"]):
            explained.append(per_document(lambda e=engine: _explained(e, pairs), 1))
            logic.append(json_logic_us(documents, 1))
        ratio = statistics.median(explained) / statistics.median(logic)
        out[backend] = {
            "explained_us": statistics.median(explained),
            "json_logic_us": statistics.median(logic),
            "explained / json-logic": ratio,
        }
    return out


def _backends() -> list[str]:
    from incident_rules._backends.durable import durable_available

    return ["native"] + (["durable"] if durable_available() is None else [])


def _wall(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _count(rows: Any) -> int:
    return sum(1 for _ in rows)


def section_workers(size: dict[str, int], folder: Path) -> dict[str, Any]:
    """workers=2 against workers=1 on the same JSON lines file (wall time, pool start included)."""
    path = write_lines(folder / "workers.jsonl", size["workers"])
    engine = Engine.default(backend=BACKEND["name"])
    one, two, caller_cpu = [], [], []
    for _ in range(2):
        one.append(_wall(lambda: _count(engine.assess_many(path, at=AT))))
        cpu = time.process_time()
        two.append(_wall(lambda: _count(engine.assess_many(path, at=AT, workers=2))))
        caller_cpu.append(time.process_time() - cpu)
    return {
        "documents": size["workers"],
        "workers=1_s": min(one),
        "workers=2_s": min(two),
        # What the caller's own process spends (spans, unpacking rows): a core it takes from them.
        "workers=2_caller_cpu_s": min(caller_cpu),
        "workers=2 speed-up": min(one) / min(two),
    }


#: Partitions per Dask worker: four, so that no worker waits long while the other finishes.
PARTS_PER_WORKER = 4
DASK_WORKERS = 2


def _process_cpu() -> float:
    """CPU seconds this process has used, every thread (run on each worker by ``client.run``)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _lines_bag(path: Path, partitions: int) -> Any:
    """``path`` as a Dask bag of exactly ``partitions`` partitions of lines.

    Dask cuts a file into ``size // blocksize`` blocks, so the block size is the size over the
    partitions rounded down: rounded up (``size // n + 1``) it makes one partition fewer, and
    with 7 partitions on 2 workers one worker decides 4/7 of the documents.
    """
    import dask.bag

    bag = dask.bag.read_text(str(path), blocksize=path.stat().st_size // partitions)
    if bag.npartitions != partitions:
        raise RuntimeError(f"dask made {bag.npartitions} partitions of {path}, not {partitions}")
    return bag


def _warm_up(path: Path, engine: Engine) -> float:
    """Seconds of a first small Dask replay: it imports pandas and dask.dataframe in the client
    and in every worker, one-time costs the serial baseline paid before its timer."""
    import dask.bag

    from incident_rules.dask import assess_bag

    with path.open(encoding="utf-8") as lines:
        first = [line for line, _ in zip(lines, range(8 * DASK_WORKERS), strict=False)]
    bag = dask.bag.from_sequence(first, npartitions=DASK_WORKERS)
    return _wall(lambda: assess_bag(bag, at=AT, engine=engine).compute())


def _dask_replay(client: Any, bag: Any, engine: Engine) -> dict[str, Any]:
    """One timed Dask replay of ``bag``: wall time, CPU time of each worker and of the client."""
    from distributed import get_task_stream

    from incident_rules.dask import assess_bag

    before, client_cpu = client.run(_process_cpu), time.process_time()
    rows = [0]
    with get_task_stream(client) as stream:
        wall = _wall(lambda: rows.__setitem__(0, len(assess_bag(bag, at=AT, engine=engine).compute())))
    client_cpu = time.process_time() - client_cpu
    after = client.run(_process_cpu)
    # The tasks that read a partition and decide it (fused into one).
    tasks = [task["worker"] for task in stream.data if "read-block" in str(task["key"])]
    return {
        "rows": rows[0],
        "wall_s": wall,
        "workers_cpu_s": [after[worker] - before[worker] for worker in sorted(after)],
        "reading_tasks_per_worker": [tasks.count(worker) for worker in sorted(after)],
        # The client process also runs the scheduler and the nannies of a LocalCluster.
        "client_cpu_s": client_cpu,
    }


def section_dask(size: dict[str, int], folder: Path) -> dict[str, Any]:
    """A LocalCluster of 2 worker processes against the serial batch, on one JSON lines file.

    Both sides are timed warm: the serial engine is built (and its imports done) before its
    timer, and the cluster first decides a few documents (reported apart, ``first_call_s``).
    CPU time, of the serial process and of every process of the cluster, is reported beside
    the wall times: it survives a loaded machine, where wall-time speed-ups do not.
    """
    from distributed import Client, LocalCluster

    path = write_lines(folder / "dask.jsonl", size["dask"])
    engine = Engine.default(backend=BACKEND["name"])
    serial_cpu = time.process_time()
    serial = _wall(lambda: _count(engine.assess_many(path, at=AT)))
    serial_cpu = time.process_time() - serial_cpu
    bag = _lines_bag(path, DASK_WORKERS * PARTS_PER_WORKER)
    cluster = LocalCluster(n_workers=DASK_WORKERS, threads_per_worker=1, dashboard_address=None)
    with cluster, Client(cluster) as client:
        first_call = _warm_up(path, engine)
        replay = _dask_replay(client, bag, engine)
    if replay["rows"] != size["dask"]:
        raise RuntimeError(f"dask gave {replay['rows']} rows for {size['dask']} documents")
    dask_cpu = sum(replay["workers_cpu_s"]) + replay["client_cpu_s"]
    return {
        "documents": size["dask"],
        "partitions": bag.npartitions,
        "serial_s": serial,
        "serial_cpu_s": serial_cpu,
        "first_call_s": first_call,
        "dask_s": replay["wall_s"],
        **{f"dask_{key}": value for key, value in replay.items() if key not in ("rows", "wall_s")},
        "dask cpu / serial cpu": dask_cpu / serial_cpu,
        "dask 2 workers speed-up": serial / replay["wall_s"],
    }


def million_worker(path: str, backend: str) -> dict[str, Any]:
    """In a fresh process: replay every line of ``path``, RSS at each twentieth of the way."""
    engine = Engine.default(backend=backend)  # type: ignore[arg-type]  # checked by argparse
    total = sum(1 for _ in open(path, encoding="utf-8"))  # noqa: SIM115 -- counted, then closed by GC
    marks, done = {}, 0
    start = time.perf_counter()
    for _ in engine.assess_many(path, at=AT):
        done += 1
        if done % (total // 20) == 0:
            marks[done] = memory.rss_kib()
            log(f"million: {done:,} documents, {time.perf_counter() - start:.0f} s, RSS {marks[done]:,} KiB")
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"documents": done, "wall_s": wall, "peak_rss_kib": peak, "rss_kib_by_documents": marks}


def section_million(size: dict[str, int], folder: Path) -> dict[str, Any]:
    """1,000,000 documents from JSON lines: wall time, and RSS from a twentieth to the end."""
    path = write_lines(folder / "million.jsonl", size["million"])
    call = f"replay.million_worker({str(path)!r}, {BACKEND['name']!r})"
    code = f"import replay, json; print(json.dumps({call}))"
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, cwd=HERE, stdout=subprocess.PIPE, text=True, check=True)  # noqa: S603 -- our own command
    result: dict[str, Any] = json.loads(done.stdout)
    rss = list(result["rss_kib_by_documents"].values())
    result["rss_growth_kib_after_first_twentieth"] = rss[-1] - rss[0]
    path.unlink()
    return result


def section_cold(size: dict[str, int], folder: Path) -> dict[str, Any]:
    """``incident-rules assess`` as a new process against ``python -c pass``, and the import time.

    Measured as ``startup.py`` measures it (CPU time of each child, in turn, bytecode and caches
    written), so the two families cannot disagree on how.
    """
    command = [*startup._command(), *startup.ASSESS, "--format", "json"]
    pairs = startup._pairs(command, startup._environment(cache=True), size["cold"])
    return {
        **pairs,
        "cold CLI / python -c pass": pairs["ratio_cpu"],
        "import_incident_rules_ms": startup._import_ms("incident_rules", size["cold"]),
    }


def _verdicts(results: dict[str, Any]) -> list[tuple[str, str, float, str, str]]:
    """Every target found in ``results``: where, which, the ratio, the verdict, the load then."""
    found = []

    def walk(where: str, value: Any, load: str) -> None:
        if not isinstance(value, dict):
            return
        if isinstance(value.get("load_average"), dict):  # a section's, not the machine's
            start, end = value["load_average"]["start"], value["load_average"]["end"]
            load = f"{start[0]:.1f}-{end[0]:.1f}" if start and end else "?"
        for key, inner in value.items():
            if key in TARGETS and isinstance(inner, float):
                op, limit = TARGETS[key]
                met = {"<": inner < limit, "<=": inner <= limit, ">=": inner >= limit}[op]
                found.append((where, key, inner, f"{op} {limit}: {'met' if met else 'not met'}", load))
            else:
                walk(f"{where}/{key}" if where else key, inner, load)

    walk("", results, "?")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=N", help="a size, e.g. million=200000"
    )
    parser.add_argument("--backend", default="native", choices=("native", "durable", "auto"))
    options = parser.parse_args()
    BACKEND["name"] = options.backend
    size = dict(QUICK if options.quick else FULL)
    size |= {name: int(value) for name, _, value in (pair.partition("=") for pair in options.set)}
    results: dict[str, Any] = {"environment": machine.environment(), "size": size, "backend": options.backend}
    with tempfile.TemporaryDirectory(prefix="incident-rules-replay-") as folder:
        for name in options.only.split(","):
            log(f"{name} ...")
            before = machine.load_average()
            results[name] = globals()[f"section_{name}"](size, Path(folder))
            # This machine is shared: the load beside every number says how far to trust it.
            results[name]["load_average"] = {"start": before, "end": machine.load_average()}
            log(f"{name}: {json.dumps(results[name])}")
    print(f"{'section':22} {'target':28} {'measured':>8}  {'verdict':22} load (1 min, start-end)")
    for where, key, value, verdict, load in _verdicts(results):
        print(f"{where:22} {key:28} {value:8.2f}  {verdict:22} {load}")
    if "million" in results:
        million = results["million"]
        print(
            f"million: {million['documents']:,} documents in {million['wall_s']:.0f} s, peak RSS "
            f"{million['peak_rss_kib']:,} KiB, growth after the first twentieth "
            f"{million['rss_growth_kib_after_first_twentieth']:,} KiB"
        )
    stamp = time.strftime("%Y%m%dT%H%M%S")
    out = HERE / "results" / f"replay-{stamp}-{'quick' if options.quick else 'full'}.json"
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"written {out}")


if __name__ == "__main__":
    main()
