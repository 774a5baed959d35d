"""Engines give back what they hold: a dropped durable engine frees its durable_rules rulesets.

Each durable engine with params of its own registers rulesets of its own in durable_rules' C
engine (about 1 MB for the shipped rules), which a ``Host`` never deletes (issue 10: 0.7 MB per
engine never freed). The soak in ``benchmarks/soak.py`` measures this at scale; these tests hold
the two properties it rests on, cheaply.
"""

from __future__ import annotations

import gc
import weakref
from collections import Counter
from pathlib import Path

import pytest

from conftest import DURABLE_MISSING
from incident_rules import Engine
from incident_rules._backends.codegen import explaining_functions, holding_function
from isolated import run_isolated

pytestmark = pytest.mark.skipif(DURABLE_MISSING is not None, reason=f"{DURABLE_MISSING}")

#: Resident memory per engine built and dropped, in KiB, above which engines are not freed: the
#: shipped rules hold about 1,200 KiB in the C engine; a freed engine leaves what the cache of
#: compiled conditions keeps (about 40 KiB each, for the last 256 rulesets).
PER_ENGINE_BOUND_KIB = 256

CHURN = """
import json
from incident_rules import Engine

def rss_kib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4

def build(first, last):
    for i in range(first, last):
        Engine.default(params={"significant_fraction": 0.05 + i * 1e-5}, backend="durable")

build(0, 20)
before = rss_kib()
build(20, 200)
print(json.dumps((rss_kib() - before) / 180))
"""


class TestDroppedDurableEngines:
    def test_the_last_engine_dropped_frees_its_backend_without_a_garbage_collection(self) -> None:
        """Dropping the only engine of a plan frees its durable backend by reference counting alone."""
        engine = Engine.default(params={"significant_fraction": 0.0517}, backend="durable")
        backend = weakref.ref(engine._backend)
        gc.disable()
        try:
            del engine
            assert backend() is None
        finally:
            gc.enable()

    def test_an_engine_built_and_dropped_leaves_no_garbage_for_the_cycle_collector(self) -> None:
        """Nothing a dropped durable engine held waits for the cycle collector."""
        # Compiled rule code is cyclic (functions and their namespace) and freed by the collector
        # when the bounded cache evicts it: with room in the cache, this build evicts nothing.
        holding_function.cache_clear()
        explaining_functions.cache_clear()
        Engine.default(params={"significant_fraction": 0.0518}, backend="durable")  # warm every cache
        gc.collect()
        gc.disable()
        try:
            Engine.default(params={"significant_fraction": 0.0519}, backend="durable")
            gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds stays in gc.garbage, to be named
            gc.collect()
            left = Counter(type(item).__name__ for item in gc.garbage)
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
        assert left == Counter()

    @pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads /proc/self/statm")
    def test_two_hundred_engines_built_and_dropped_leave_resident_memory_bounded(self) -> None:
        """180 durable engines built and dropped after 20 grow resident memory by far less than they held."""
        per_engine_kib = float(run_isolated(CHURN, time_limit=120))
        assert per_engine_kib < PER_ENGINE_BOUND_KIB
