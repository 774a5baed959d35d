"""The rule model bound to one engine's params: what both backends run.

Both backends share this module's semantics, so they cannot drift apart: which fact a test reads
(``fact_key``), how a ruleset settles the rules that hold by hit policy (``settle``), and how a
settled decision is asserted as facts later rulesets match on (``assert_decision``). How a test
compares is ``_compile``'s, for both backends' explanations and the native backend's decisions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from typing import Any, Literal

import attrs

from incident_rules._rulesets.expr import All, Always, AnyOf, Condition, Not, Operand, Test
from incident_rules._rulesets.model import Due, Rule, Ruleset, Schedule
from incident_rules._rulesets.operators import OPERATORS
from incident_rules.errors import RulesetError

__all__ = ["BoundRule", "Plan", "Stage", "assert_decision", "bind", "fact_key", "settle"]


@attrs.frozen
class BoundRule:
    """A rule whose params are replaced by this engine's values.

    A check of a quality gate is bound twice: once for its ``when`` (``role="decides"``, it
    passes when that holds) and once for its ``applies`` (``role="applies"``). Both backends
    evaluate each bound rule on its own, so a check needs nothing new from them.
    """

    rule: Rule
    condition: Condition
    index: int
    schedule: Schedule | None = None
    role: Literal["decides", "applies"] = "decides"
    source: str = attrs.field(init=False, repr=False, eq=False)
    #: A name unique in the plan, for backends that name their rules (a rule id, maybe suffixed).
    name: str = attrs.field(init=False, repr=False, eq=False)

    @source.default
    def _source_text(self) -> str:
        return str(self.rule.source)

    @name.default
    def _name(self) -> str:
        return self.rule.id if self.role == "decides" else f"{self.rule.id}:applies"


@attrs.frozen
class Stage:
    """One ruleset as the engine runs it."""

    ruleset: Ruleset
    rules: tuple[BoundRule, ...]
    #: The facts later rulesets read this one's decision as: one key, or one per value (collect).
    decision_key: str = attrs.field(init=False, repr=False, eq=False)
    value_keys: tuple[tuple[str, str], ...] = attrs.field(init=False, repr=False, eq=False)
    #: The ruleset's hit policy, whether it is a quality gate, and whether every rule that holds
    #: stands: read once per ruleset run, so kept here rather than looked up through the ruleset.
    hit: str = attrs.field(init=False, repr=False, eq=False)
    is_gate: bool = attrs.field(init=False, repr=False, eq=False)
    keeps_every_rule: bool = attrs.field(init=False, repr=False, eq=False)

    @hit.default
    def _hit(self) -> str:
        return self.ruleset.hit

    @is_gate.default
    def _is_gate(self) -> bool:
        return self.ruleset.is_gate

    @keeps_every_rule.default
    def _keeps_every_rule(self) -> bool:
        return self.ruleset.keeps_every_rule

    @decision_key.default
    def _decision_key(self) -> str:
        return f"decisions.{self.ruleset.revises or self.ruleset.name}"

    @value_keys.default
    def _value_keys(self) -> tuple[tuple[str, str], ...]:
        return tuple((f"{self.decision_key}:{value}", value) for value in self.ruleset.values)

    def holding(self, fired: Set[int]) -> tuple[BoundRule, ...]:
        """The rules of this stage among the indexes ``fired``, in rule order."""
        return tuple(bound for bound in self.rules if bound.index in fired)


@attrs.frozen
class Plan:
    """Every ruleset of an engine, in the order forward chaining settles them."""

    stages: tuple[Stage, ...]
    params: Mapping[str, Any]


def fact_key(test: Test) -> str:
    """The key of the flat facts a test reads (set membership reads ``path:value``)."""
    return f"{test.path}:{test.operand.value}" if OPERATORS[test.op].operand == "member" else test.path


def _bind_operand(operand: Operand, params: Mapping[str, Any]) -> Operand:
    if operand.param is None:
        return operand
    return Operand(params[operand.param], operand.param)


def _bind_schedule(due: Due | None, params: Mapping[str, Any]) -> Schedule | None:
    if due is None:
        return None
    within = _bind_operand(due.within, params).value if due.within else None
    every = _bind_operand(due.every, params).value if due.every else None
    return Schedule(due.audience, within, every, due.work_hours)


def _bind_condition(condition: Condition, params: Mapping[str, Any]) -> Condition:
    if isinstance(condition, Test) and condition.operand.param is not None:
        return attrs.evolve(condition, operand=_bind_operand(condition.operand, params))
    if isinstance(condition, (All, AnyOf)):
        return type(condition)(tuple(_bind_condition(item, params) for item in condition.items))
    if isinstance(condition, Not):
        return Not(_bind_condition(condition.item, params))
    return condition


def bind(rulesets: tuple[Ruleset, ...], params: Mapping[str, Any]) -> Plan:
    """Bind every rule to ``params``, numbering rules across the whole plan.

    A check (``hit: check``) is bound right after its decides-rule as an applies-rule, whose
    condition is ``true`` when the check does not say when it applies.
    """
    stages, index = [], 0
    for ruleset in rulesets:
        rules = []
        for rule in ruleset.rules:
            condition = _bind_condition(rule.condition, params)
            rules.append(BoundRule(rule, condition, index, _bind_schedule(rule.due, params)))
            index += 1
            if ruleset.is_gate:
                applies = _bind_condition(rule.applies or Always(), params)
                rules.append(BoundRule(rule, applies, index, role="applies"))
                index += 1
        stages.append(Stage(ruleset, tuple(rules)))
    return Plan(tuple(stages), dict(params))


def settle(stage: Stage, holding: Sequence[BoundRule]) -> tuple[BoundRule, ...]:
    """The rules whose conclusions stand, by the ruleset's hit policy.

    ``holding`` are the rules of ``stage`` that hold, in rule order.

    Raises:
        RulesetError: When a ``unique`` ruleset has more than one rule holding.
    """
    if stage.hit == "unique" and len(holding) > 1:
        first, second = holding[0].rule, holding[1].rule
        raise RulesetError(
            f"{stage.ruleset.file}: ruleset {stage.ruleset.name!r} is unique, but rules "
            f"{first.id!r} ({first.source}) and {second.id!r} ({second.source}) both hold"
        )
    return tuple(holding) if stage.keeps_every_rule else tuple(holding[:1])


def assert_decision(facts: dict[str, Any], stage: Stage, chosen: tuple[BoundRule, ...]) -> None:
    """Add a settled decision to the facts as ``decisions.<ruleset>`` for later rulesets.

    A ``collect`` ruleset asserts one boolean per value it may conclude
    (``decisions.<ruleset>:<value>``); the others assert their single value when a rule held.
    A revision asserts its value as the decision it revises. A quality gate asserts nothing:
    no ruleset reads its findings.
    """
    if stage.is_gate:
        return
    if stage.hit == "collect":
        concluded = {bound.rule.then for bound in chosen}
        facts.update({key: value in concluded for key, value in stage.value_keys})
    elif chosen:
        facts[stage.decision_key] = chosen[0].rule.then
