"""Cost against the number of rules: one generated ruleset of 10 to 1,000 rules.

``first``: no rule holds but the last, so every rule is evaluated; ``collect``: every tenth rule
holds. Durable is measured twice, as is and with glibc told to keep freed memory.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import report
import scaling
import timing
import workloads
from context import Run
from engines import scaling_rules, with_native

from incident_rules import Engine, Incident

NAME = "scale-rules"


def probe(backend: str, hit: str, count: int) -> dict[str, Any]:
    """Compile one generated ruleset of ``count`` rules cold, and assess once with it."""
    with tempfile.TemporaryDirectory(prefix="incident-rules-bench-") as directory:
        path = scaling_rules(Path(directory), hit, count)
        start = time.perf_counter()
        engine = Engine.from_path(path.parent, backend=backend)  # type: ignore[arg-type]
        compiled = time.perf_counter()
        engine.assess(Incident.from_dict(workloads.scaling_document()), at=workloads.SCALING_AT)
        return {
            "compile_s": round(compiled - start, 4),
            "first_assess_s": round(time.perf_counter() - compiled, 4),
        }


def curve(backend: str, hit: str, counts: list[int], budget_s: float) -> dict[int, dict[str, Any]]:
    """Assess latency at every rule count, interleaved so that noise hits every point alike.

    Each durable point also measures the native backend and raw durable_rules beside it.
    """
    incident = Incident.from_dict(workloads.scaling_document())
    at = workloads.parse_at(workloads.SCALING_AT)
    subjects = []
    with tempfile.TemporaryDirectory(prefix="incident-rules-bench-") as directory:
        for count in counts:
            path = scaling_rules(Path(directory), hit, count)
            engines = with_native(backend, lambda b, p=path: Engine.from_path(p.parent, backend=b))  # type: ignore[arg-type]
            subjects += scaling.subjects(engines, incident, at, f"{count}:")
    return scaling.by_point(timing.auto_interleaved(subjects, budget_s * len(counts), rounds=8), counts)


def measure(run: Run) -> dict[str, Any]:
    """Both hit policies per backend, and durable again with the tuned allocator."""
    variants = [(backend, False) for backend in run.backends]
    if "durable" in run.backends and sys.platform == "linux":
        # The same durable curve with glibc told to keep freed memory: shows the allocator's share.
        variants.append(("durable+tuned-malloc", True))
    result = {}
    for name, tuned in variants:
        for hit in ("first", "collect"):
            spec = {"backend": _backend(name), "hit": hit}
            counts = run.config["rule_counts"]
            result[f"{name}/{hit}"] = scaling.probed_curve(
                "scale_rules", spec, "count", counts, run, tuned_malloc=tuned
            )
    return result


def _backend(key: str) -> str:
    return key.split("/")[0].split("+")[0]


def _rows(result: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(curve, backend, rule count, point) of every point of every curve."""
    return [
        (key, _backend(key), count, point)
        for key, points in result.items()
        for count, point in points.items()
    ]


COLUMNS: tuple[report.Column, ...] = (
    ("backend/hit", lambda row: row[0]),
    ("rules", lambda row: row[2]),
    ("compile s", lambda row: row[3].get("compile_s")),
    ("median", lambda row: report.us(row[3], row[1])),
    ("p99", lambda row: report.us(row[3], row[1], "p99_us")),
    ("+expl", lambda row: report.us(row[3], f"{row[1]}+explained")),
    ("run only", lambda row: report.us(row[3], f"{row[1]}.run")),
    ("native", lambda row: report.us(row[3], "native") if row[1] == "durable" else None),
    ("raw dr", lambda row: report.us(row[3], "raw_durable")),
    ("dur/raw", lambda row: row[3].get("ratios", {}).get("durable/raw_durable")),
    ("run/raw", lambda row: row[3].get("ratios", {}).get("durable.run/raw_durable")),
    ("error", lambda row: row[3].get("error")),
)


def tables(result: dict[str, Any]) -> list[str]:
    title = (
        "Cost vs number of rules (one generated ruleset; us per assess; +expl: every explanation "
        "read; run only: the backend alone)"
    )
    return [report.columns(title, COLUMNS, _rows(result))]


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Every curve linear in the number of rules, as assessed and with every explanation read."""
    found = []
    for key, points in result.items():
        backend = _backend(key)
        found.append(scaling.linear_target(f"rules: {key}", points, backend))
        found.append(scaling.linear_target(f"rules: {key} explained", points, f"{backend}+explained"))
    return found
