"""The raw durable_rules baseline: the engine's own compiled rules on a bare ``Host``.

The ruleset definitions are the ones the durable backend compiles (same conditions, same
buckets, the same facts asserted, same forward chaining from one bucket fact to the next); the
actions do the least that chaining needs. There is no lock, no error translation, no
explanation: what is timed is only the calls into durable_rules, the post and the
``delete_state`` a one-shot session needs.
Built from private internals of ``incident_rules``: if they change, the benchmark reports this
baseline as unavailable rather than measuring something else.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from incident_rules._backends import durable as _durable
from incident_rules._backends.plan import Plan, assert_decision, settle

_names = itertools.count()


def _fact(step: Any, facts: dict[str, Any], sid: str) -> dict[str, Any]:
    """The fact a step asserts, shaped as the durable backend shapes it (same JSON in)."""
    if hasattr(step, "fact"):
        return step.fact(facts, sid)
    return {**facts, "sid": sid, "step": step.number}


class RawDurable:
    """One plan's compiled rules, registered on a plain ``durable.engine.Host`` subclass."""

    def __init__(self, plan: Plan) -> None:
        engine = _durable._import_engine()
        # A Host's _run starts the background timer loop DESIGN.md warns about; without it
        # the host is exactly durable_rules' own request path.
        self._host = type("_RawHost", (engine.Host,), {"_run": lambda self: None})()
        self._steps = _durable._steps(plan)
        self._prefix = f"raw_bench_{next(_names)}"
        self._sids = itertools.count()
        self._current: dict[str, Any] = {}
        self._host.set_rulesets(_durable.definitions(self._steps, self._part, self._fire, self._close))

    def _part(self, part: int) -> str:
        return f"{self._prefix}_{part}"

    def _fire(self, index: int) -> Any:
        def fire(closure: Any) -> None:
            self._current["fired"].add(index)

        return fire

    def _close(self, step: Any) -> Any:
        following = step.number + 1
        last = following == len(self._steps)
        target = None if last else self._steps[following].part

        def close(closure: Any) -> None:
            run = self._current
            if step.closes_stage:
                chosen = settle(step.stage, step.stage.holding(run["fired"]))
                assert_decision(run["facts"], step.stage, chosen)
                run["result"][step.stage.ruleset.name] = tuple(bound.rule.then for bound in chosen)
            if last:
                return
            fact = _fact(self._steps[following], run["facts"], closure.s.sid)
            if target == step.part:
                closure.assert_fact(fact)
            else:
                run["parts"].add(self._part(target))
                closure.assert_fact(self._part(target), fact)

        return close

    def run(self, facts: dict[str, Any]) -> tuple[int, dict[str, tuple[str, ...]]]:
        """Nanoseconds spent inside durable_rules, and the values each ruleset concluded."""
        sid = str(next(self._sids))
        first = self._part(self._steps[0].part)
        self._current = run = {"facts": facts, "fired": set(), "result": {}, "parts": {first}}
        fact = _fact(self._steps[0], facts, sid)
        start = time.perf_counter_ns()
        self._host.assert_fact(first, fact)
        for part in run["parts"]:
            self._host.delete_state(part, sid)
        elapsed = time.perf_counter_ns() - start
        return elapsed, run["result"]
