"""The native backend: the bound rule model evaluated in pure Python.

It runs where durable_rules cannot (Python 3.13+) and is the independent second implementation
the property tests hold durable_rules to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from incident_rules._expr import All, Always, AnyOf, Condition, Not, Test
from incident_rules._plan import OPERATORS, BoundRule, Plan, assert_decision, fact_key, settle

__all__ = ["NativeBackend"]

Predicate = Callable[[Mapping[str, Any]], bool]
_MISSING = object()


def _compile_test(test: Test) -> Predicate:
    key, compare, expected = fact_key(test), OPERATORS[test.op], test.operand.value

    def holds(facts: Mapping[str, Any]) -> bool:
        value = facts.get(key, _MISSING)
        return value is not _MISSING and compare(value, expected)

    return holds


def compile_condition(condition: Condition) -> Predicate:
    """A Python predicate over the flat facts with the semantics of ``evaluate_test``."""
    if isinstance(condition, Test):
        return _compile_test(condition)
    if isinstance(condition, Always):
        return lambda facts: True
    if isinstance(condition, Not):
        inner = compile_condition(condition.item)
        return lambda facts: not inner(facts)
    parts = tuple(compile_condition(item) for item in condition.items)
    settles = isinstance(condition, AnyOf)  # the part value that decides the whole early
    assert isinstance(condition, All | AnyOf)

    def combined(facts: Mapping[str, Any]) -> bool:
        for part in parts:
            if part(facts) is settles:
                return settles
        return not settles

    return combined


class NativeBackend:
    """Runs a plan stage by stage, asserting each settled decision before the next stage."""

    name = "native"

    def __init__(self, plan: Plan) -> None:
        self._stages = [
            (stage, [(bound, compile_condition(bound.condition)) for bound in stage.rules])
            for stage in plan.stages
        ]

    def run(self, facts: dict[str, Any]) -> dict[str, tuple[BoundRule, ...]]:
        """The rules that stand in each ruleset; ``facts`` gains the decisions."""
        result = {}
        for stage, rules in self._stages:
            stop_at_first = stage.ruleset.hit == "first"
            fired: set[int] = set()
            for bound, predicate in rules:
                if predicate(facts):
                    fired.add(bound.index)
                    if stop_at_first:
                        break
            chosen = settle(stage, fired)
            assert_decision(facts, stage, chosen)
            result[stage.ruleset.name] = chosen
        return result
