"""The native backend: each ruleset compiled to a Python function, run stage by stage.

It runs where durable_rules cannot (Python 3.13+) and is the independent second implementation
the property tests hold durable_rules to.
"""

from __future__ import annotations

from typing import Any

from incident_rules._backends.codegen import holding_function
from incident_rules._backends.plan import BoundRule, Plan, assert_decision, settle

__all__ = ["NativeBackend"]


class NativeBackend:
    """Runs a plan stage by stage, asserting each settled decision before the next stage."""

    name = "native"

    def __init__(self, plan: Plan) -> None:
        self._stages = tuple((stage.ruleset.name, stage, holding_function(stage)) for stage in plan.stages)

    def run(self, facts: dict[str, Any]) -> dict[str, tuple[BoundRule, ...]]:
        """The rules that stand in each ruleset; ``facts`` gains the decisions."""
        result = {}
        for name, stage, holding in self._stages:
            chosen = settle(stage, holding(facts))
            assert_decision(facts, stage, chosen)
            result[name] = chosen
        return result
