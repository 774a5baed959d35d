"""The engine's compiled explanation of a single condition, for tests that check it directly."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from incident_rules._backends.codegen import Explain, explaining_functions
from incident_rules._backends.plan import BoundRule, Stage
from incident_rules._decisions.data import Check
from incident_rules._decisions.trace import as_check
from incident_rules._rulesets.expr import Condition
from incident_rules._rulesets.model import Rule, Ruleset, RuleSource

__all__ = ["explaining_function", "justify"]


def explaining_function(condition: Condition) -> Explain:
    """The compiled function explaining ``condition``, as the engine compiles it for a rule."""
    rule = Rule("test.rule", "test rule", "", condition, "yes", RuleSource("<test>", 1))
    ruleset = Ruleset("test", "test", "first", ("yes",), (), (rule,), "<test>")
    return explaining_functions(Stage(ruleset, (BoundRule(rule, condition, 0),)))[0]


def justify(condition: Condition, facts: Mapping[str, Any]) -> tuple[bool, list[Check]]:
    """Whether ``condition`` holds on ``facts``, and the checks that decide it."""
    holds, tested = explaining_function(condition)(facts)
    return holds, [as_check(item) for item in tested]
