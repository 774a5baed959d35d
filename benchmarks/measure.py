"""The measurements, each a function returning JSON-ready data.

``run.py`` calls the in-process ones directly and the others through worker subprocesses (so
a durable_rules hang is a timeout, not a stuck benchmark, and each point starts cold).
Every number is measured next to its baseline, interleaved, in the same process.
"""

from __future__ import annotations

import gc
import math
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import timing
import workloads
import yaml
from timing import Subject

import oracle
from incident_rules import Engine, EngineError, Incident
from incident_rules._decisions.data import each_decision
from incident_rules._engine import default_rules_dir

BACKENDS = ("native", "durable")
#: The engine subject is compared with the baseline subject.
RATIOS = (
    ("native", "oracle"),
    ("native+explained", "oracle"),
    ("durable", "raw_durable"),
    ("durable+explained", "raw_durable"),
    ("durable.run", "raw_durable"),
    ("durable", "native"),
)


def parse_at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def durable_unavailable() -> str | None:
    """None when the durable backend can be built here, else why not."""
    try:
        Engine.default(backend="durable")
    except EngineError as error:
        return str(error)
    return None


# -- which engines -------------------------------------------------------------------------------


def _rules_files() -> tuple[dict[str, tuple[Path, tuple[str, ...]]], list[Path]]:
    """Each shipped ruleset's file and what it reads; and the files that only declare params."""
    rulesets, params_only = {}, []
    for path in sorted(default_rules_dir().glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "ruleset" in data:
            reads = tuple(data.get("uses") or ()) + ((data["revises"],) if data.get("revises") else ())
            rulesets[data["ruleset"]] = (path, reads)
        else:
            params_only.append(path)
    return rulesets, params_only


def ruleset_files(name: str) -> list[Path]:
    """A ruleset's file, the params files, and the files of every ruleset it uses, transitively."""
    rulesets, params_only = _rules_files()
    needed, pending = [], [name]
    while pending:
        current = pending.pop()
        if current not in needed:
            needed.append(current)
            pending += list(rulesets[current][1])
    return [*params_only, *(rulesets[item][0] for item in needed)]


def build(target: str, backend: str) -> Engine:
    """``whole``: ``Engine.default()``; a ruleset name: that ruleset with what it uses."""
    if target == "whole":
        return Engine.default(backend=backend)  # type: ignore[arg-type]
    return Engine.from_path(*ruleset_files(target), backend=backend)  # type: ignore[arg-type]


def targets() -> list[str]:
    """The whole assessment, then every ruleset ``Engine.default()`` has, in its order."""
    return ["whole", *(ruleset.name for ruleset in Engine.default(backend="native").rulesets)]


def capture_facts(engine: Engine, incident: Incident, at: datetime) -> dict[str, Any] | None:
    """The flat facts the engine's backend receives for this input (None if internals changed)."""
    backend = getattr(engine, "_backend", None)
    if backend is None or not hasattr(backend, "run"):
        return None
    seen: list[dict[str, Any]] = []
    original = backend.run

    def spy(facts: dict[str, Any]) -> Any:
        seen.append(dict(facts))
        return original(facts)

    backend.run = spy
    try:
        engine.assess(incident, at=at)
    finally:
        del backend.run
    return seen[0] if seen else None


# -- subjects ------------------------------------------------------------------------------------


class Setup:
    """The engines and baselines for one target on one list of inputs, ready to time."""

    def __init__(self, target: str, inputs: list[tuple[Incident, datetime]], durable_ok: bool) -> None:
        self.target = target
        self.inputs = inputs
        self.engines = {
            backend: build(target, backend) for backend in BACKENDS if backend == "native" or durable_ok
        }
        self.notes: list[str] = []
        native = self.engines["native"]
        names = tuple(ruleset.name for ruleset in native.rulesets)
        self.revises = {r.name: r.revises for r in native.rulesets if getattr(r, "revises", None)}
        self.oracle = oracle.make(names, native.params) if all(map(oracle.known, names)) else None
        if self.oracle is None:
            self.notes.append(f"no oracle for {', '.join(n for n in names if not oracle.known(n))}")
        self.facts = [capture_facts(native, incident, at) for incident, at in inputs]
        self.raw = self._raw() if "durable" in self.engines else None

    def _raw(self) -> Any:
        if any(facts is None for facts in self.facts):
            self.notes.append("raw durable_rules: cannot capture the backend's facts (internals changed)")
            return None
        try:
            from raw_durable import RawDurable

            return RawDurable(self.engines["durable"]._plan)
        except Exception as error:  # noqa: BLE001 -- report, do not measure something else
            self.notes.append(f"raw durable_rules unavailable: {type(error).__name__}: {error}")
            return None

    def check(self) -> dict[str, Any]:
        """Do the engines, the oracle and raw durable_rules make the same decisions?"""
        agree = {"inputs": len(self.inputs)}
        reference = [oracle.assessed_values(self.engines["native"].assess(i, at=a)) for i, a in self.inputs]
        if "durable" in self.engines:
            durable = [
                oracle.assessed_values(self.engines["durable"].assess(i, at=a)) for i, a in self.inputs
            ]
            agree["durable_equals_native"] = sum(x == y for x, y in zip(durable, reference, strict=True))
        if self.oracle is not None:
            decided = [oracle.as_assessed(self.oracle(i, a), self.revises) for i, a in self.inputs]
            agree["oracle_equals_native"] = sum(x == y for x, y in zip(decided, reference, strict=True))
        if self.raw is not None:
            raw = [self._raw_values(facts) for facts in self.facts]
            agree["raw_equals_native"] = sum(x == y for x, y in zip(raw, reference, strict=True))
        return agree

    def _raw_values(self, facts: dict[str, Any] | None) -> dict[str, Any]:
        _, result = self.raw.run(dict(facts))  # type: ignore[arg-type]
        hits = {stage.ruleset.name: stage.ruleset.hit for stage in self.raw_plan().stages}
        values: dict[str, Any] = {}
        for name, chosen in result.items():
            values[name] = frozenset(chosen) if hits[name] == "collect" else (chosen[0] if chosen else None)
        return oracle.as_assessed(values, self.revises)

    def raw_plan(self) -> Any:
        return self.engines["durable"]._plan

    def subjects(self) -> list[Subject]:
        inputs, count = self.inputs, len(self.inputs)
        subjects = []
        for backend, engine in self.engines.items():
            subjects.append(Subject(backend, _assess(engine, inputs)))
            subjects.append(Subject(f"{backend}+explained", _assess(engine, inputs, explained=True)))
        if self.facts[0] is not None:
            subjects.append(
                Subject("native.run", _backend_run(self.engines["native"], self.facts), self_timed=True)
            )
            if "durable" in self.engines:
                subjects.append(
                    Subject("durable.run", _backend_run(self.engines["durable"], self.facts), self_timed=True)
                )
        if self.raw is not None:
            raw, facts = self.raw, self.facts
            subjects.append(
                Subject("raw_durable", lambda i: raw.run(dict(facts[i % count]))[0], self_timed=True)
            )
        if self.oracle is not None:
            decide = self.oracle
            subjects.append(Subject("oracle", lambda i: decide(*inputs[i % count])))
        return subjects


def _assess(
    engine: Engine, inputs: list[tuple[Incident, datetime]], explained: bool = False
) -> Callable[[int], Any]:
    """One assessment per call; ``explained`` also reads every decision's explanation."""
    count = len(inputs)

    def call(i: int) -> Any:
        incident, at = inputs[i % count]
        assessment = engine.assess(incident, at=at)
        if explained:
            for decision in each_decision(assessment.decisions):
                decision.explanation  # noqa: B018 -- reading it is what is timed
        return assessment

    return call


def _backend_run(engine: Engine, all_facts: list[Any]) -> Callable[[int], int]:
    backend, count, clock = engine._backend, len(all_facts), time.perf_counter_ns

    def call(i: int) -> int:
        facts = dict(all_facts[i % count])
        start = clock()
        backend.run(facts)
        return clock() - start

    return call


def summarize(samples: dict[str, list[int]]) -> dict[str, Any]:
    """Statistics per subject and the ratios of medians of RATIOS that were measured."""
    result: dict[str, Any] = {name: timing.stats(values) for name, values in samples.items()}
    ratios = {}
    for subject, baseline in RATIOS:
        if subject in result and baseline in result:
            ratios[f"{subject}/{baseline}"] = round(
                result[subject]["median_us"] / result[baseline]["median_us"], 2
            )
    result["ratios"] = ratios
    return result


def auto_interleaved(
    subjects: list[Subject], budget_s: float, rounds: int = 5, cap: int = 20000
) -> dict[str, list[int]]:
    """Interleaved samples sized so the whole takes about ``budget_s`` seconds."""
    cost = 0.0
    for subject in subjects:
        start = time.perf_counter()
        for i in range(3):
            subject.call(i)
        cost += (time.perf_counter() - start) / 3
    calls = max(20, min(cap, int(budget_s / max(cost, 1e-9))))
    return timing.interleaved(subjects, rounds, math.ceil(calls / rounds))


# -- in-process sections -------------------------------------------------------------------------


def workload_inputs(name: str, mixed_count: int) -> list[tuple[Incident, datetime]]:
    """``seed``: the seed example at 14:30; ``mixed``: generated documents, the seed first."""
    docs = workloads.documents(mixed_count if name == "mixed" else 1)
    return [(Incident.from_dict(doc), parse_at(at)) for doc, at in docs]


def latency(quick: bool, durable_ok: bool, log: Callable[[str], None]) -> dict[str, Any]:
    """Median and p99 of assess per target, backend and workload, with the baselines."""
    rounds, per_round = (3, 150) if quick else (10, 500)
    result: dict[str, Any] = {}
    for workload in ("seed", "mixed"):
        inputs = workload_inputs(workload, 200)
        for target in targets():
            log(f"latency {workload} {target}")
            setup = Setup(target, inputs, durable_ok)
            per = per_round if target == "whole" else per_round // 2
            gc.collect()
            samples = timing.interleaved(setup.subjects(), rounds, per)
            entry = summarize(samples)
            entry["agreement"] = setup.check()
            entry["notes"] = setup.notes
            result[f"{workload}/{target}"] = entry
    return result


def throughput(quick: bool, durable_ok: bool, log: Callable[[str], None]) -> dict[str, Any]:
    """Documents per second over a batch of generated documents, from JSON-shaped dicts."""
    size, repeats = (300, 1) if quick else (1000, 3)
    batch = workloads.documents(size, seed=7)
    incidents = [(Incident.from_dict(doc), parse_at(at)) for doc, at in batch]
    engines = {
        backend: Engine.default(backend=backend) for backend in BACKENDS if backend == "native" or durable_ok
    }
    native = engines["native"]
    decide = (
        oracle.make(tuple(r.name for r in native.rulesets), native.params)
        if all(oracle.known(r.name) for r in native.rulesets)
        else None
    )
    jobs: dict[str, Callable[[], object]] = {
        "Incident.from_dict only": lambda: [Incident.from_dict(d) for d, _ in batch]
    }
    for backend, engine in engines.items():
        jobs[f"{backend} assess(dict)"] = lambda e=engine: [e.assess(doc, at=at) for doc, at in batch]
        jobs[f"{backend} assess(Incident)"] = lambda e=engine: [e.assess(i, at=at) for i, at in incidents]
    if decide is not None:
        jobs["oracle (Incident)"] = lambda: [decide(i, at) for i, at in incidents]
    seconds: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(repeats):
        for name, job in jobs.items():
            log(f"throughput {name}")
            gc.collect()
            start = time.perf_counter()
            job()
            seconds[name].append(time.perf_counter() - start)
    result: dict[str, Any] = {"documents": size, "repeats": repeats}
    for name, values in seconds.items():
        best = sorted(values)[len(values) // 2]
        result[name] = {
            "seconds": round(best, 4),
            "docs_per_s": round(size / best),
            "us_per_doc": round(1e6 * best / size, 1),
        }
    return result


def profiles(backends: list[str], quick: bool) -> dict[str, Any]:
    """cProfile of the whole assessment on the mixed workload, per backend."""
    inputs = workload_inputs("mixed", 200)
    count = 500 if quick else 3000
    result = {}
    for backend in backends:
        engine = Engine.default(backend=backend)  # type: ignore[arg-type]
        call = _assess(engine, inputs)
        for i in range(200):
            call(i)
        result[backend] = timing.profile(call, count)
    return result


# -- worker sections (each in a fresh process, started with a timeout) ----------------------------


def _scaling_subjects(
    engines: dict[str, Engine], incident: Incident, at: datetime, prefix: str
) -> list[Subject]:
    inputs = [(incident, at)]
    subjects = []
    for name, engine in engines.items():
        subjects.append(Subject(f"{prefix}{name}", _assess(engine, inputs)))
        subjects.append(Subject(f"{prefix}{name}+explained", _assess(engine, inputs, explained=True)))
    facts = capture_facts(engines.get("native") or next(iter(engines.values())), incident, at)
    if facts is not None:
        for name, engine in engines.items():
            subjects.append(Subject(f"{prefix}{name}.run", _backend_run(engine, [facts]), self_timed=True))
    if "durable" in engines and facts is not None:
        from raw_durable import RawDurable

        raw = RawDurable(engines["durable"]._plan)
        subjects.append(Subject(f"{prefix}raw_durable", lambda i: raw.run(dict(facts))[0], self_timed=True))
    return subjects


def _by_point(samples: dict[str, list[int]], points: list[int]) -> dict[int, dict[str, Any]]:
    return {
        point: summarize(
            {
                name.split(":", 1)[1]: values
                for name, values in samples.items()
                if name.startswith(f"{point}:")
            }
        )
        for point in points
    }


def _scaling_rules(directory: Path, hit: str, count: int) -> Path:
    params = next(path for path in _rules_files()[1] if path.name == "params.yaml")
    return workloads.write_scaling_rules(directory / str(count), params, count, hit)


def rules_probe(backend: str, hit: str, count: int) -> dict[str, Any]:
    """Compile one generated ruleset of ``count`` rules cold, and assess once with it."""
    with tempfile.TemporaryDirectory(prefix="incident-rules-bench-") as directory:
        path = _scaling_rules(Path(directory), hit, count)
        start = time.perf_counter()
        engine = Engine.from_path(path.parent, backend=backend)  # type: ignore[arg-type]
        compiled = time.perf_counter()
        engine.assess(Incident.from_dict(workloads.scaling_document()), at=workloads.SCALING_AT)
        return {
            "compile_s": round(compiled - start, 4),
            "first_assess_s": round(time.perf_counter() - compiled, 4),
        }


def rules_curve(backend: str, hit: str, counts: list[int], budget_s: float) -> dict[int, dict[str, Any]]:
    """Assess latency at every rule count, interleaved so that noise hits every point alike.

    Each durable point also measures the native backend and raw durable_rules beside it.
    """
    incident = Incident.from_dict(workloads.scaling_document())
    at = parse_at(workloads.SCALING_AT)
    subjects = []
    with tempfile.TemporaryDirectory(prefix="incident-rules-bench-") as directory:
        for count in counts:
            path = _scaling_rules(Path(directory), hit, count)
            engines = {backend: Engine.from_path(path.parent, backend=backend)}  # type: ignore[arg-type]
            if backend == "durable":
                engines["native"] = Engine.from_path(path.parent, backend="native")
            subjects += _scaling_subjects(engines, incident, at, f"{count}:")
    return _by_point(auto_interleaved(subjects, budget_s * len(counts), rounds=8), counts)


def timeline_probe(backend: str, length: int) -> dict[str, Any]:
    """Structure and assess once the seed example with a timeline of ``length`` entries."""
    document, at = workloads.long_timeline_document(length)
    start = time.perf_counter()
    Engine.default(backend=backend).assess(document, at=at)  # type: ignore[arg-type]
    return {"first_assess_s": round(time.perf_counter() - start, 4)}


def timeline_curve(backend: str, lengths: list[int], budget_s: float) -> dict[int, dict[str, Any]]:
    """Assess latency for the seed example with timelines of each length, interleaved."""
    engines = {backend: Engine.default(backend=backend)}  # type: ignore[arg-type]
    if backend == "durable":
        engines["native"] = Engine.default(backend="native")
    native = engines.get("native", engines[backend])
    names = tuple(r.name for r in native.rulesets)
    decide = oracle.make(names, native.params) if all(map(oracle.known, names)) else None
    engine = engines[backend]
    subjects = []
    for length in lengths:
        document, at_text = workloads.long_timeline_document(length)
        at = parse_at(at_text)
        incident = Incident.from_dict(document)
        prefix = f"{length}:"
        subjects += _scaling_subjects(engines, incident, at, prefix)
        subjects.append(
            Subject(f"{prefix}{backend} assess(dict)", lambda i, d=document, a=at: engine.assess(d, at=a))
        )
        subjects.append(Subject(f"{prefix}Incident.from_dict", lambda i, d=document: Incident.from_dict(d)))
        if decide is not None:
            subjects.append(Subject(f"{prefix}oracle", lambda i, n=incident, a=at: decide(n, a)))
    return _by_point(auto_interleaved(subjects, budget_s * len(lengths), rounds=8), lengths)


def soak(backend: str, count: int, warmup: int, max_s: float, points: int = 20) -> dict[str, Any]:
    """Resident memory over ``count`` assessments of mixed documents, after ``warmup`` of them.

    Stops early after ``max_s`` seconds (the result says how many assessments were made).
    """
    engine = Engine.default(backend=backend)  # type: ignore[arg-type]
    inputs = workload_inputs("mixed", 500)
    size = len(inputs)
    for i in range(warmup):
        incident, at = inputs[i % size]
        engine.assess(incident, at=at)
    gc.collect()
    baseline = timing.rss_kib()
    curve = [(0, baseline)]
    step = max(1, count // points)
    start = time.perf_counter()
    done = 0
    while done < count and time.perf_counter() - start < max_s:
        for i in range(done, min(count, done + step)):
            incident, at = inputs[i % size]
            engine.assess(incident, at=at)
        done = min(count, done + step)
        curve.append((done, timing.rss_kib()))
    elapsed = time.perf_counter() - start
    gc.collect()
    final = timing.rss_kib()
    live = getattr(getattr(engine, "_backend", None), "live_sids", None)
    return {
        "assessments": done,
        "planned": count,
        "warmup": warmup,
        "seconds": round(elapsed, 1),
        "us_per_assessment": round(1e6 * elapsed / max(done, 1), 1),
        "rss_after_warmup_kib": baseline,
        "rss_final_kib": final,
        "growth_kib": final - baseline,
        "max_growth_kib": max(rss for _, rss in curve) - baseline,
        "curve_kib": curve,
        "live_sids_after": len(live) if live is not None else None,
    }
