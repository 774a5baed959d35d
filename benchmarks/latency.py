"""Latency of ``assess``: median and p99 per backend, ruleset and workload, beside the baselines.

Targets of issue 4: the native assessment under 15 us, durable within 1.5x raw durable_rules.
"""

from __future__ import annotations

import gc
from datetime import datetime
from typing import Any

import engines
import report
import timing
import workloads
from baselines import oracle
from context import Run, log
from engines import BACKENDS, assess_call, backend_run_call, build, capture_facts
from timing import Subject

from incident_rules import Incident

NAME = "latency"
NATIVE_MEDIAN_US = 15.0
DURABLE_OVER_RAW = 1.5


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
            subjects.append(Subject(backend, assess_call(engine, inputs)))
            subjects.append(Subject(f"{backend}+explained", assess_call(engine, inputs, explained=True)))
        if self.facts[0] is not None:
            for backend, engine in self.engines.items():
                subjects.append(
                    Subject(f"{backend}.run", backend_run_call(engine, self.facts), self_timed=True)
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


def measure(run: Run) -> dict[str, Any]:
    """Median and p99 of assess per target, backend and workload, with the baselines."""
    rounds, per_round = (3, 150) if run.quick else (10, 500)
    result: dict[str, Any] = {}
    for workload in ("seed", "mixed"):
        inputs = workloads.workload_inputs(workload, 200)
        for target in engines.target_names():
            log(f"latency {workload} {target}")
            setup = Setup(target, inputs, run.durable_ok)
            per = per_round if target == "whole" else per_round // 2
            gc.collect()
            samples = timing.interleaved(setup.subjects(), rounds, per)
            entry = timing.summarize(samples)
            entry["agreement"] = setup.check()
            entry["notes"] = setup.notes
            result[f"{workload}/{target}"] = entry
    return result


def _stat(subject: str, key: str = "median_us") -> report.Reader:
    return lambda item: report.us(item[1], subject, key)


def _ratio(name: str) -> report.Reader:
    return lambda item: item[1].get("ratios", {}).get(name)


def _agrees(name: str) -> report.Reader:
    return lambda item: item[1].get("agreement", {}).get(name)


LATENCY: tuple[report.Column, ...] = (
    ("workload/target", report.name),
    ("native", _stat("native")),
    ("p99", _stat("native", "p99_us")),
    ("+expl", _stat("native+explained")),
    ("durable", _stat("durable")),
    ("p99", _stat("durable", "p99_us")),
    ("+expl", _stat("durable+explained")),
    ("native.run", _stat("native.run")),
    ("durable.run", _stat("durable.run")),
    ("raw dr", _stat("raw_durable")),
    ("oracle", _stat("oracle")),
    ("nat/orc", _ratio("native/oracle")),
    ("dur/raw", _ratio("durable/raw_durable")),
    ("+expl/raw", _ratio("durable+explained/raw_durable")),
    ("run/raw", _ratio("durable.run/raw_durable")),
    ("dur/nat", _ratio("durable/native")),
)
AGREEMENT: tuple[report.Column, ...] = (
    ("workload/target", report.name),
    ("inputs", _agrees("inputs")),
    ("durable", _agrees("durable_equals_native")),
    ("oracle", _agrees("oracle_equals_native")),
    ("raw dr", _agrees("raw_equals_native")),
    ("notes", lambda item: "; ".join(item[1].get("notes", []))),
)


def tables(result: dict[str, Any]) -> list[str]:
    return [
        report.columns(
            "Latency of assess (us): median and p99 per backend; +expl also reads every explanation; "
            "the backend's run alone; baselines; ratios of medians",
            LATENCY,
            result.items(),
        ),
        report.columns(
            "Same decisions? (inputs on which each agrees with the native engine)", AGREEMENT, result.items()
        ),
    ]


def _target(target: str, measured: float | None, met: bool | None) -> dict[str, Any]:
    return {"target": target, "measured": measured, "met": met}


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Per workload: the native assessment's median, and each durable ratio over raw."""
    found = []
    for workload in ("seed", "mixed"):
        whole = result.get(f"{workload}/whole", {})
        for subject, what in (("native", "assessment"), ("native+explained", "explained assessment")):
            native = report.us(whole, subject)
            found.append(
                _target(
                    f"native {what} median < {NATIVE_MEDIAN_US:g} us ({workload})",
                    native,
                    None if native is None else native < NATIVE_MEDIAN_US,
                )
            )
        for subject, what in (
            ("durable", "assessment"),
            ("durable+explained", "explained assessment"),
            ("durable.run", "backend run alone"),
        ):
            ratio = whole.get("ratios", {}).get(f"{subject}/raw_durable")
            found.append(
                _target(
                    f"durable {what} <= {DURABLE_OVER_RAW:g}x raw durable_rules ({workload})",
                    ratio,
                    None if ratio is None else ratio <= DURABLE_OVER_RAW,
                )
            )
    return found
