"""Engines built and dropped, in a worker: is what each one held given back?

Each engine has params of its own (``significant_fraction`` moved by a hair), so each compiles
its own plan and, on the durable backend, registers its own durable_rules rulesets; it assesses
one document and is dropped. Resident memory is sampled as the process sees it (no collection
forced), with the durable backends still alive; at the end after a full collection.

The compiled condition functions are cached for the last 256 rulesets (``codegen``), so memory
grows while that cache fills, then must stay flat: per-engine growth is given over the whole run
and over its second half.
"""

from __future__ import annotations

import gc
from typing import Any

import memory
import workloads
from soak_threads import durable_rulesets

from incident_rules import Engine

#: The param moved per engine, from its shipped value, by this much each time.
PARAM, STEP = "significant_fraction", 1e-5


def dropped(backend: str, count: int, samples: int = 20, collect: bool = True) -> dict[str, Any]:
    """``count`` engines built, used once and dropped; memory and live backends sampled ``samples`` times.

    With ``collect`` false the cyclic garbage collector is off: what an engine held is then
    given back only if dropping the last reference to it is enough.
    """
    incident, at = workloads.workload_inputs("seed", 1)[0]
    base = Engine.default(backend=backend)  # type: ignore[arg-type]
    start_value = float(base.params[PARAM])
    base.assess(incident, at=at)
    del base
    gc.collect()
    if not collect:
        gc.disable()
    every = max(1, count // samples)
    curve, alive = [(0, memory.rss_kib())], [durable_rulesets()]
    for i in range(1, count + 1):
        params = {PARAM: start_value + STEP * i}
        engine = Engine.default(params=params, backend=backend)  # type: ignore[arg-type]
        engine.assess(incident, at=at)
        del engine
        if i % every == 0:
            curve.append((i, memory.rss_kib()))
            alive.append(durable_rulesets())
    gc.enable()
    gc.collect()
    return _summary(count, curve, alive, memory.rss_kib())


def _summary(count: int, curve: list[tuple[int, int]], alive: list[int | None], final: int) -> dict[str, Any]:
    half = curve[len(curve) // 2]
    known = [n for n in alive if n is not None]
    return {
        "engines": count,
        "rss_before_kib": curve[0][1],
        "rss_middle_kib": half[1],
        "rss_after_kib": curve[-1][1],
        "rss_after_collect_kib": final,
        "per_engine_kib": round((curve[-1][1] - curve[0][1]) / count, 2),
        "per_engine_second_half_kib": round((curve[-1][1] - half[1]) / max(1, count - half[0]), 2),
        "durable_backends_alive_max": max(known) if known else None,
        "memory": memory.flatness(curve[len(curve) // 2 :], 100, 1024),
        "curve": curve,
        "alive": alive,
    }
