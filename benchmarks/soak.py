"""Memory soak: resident memory over many assessments of mixed documents, per backend.

Both backends soak at once, one per core: they measure memory, not time. Target of issue 4: less
than 1 MB of growth; for durable, no session left alive.
"""

from __future__ import annotations

import gc
import resource
import time
from pathlib import Path
from typing import Any

import report
import workers
import workloads
from context import Run, log

from incident_rules import Engine

NAME = "soak"
RSS_GROWTH_KIB = 1024


def rss_kib() -> int:
    """Resident memory now, in KiB (VmRSS; the peak from getrusage where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def resident(backend: str, count: int, warmup: int, max_s: float, points: int = 20) -> dict[str, Any]:
    """In a worker: resident memory over ``count`` assessments of mixed documents, after ``warmup``.

    Stops early after ``max_s`` seconds (the result says how many assessments were made).
    """
    engine = Engine.default(backend=backend)  # type: ignore[arg-type]
    inputs = workloads.workload_inputs("mixed", 500)
    size = len(inputs)
    for i in range(warmup):
        incident, at = inputs[i % size]
        engine.assess(incident, at=at)
    gc.collect()
    baseline = rss_kib()
    curve = [(0, baseline)]
    step = max(1, count // points)
    start = time.perf_counter()
    done = 0
    while done < count and time.perf_counter() - start < max_s:
        for i in range(done, min(count, done + step)):
            incident, at = inputs[i % size]
            engine.assess(incident, at=at)
        done = min(count, done + step)
        curve.append((done, rss_kib()))
    elapsed = time.perf_counter() - start
    gc.collect()
    final = rss_kib()
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


def measure(run: Run) -> dict[str, Any]:
    """Every backend's soak, all at once, each in its own worker."""
    config = run.config
    log(f"soak {', '.join(run.backends)}: {config['soak']:,} assessments each")
    spec = {"count": config["soak"], "warmup": config["soak_warmup"], "max_s": config["soak_max_s"]}
    processes = {
        backend: workers.start("soak.resident", spec | {"backend": backend}) for backend in run.backends
    }
    # The soak stops itself after soak_max_s; past this bound it is stuck.
    timeout = 2 * config["soak_max_s"] + config["soak_warmup"] * 0.02 + 60
    return {backend: workers.finish(process, timeout) for backend, process in processes.items()}


COLUMNS: tuple[report.Column, ...] = (
    ("backend", report.name),
    ("assessments", report.field("assessments")),
    ("us each", report.field("us_per_assessment")),
    ("RSS start", report.field("rss_after_warmup_kib")),
    ("RSS end", report.field("rss_final_kib")),
    ("growth", report.field("growth_kib")),
    ("max growth", report.field("max_growth_kib")),
    ("live sids", report.field("live_sids_after")),
    ("error", report.field("error")),
)


def tables(result: dict[str, Any]) -> list[str]:
    return [report.columns("Memory soak (KiB of VmRSS, from after warm-up)", COLUMNS, result.items())]


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Per backend: resident memory grew by less than 1 MB."""
    found = []
    for backend, soak in result.items():
        growth = soak.get("growth_kib")
        stopped = soak.get("assessments", 0) < soak.get("planned", 0)
        found.append(
            {
                "target": f"RSS growth < 1 MB over {soak.get('assessments', 0):,} assessments ({backend})"
                + (f" [time limit; {soak['planned']:,} planned]" if stopped else ""),
                "measured": growth,
                "met": None if growth is None else growth < RSS_GROWTH_KIB,
            }
        )
    return found
