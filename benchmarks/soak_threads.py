"""The threaded soak, in a worker: custom and shipped rules in turn, many threads, memory sampled.

Two engines share the work: the shipped rules (``Engine.default()``) and a layered engine,
``examples/custom-rules/`` over the shipped rules with ``examples/custom-params.yaml`` (a ruleset
of its own, an override of a shipped one, a param changed). Assessment ``n`` goes to the custom
engine when ``n`` is odd; the threads take the next ``n`` from one counter until the count is
reached or the time is up. Every ``check_every``-th answer is compared with the answer the same
engine gave the same input serially, before the threads started; some also with its explanation.
"""

from __future__ import annotations

import itertools
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import memory
import workloads

from incident_rules import Assessment, Engine, Incident
from incident_rules._decisions.data import each_decision

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
#: An explanation is compared at every this many checked answers (they cost as much again).
EXPLAINED_EVERY = 10
#: Failures (wrong answers, errors) kept as examples; the rest are only counted.
KEPT = 5

Inputs = list[tuple[Incident, datetime]]


def soak_engines(backend: str) -> tuple[Engine, Engine]:
    """The shipped engine and the custom one, in the order assessments alternate between them."""
    shipped = Engine.default(backend=backend)  # type: ignore[arg-type]
    custom = Engine.from_path(
        EXAMPLES / "custom-rules",
        extend=True,
        params_file=EXAMPLES / "custom-params.yaml",
        backend=backend,  # type: ignore[arg-type]
    )
    return shipped, custom


def answer(assessment: Assessment, explained: bool) -> tuple[Any, ...]:
    """What must not change between a serial and a threaded run: every decision and deadline."""
    decisions = tuple((d.ruleset, d.value, d.rule) for d in each_decision(assessment.decisions))
    due = tuple((d.action, d.due_at, d.overdue, d.rule) for d in assessment.due)
    if not explained:
        return decisions, due
    explanations = tuple(d.explanation for d in each_decision(assessment.decisions))
    return decisions, due, explanations


def serial_answers(engines: tuple[Engine, ...], inputs: Inputs) -> list[list[tuple[Any, ...]]]:
    """Per engine, per input: the explained answer of one thread, before any other runs."""
    return [[answer(engine.assess(incident, at=at), True) for incident, at in inputs] for engine in engines]


def live_sessions(engines: tuple[Engine, ...]) -> int | None:
    """Sessions durable_rules holds for these engines (None on a backend without sessions)."""
    backends = [engine._backend for engine in engines]
    backends += [engine._gate[0] for engine in engines if engine._gate is not None]
    counts = [len(live) for live in (getattr(b, "live_sids", None) for b in backends) if live is not None]
    return sum(counts) if counts else None


def durable_rulesets() -> int | None:
    """durable_rules backends alive in this process (None where durable_rules cannot import)."""
    try:
        from incident_rules._backends.durable import DurableBackend
    except ImportError:
        return None
    return len(DurableBackend._registry)


class _Soak:
    """The state the threads share: the counter, the samples, the failures."""

    def __init__(self, engines: tuple[Engine, ...], inputs: Inputs, spec: dict[str, Any]) -> None:
        self.engines, self.inputs = engines, inputs
        self.expected = serial_answers(engines, inputs)
        self.count, self.check_every = spec["count"], spec["check_every"]
        self.sample_every = max(1, self.count // spec["samples"])
        self.deadline = time.perf_counter() + spec["max_s"]
        self.started = time.perf_counter()
        self.counter = itertools.count()  # next() on it is atomic under the GIL
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.samples: list[tuple[int, int, int | None, float]] = []
        self.done = self.checked = self.wrong = self.errors = 0
        self.failures: list[str] = []

    def work(self) -> None:
        """One thread: assessments until the count is reached, the time is up or one failed badly."""
        done = checked = 0
        size = len(self.inputs)
        while not self.stop.is_set() and (n := next(self.counter)) < self.count:
            kind, index = n % len(self.engines), (n // len(self.engines)) % size
            if n % self.sample_every == 0:
                self.sample(n)
            try:
                incident, at = self.inputs[index]
                assessment = self.engines[kind].assess(incident, at=at)
                if n % self.check_every == 0:
                    checked += 1
                    self.check(n, kind, index, assessment, checked % EXPLAINED_EVERY == 0)
            except Exception as error:  # noqa: BLE001 -- counted and reported, the soak goes on
                self.fail(f"assessment {n} ({'custom' if kind else 'shipped'}, input {index}): {error!r}")
            done += 1
        with self.lock:
            self.done += done
            self.checked += checked

    def check(self, n: int, kind: int, index: int, assessment: Assessment, explained: bool) -> None:
        expected = self.expected[kind][index]
        if answer(assessment, explained) != (expected if explained else expected[:2]):
            with self.lock:
                self.wrong += 1
            self.fail(f"assessment {n}: answer differs from the serial one (input {index})", counted=False)

    def fail(self, message: str, *, counted: bool = True) -> None:
        with self.lock:
            self.errors += counted
            if len(self.failures) < KEPT:
                self.failures.append(message)

    def sample(self, n: int) -> None:
        sample = (
            n,
            memory.rss_kib(),
            live_sessions(self.engines),
            round(time.perf_counter() - self.started, 2),
        )
        with self.lock:
            self.samples.append(sample)
        if time.perf_counter() > self.deadline:
            self.stop.set()


def _warm(engines: tuple[Engine, ...], inputs: Inputs, warmup: int) -> None:
    for n in range(warmup):
        incident, at = inputs[(n // len(engines)) % len(inputs)]
        engines[n % len(engines)].assess(incident, at=at)


def threaded(
    backend: str,
    count: int,
    threads: int,
    warmup: int,
    max_s: float,
    samples: int = 100,
    check_every: int = 97,
    documents: int = 500,
) -> dict[str, Any]:
    """In a worker: ``count`` assessments on ``threads`` threads after ``warmup`` serial ones.

    Memory, live durable_rules sessions and time are sampled ``samples`` times; every
    ``check_every``-th answer is compared with the serial one (a prime, so both engines and
    every input get checked). Stops after ``max_s`` seconds; the result says how many were made.
    """
    engines = soak_engines(backend)
    inputs = workloads.workload_inputs("mixed", documents)
    _warm(engines, inputs, warmup)
    spec = {"count": count, "samples": samples, "check_every": check_every, "max_s": max_s}
    soak = _Soak(engines, inputs, spec)
    rss_start, rulesets_start = memory.rss_kib(), durable_rulesets()
    pool = [threading.Thread(target=soak.work, name=f"soak-{i}") for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - soak.started
    curve = sorted(soak.samples)
    sessions = [live for _, _, live, _ in curve if live is not None]
    return {
        "assessments": soak.done,
        "planned": count,
        "threads": threads,
        "warmup": warmup,
        "seconds": round(elapsed, 1),
        "per_second": round(soak.done / elapsed) if elapsed else None,
        "rss_start_kib": rss_start,
        "rss_middle_kib": curve[len(curve) // 2][1] if curve else None,
        "rss_end_kib": memory.rss_kib(),
        # The first sample is taken as the threads start, before their stacks and arenas exist.
        "memory": memory.flatness([(n, rss) for n, rss, _, _ in curve[1:]], 100_000, 1024),
        "sessions_max": max(sessions) if sessions else None,
        "sessions_end": live_sessions(engines),
        "durable_rulesets": [rulesets_start, durable_rulesets()],
        "checked": soak.checked,
        "wrong": soak.wrong,
        "errors": soak.errors,
        "failures": soak.failures,
        "curve": [list(sample) for sample in curve],
    }
