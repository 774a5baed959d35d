"""Load: import time and ``Engine.default()`` cold, in fresh processes, then again warm.

Only the standard library at import time: the worker must time ``import incident_rules`` itself.
"""

from __future__ import annotations

import time
from typing import Any

import report
import workers
from context import Run, log

NAME = "load"
_PHASES = ("import_s", "cold_s", "warm_s")


def fresh_process(backend: str) -> dict[str, float]:
    """In a fresh worker: import, build the shipped engine cold, and build it again."""
    start = time.perf_counter()
    from incident_rules import Engine

    imported = time.perf_counter()
    Engine.default(backend=backend)  # type: ignore[arg-type]
    cold = time.perf_counter()
    Engine.default(backend=backend)  # type: ignore[arg-type]
    warm = time.perf_counter()
    return {"import_s": imported - start, "cold_s": cold - imported, "warm_s": warm - cold}


def measure(run: Run) -> dict[str, Any]:
    """Per backend, the median of ``load_repeats`` fresh processes, in milliseconds."""
    result = {}
    for backend in run.backends:
        runs = []
        for _ in range(run.config["load_repeats"]):
            log(f"load {backend}")
            runs.append(
                workers.run("load.fresh_process", {"backend": backend}, run.config["point_timeout_s"])
            )
        good = [r for r in runs if "error" not in r]
        if not good:
            result[backend] = runs[0]
            continue
        medians = {key: round(sorted(r[key] for r in good)[len(good) // 2] * 1000, 1) for key in _PHASES}
        result[backend] = {k.replace("_s", "_ms"): v for k, v in medians.items()} | {"repeats": len(good)}
    return result


COLUMNS: tuple[report.Column, ...] = (
    ("backend", report.name),
    ("import", report.field("import_ms")),
    ("Engine.default() cold", report.field("cold_ms")),
    ("again (warm)", report.field("warm_ms")),
    ("error", report.field("error")),
)


def tables(result: dict[str, Any]) -> list[str]:
    title = "Load and compile of the shipped rules (ms, median of fresh processes)"
    return [report.columns(title, COLUMNS, result.items())]
