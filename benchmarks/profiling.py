"""Profile (cProfile) of the whole assessment on the mixed workload, of every backend that
misses a target (or of all, with ``--profile``). Named so as not to shadow the stdlib
``profile`` module, which ``cProfile`` imports.
"""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable
from pathlib import Path
from typing import Any

import report
import workloads
from context import Run, log
from engines import assess_call

from incident_rules import Engine

NAME = "profile"
_COLUMNS = ["function", "calls", "%", "us/assess"]


def profile(call: Callable[[int], Any], count: int, top: int = 14) -> dict[str, Any]:
    """Where ``count`` calls spend their time: top functions by own and by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(count):
        call(i)
    profiler.disable()
    table = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in table.values()) or 1e-12

    def rows(index: int, keep: Callable[[tuple[str, int, str]], bool]) -> list[dict[str, Any]]:
        ranked = sorted(table.items(), key=lambda item: item[1][index], reverse=True)
        chosen = [(where, entry) for where, entry in ranked if keep(where)][:top]
        return [
            {
                "function": f"{Path(where[0]).name}:{where[1]}({where[2]})",
                "calls": entry[1],
                "percent": round(100 * entry[index] / total, 1),
                "us_per_assessment": round(1e6 * entry[index] / count, 2),
            }
            for where, entry in chosen
        ]

    def ours(where: tuple[str, int, str]) -> bool:
        return "incident_rules" in where[0]

    return {
        "assessments": count,
        "total_us_per_assessment": round(1e6 * total / count, 1),
        "by_own_time": rows(2, lambda where: True),
        "by_cumulative_time_incident_rules": rows(3, ours),
    }


def profiles(backends: list[str], quick: bool) -> dict[str, Any]:
    """cProfile of the whole assessment on the mixed workload, per backend."""
    inputs = workloads.workload_inputs("mixed", 200)
    count = 500 if quick else 3000
    result = {}
    for backend in backends:
        engine = Engine.default(backend=backend)  # type: ignore[arg-type]
        call = assess_call(engine, inputs)
        for i in range(200):
            call(i)
        result[backend] = profile(call, count)
    return result


def measure(run: Run) -> dict[str, Any] | None:
    """The profiles of the chosen backends; None (nothing recorded) where none is chosen."""
    # Every target names the backend it measures: profile the backends that miss one.
    found = run.results.get("targets", [])
    missed = [b for b in run.backends if any(t["met"] is False and b in t["target"] for t in found)]
    chosen = run.backends if run.profile_all else missed
    if not chosen:
        return None
    log(f"profile {', '.join(chosen)}")
    return profiles(chosen, run.quick)


def _rows(functions: list[dict[str, Any]]) -> list[list[Any]]:
    return [[r["function"], r["calls"], r["percent"], r["us_per_assessment"]] for r in functions]


def tables(result: dict[str, Any]) -> list[str]:
    parts = []
    for backend, prof in result.items():
        title = (
            f"Profile, {backend} assess, cumulative time in incident_rules "
            f"({prof['total_us_per_assessment']} us per assessment under cProfile)"
        )
        parts.append(report.table(title, _COLUMNS, _rows(prof["by_cumulative_time_incident_rules"])))
        parts.append(
            report.table(f"Profile, {backend} assess, own time", _COLUMNS, _rows(prof["by_own_time"]))
        )
    return parts
