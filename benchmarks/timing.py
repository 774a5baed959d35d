"""How the benchmarks measure: interleaved per-call timing, statistics, memory, machine facts."""

from __future__ import annotations

import cProfile
import gc
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs

LIBRARIES = ("incident-rules", "durable-rules", "attrs", "cattrs", "PyYAML")


@attrs.frozen
class Subject:
    """Something to time. ``call(i)`` runs it on the i-th input.

    A self-timed subject returns the nanoseconds to count (the raw durable_rules baseline
    times only its calls into durable_rules); the others are timed around the call.
    """

    name: str
    call: Callable[[int], Any]
    self_timed: bool = False


def interleaved(subjects: list[Subject], rounds: int, per_round: int) -> dict[str, list[int]]:
    """Per-call nanoseconds of every subject, in rounds that alternate between subjects.

    On a shared, noisy machine a slow spell then hits every subject alike, so the ratios
    between subjects hold even when the absolute numbers drift.
    """
    samples: dict[str, list[int]] = {subject.name: [] for subject in subjects}
    clock = time.perf_counter_ns
    for round_number in range(rounds):
        for subject in subjects:
            out, call, offset = samples[subject.name], subject.call, round_number * per_round
            if subject.self_timed:
                for i in range(offset, offset + per_round):
                    out.append(call(i))
            else:
                for i in range(offset, offset + per_round):
                    start = clock()
                    call(i)
                    out.append(clock() - start)
    return samples


def until(call: Callable[[int], Any], budget_s: float, minimum: int, maximum: int) -> list[int]:
    """Per-call nanoseconds of ``call``, for ``budget_s`` seconds (within the bounds)."""
    out: list[int] = []
    clock = time.perf_counter_ns
    deadline = clock() + int(budget_s * 1e9)
    i = 0
    while i < maximum and (i < minimum or clock() < deadline):
        start = clock()
        call(i)
        out.append(clock() - start)
        i += 1
    return out


def stats(samples: list[int]) -> dict[str, float]:
    """Median, p99, mean and min in microseconds, with the sample count."""
    ordered = sorted(samples)
    count = len(ordered)
    return {
        "median_us": statistics.median(ordered) / 1000,
        "p99_us": ordered[min(count - 1, int(count * 0.99))] / 1000,
        "mean_us": statistics.fmean(ordered) / 1000,
        "min_us": ordered[0] / 1000,
        "n": count,
    }


def timer_overhead_us() -> float:
    """The median cost of timing an empty call the way :func:`interleaved` does."""
    samples = interleaved([Subject("empty", lambda i: None)], 5, 2000)["empty"]
    return statistics.median(samples) / 1000


def rss_kib() -> int:
    """Resident memory now, in KiB (VmRSS; the peak from getrusage where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(*args: str) -> str | None:
    root = Path(__file__).resolve().parent.parent
    try:
        # git from PATH with fixed arguments: only the revision of this checkout is read.
        command = ["git", *args]  # the git on PATH, as a developer runs it
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=10, check=True)  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip()


def environment() -> dict[str, Any]:
    """The machine, interpreter, library versions and source revision of this run."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    dirty = _git("status", "--porcelain", "--", "src", "rules")
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "libraries": versions,
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "src_or_rules_modified": bool(dirty) if dirty is not None else None,
        "timer_overhead_us": round(timer_overhead_us(), 3),
        "gc_enabled_while_timing": gc.isenabled(),
    }


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
