"""Cost against timeline length: the seed example with 10 to 10,000 timeline entries.

Every length gives the same decisions, so the curve measures the timeline and nothing else:
``assess(Incident)``, ``assess(dict)`` (structuring included) and ``Incident.from_dict`` alone.
"""

from __future__ import annotations

import time
from typing import Any

import report
import scaling
import timing
import workloads
from baselines import oracle
from context import Run
from engines import with_native
from timing import Subject

from incident_rules import Engine, Incident

NAME = "scale-timeline"


def probe(backend: str, length: int) -> dict[str, Any]:
    """Structure and assess once the seed example with a timeline of ``length`` entries."""
    document, at = workloads.long_timeline_document(length)
    start = time.perf_counter()
    Engine.default(backend=backend).assess(document, at=at)  # type: ignore[arg-type]
    return {"first_assess_s": round(time.perf_counter() - start, 4)}


def curve(backend: str, lengths: list[int], budget_s: float) -> dict[int, dict[str, Any]]:
    """Assess latency for the seed example with timelines of each length, interleaved."""
    engines = with_native(backend, lambda b: Engine.default(backend=b))  # type: ignore[arg-type]
    native = engines.get("native", engines[backend])
    names = tuple(r.name for r in native.rulesets)
    decide = oracle.make(names, native.params) if all(map(oracle.known, names)) else None
    engine = engines[backend]
    subjects = []
    for length in lengths:
        document, at_text = workloads.long_timeline_document(length)
        at = workloads.parse_at(at_text)
        incident = Incident.from_dict(document)
        prefix = f"{length}:"
        subjects += scaling.subjects(engines, incident, at, prefix)
        subjects.append(
            Subject(f"{prefix}{backend} assess(dict)", lambda i, d=document, a=at: engine.assess(d, at=a))
        )
        subjects.append(Subject(f"{prefix}Incident.from_dict", lambda i, d=document: Incident.from_dict(d)))
        if decide is not None:
            subjects.append(Subject(f"{prefix}oracle", lambda i, n=incident, a=at: decide(n, a)))
    return scaling.by_point(timing.auto_interleaved(subjects, budget_s * len(lengths), rounds=8), lengths)


def measure(run: Run) -> dict[str, Any]:
    """One curve per backend."""
    lengths = run.config["timeline_lengths"]
    return {
        backend: scaling.probed_curve("scale_timeline", {"backend": backend}, "length", lengths, run)
        for backend in run.backends
    }


def _rows(result: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(backend, timeline length, point) of every point of every curve."""
    return [
        (backend, length, point) for backend, points in result.items() for length, point in points.items()
    ]


COLUMNS: tuple[report.Column, ...] = (
    ("backend", lambda row: row[0]),
    ("entries", lambda row: row[1]),
    ("assess(Incident)", lambda row: report.us(row[2], row[0])),
    ("p99", lambda row: report.us(row[2], row[0], "p99_us")),
    ("assess(dict)", lambda row: report.us(row[2], f"{row[0]} assess(dict)")),
    ("from_dict", lambda row: report.us(row[2], "Incident.from_dict")),
    ("oracle", lambda row: report.us(row[2], "oracle")),
    ("nat/orc", lambda row: row[2].get("ratios", {}).get("native/oracle")),
    ("error", lambda row: row[2].get("error")),
)


def tables(result: dict[str, Any]) -> list[str]:
    return [report.columns("Cost vs timeline length (seed example; us per call)", COLUMNS, _rows(result))]


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Every curve linear in the timeline's length, from structured incidents and from dicts."""
    found = []
    for backend, points in result.items():
        found.append(scaling.linear_target(f"timeline entries: {backend} assess(Incident)", points, backend))
        found.append(
            scaling.linear_target(
                f"timeline entries: {backend} assess(dict)", points, f"{backend} assess(dict)"
            )
        )
    return found
