"""Throughput: documents per second over a batch of generated documents, per backend.

From JSON-shaped dicts (structuring included) and from already structured ``Incident``s, beside
``Incident.from_dict`` alone and the oracle.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

import report
import workloads
from baselines import oracle
from context import Run, log
from engines import BACKENDS

from incident_rules import Engine, Incident

NAME = "throughput"


def _jobs(durable_ok: bool, size: int) -> dict[str, Callable[[], object]]:
    """Each way of getting through the batch, named as the report shows it."""
    batch = workloads.documents(size, seed=7)
    incidents = [(Incident.from_dict(doc), workloads.parse_at(at)) for doc, at in batch]
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
    return jobs


def measure(run: Run) -> dict[str, Any]:
    """The median time of each job over the batch, as documents per second and us each."""
    size, repeats = (300, 1) if run.quick else (1000, 3)
    jobs = _jobs(run.durable_ok, size)
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


def tables(result: dict[str, Any]) -> list[str]:
    rows = [[name, v["docs_per_s"], v["us_per_doc"]] for name, v in result.items() if isinstance(v, dict)]
    title = (
        f"Throughput over a batch of {result['documents']:,} generated documents "
        f"(median of {result['repeats']})"
    )
    return [report.table(title, ["what", "docs/s", "us/doc"], rows)]
