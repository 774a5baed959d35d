"""Which engines the benchmarks build, and the calls on them that are timed."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import workloads
import yaml

from incident_rules import Engine, EngineError, Incident
from incident_rules._decisions.data import each_decision
from incident_rules._engine import default_rules_dir

BACKENDS = ("native", "durable")


def durable_unavailable() -> str | None:
    """None when the durable backend can be built here, else why not."""
    try:
        Engine.default(backend="durable")
    except EngineError as error:
        return str(error)
    return None


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


def target_names() -> list[str]:
    """The whole assessment, then every ruleset ``Engine.default()`` has, in its order."""
    return ["whole", *(ruleset.name for ruleset in Engine.default(backend="native").rulesets)]


def with_native(backend: str, make: Callable[[str], Engine]) -> dict[str, Engine]:
    """The engine of ``backend``, and a native one beside a durable one to compare with."""
    engines = {backend: make(backend)}
    if backend == "durable":
        engines["native"] = make("native")
    return engines


def scaling_rules(directory: Path, hit: str, count: int) -> Path:
    """A generated ruleset of ``count`` rules, with the shipped params, below ``directory``."""
    params = next(path for path in _rules_files()[1] if path.name == "params.yaml")
    return workloads.write_scaling_rules(directory / str(count), params, count, hit)


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


def assess_call(
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


def backend_run_call(engine: Engine, all_facts: list[Any]) -> Callable[[int], int]:
    """The backend's run alone on the captured facts; returns the nanoseconds it took."""
    backend, count, clock = engine._backend, len(all_facts), time.perf_counter_ns

    def call(i: int) -> int:
        facts = dict(all_facts[i % count])
        start = clock()
        backend.run(facts)
        return clock() - start

    return call
