"""The rule model bound to one engine's params: what both backends run.

Both backends share this module's semantics, so they cannot drift apart: how a test reads the
facts (``evaluate_test``), how a ruleset settles its firings by hit policy (``settle``), and how a
settled decision is asserted as facts later rulesets match on (``assert_decision``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from incident_rules._expr import All, AnyOf, Condition, Not, Operand, Test
from incident_rules._model import Due, Rule, Ruleset
from incident_rules.errors import RulesetError

__all__ = ["BoundRule", "Plan", "Stage", "assert_decision", "bind", "evaluate_test", "fact_key", "settle"]

#: The comparison each test operator makes, once the fact value is known to be present.
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda value, choices: value in choices,
    "not in": lambda value, choices: value not in choices,
    "has": lambda value, _: value is True,
}

_MISSING = object()


@attrs.frozen
class BoundRule:
    """A rule whose params are replaced by this engine's values."""

    rule: Rule
    condition: Condition
    index: int
    due: Due | None = None


@attrs.frozen
class Stage:
    """One ruleset as the engine runs it."""

    ruleset: Ruleset
    rules: tuple[BoundRule, ...]


@attrs.frozen
class Plan:
    """Every ruleset of an engine, in the order forward chaining settles them."""

    stages: tuple[Stage, ...]
    params: Mapping[str, Any]


def fact_key(test: Test) -> str:
    """The key of the flat facts a test reads (set membership reads ``path:value``)."""
    return f"{test.path}:{test.operand.value}" if test.op == "has" else test.path


def evaluate_test(test: Test, facts: Mapping[str, Any]) -> tuple[bool, Any, bool]:
    """Whether a test holds, the value it read, and whether that value was missing.

    A test on a missing value does not hold; ``not`` of it does.
    """
    value = facts.get(fact_key(test), _MISSING)
    if value is _MISSING:
        return False, None, True
    return OPERATORS[test.op](value, test.operand.value), value, False


def _bind_operand(operand: Operand, params: Mapping[str, Any]) -> Operand:
    if operand.param is None:
        return operand
    return Operand(params[operand.param], operand.param)


def _bind_due(due: Due | None, params: Mapping[str, Any]) -> Due | None:
    if due is None:
        return None
    within = _bind_operand(due.within, params) if due.within else None
    every = _bind_operand(due.every, params) if due.every else None
    return attrs.evolve(due, within=within, every=every)


def _bind_condition(condition: Condition, params: Mapping[str, Any]) -> Condition:
    if isinstance(condition, Test) and condition.operand.param is not None:
        return attrs.evolve(condition, operand=_bind_operand(condition.operand, params))
    if isinstance(condition, (All, AnyOf)):
        return type(condition)(tuple(_bind_condition(item, params) for item in condition.items))
    if isinstance(condition, Not):
        return Not(_bind_condition(condition.item, params))
    return condition


def bind(rulesets: tuple[Ruleset, ...], params: Mapping[str, Any]) -> Plan:
    """Bind every rule to ``params``, numbering rules across the whole plan."""
    stages, index = [], 0
    for ruleset in rulesets:
        rules = []
        for rule in ruleset.rules:
            condition = _bind_condition(rule.condition, params)
            rules.append(BoundRule(rule, condition, index, _bind_due(rule.due, params)))
            index += 1
        stages.append(Stage(ruleset, tuple(rules)))
    return Plan(tuple(stages), dict(params))


def settle(stage: Stage, fired: set[int]) -> tuple[BoundRule, ...]:
    """The rules whose conclusions stand, by the ruleset's hit policy.

    Raises:
        RulesetError: When a ``unique`` ruleset has more than one rule holding.
    """
    holding = tuple(rule for rule in stage.rules if rule.index in fired)
    if stage.ruleset.hit == "collect":
        return holding
    if stage.ruleset.hit == "unique" and len(holding) > 1:
        first, second = holding[0].rule, holding[1].rule
        raise RulesetError(
            f"{stage.ruleset.file}: ruleset {stage.ruleset.name!r} is unique, but rules "
            f"{first.id!r} ({first.source}) and {second.id!r} ({second.source}) both hold"
        )
    return holding[:1]


def assert_decision(facts: dict[str, Any], stage: Stage, chosen: tuple[BoundRule, ...]) -> None:
    """Add a settled decision to the facts as ``decisions.<ruleset>`` for later rulesets.

    A ``collect`` ruleset asserts one boolean per value it may conclude
    (``decisions.<ruleset>:<value>``); the others assert their single value when a rule held.
    A revision asserts its value as the decision it revises.
    """
    key = f"decisions.{stage.ruleset.revises or stage.ruleset.name}"
    if stage.ruleset.hit == "collect":
        concluded = {bound.rule.then for bound in chosen}
        facts.update({f"{key}:{value}": value in concluded for value in stage.ruleset.values})
    elif chosen:
        facts[key] = chosen[0].rule.then
