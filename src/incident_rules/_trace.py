"""From the rules that stood to explained decisions, the same for both backends."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from incident_rules._decisions import Check, Decision, Outcome, Reference, Rejection, Schedule
from incident_rules._expr import All, Always, AnyOf, Condition, Not, Test
from incident_rules._plan import BoundRule, Plan, Stage, assert_decision, evaluate_test

__all__ = ["justify", "outcomes"]


def _check(test: Test, facts: Mapping[str, Any], negated: bool = False) -> Check:
    holds, value, missing = evaluate_test(test, facts)
    text = f"not {test.text}" if negated else test.text
    operand = test.operand
    return Check(text, test.path, test.op, value, missing, holds != negated, operand.value, operand.param)


def justify(condition: Condition, facts: Mapping[str, Any]) -> tuple[bool, list[Check]]:
    """Whether a condition holds, and the tests that decide it.

    For ``and`` that held: all its tests; that failed: the first failing part. For ``or`` that
    held: the first part that held; that failed: all its parts. ``not`` keeps its part's tests.
    """
    if isinstance(condition, Test):
        check = _check(condition, facts)
        return check.holds, [check]
    if isinstance(condition, Always):
        return True, []
    if isinstance(condition, Not):
        if isinstance(condition.item, Test):  # report "not x" as one check, as written
            check = _check(condition.item, facts, negated=True)
            return check.holds, [check]
        holds, checks = justify(condition.item, facts)
        return not holds, checks
    wanted = isinstance(condition, AnyOf)  # the part value that settles the whole early
    gathered: list[Check] = []
    for item in condition.items:
        holds, checks = justify(item, facts)
        if holds == wanted:
            return wanted, checks
        gathered += checks
    assert isinstance(condition, All | AnyOf)
    return not wanted, gathered


def _references(checks: list[Check], settled: Mapping[str, Outcome]) -> tuple[Reference, ...]:
    references = []
    for check in checks:
        if not check.path.startswith("decisions."):
            continue
        outcome = settled.get(check.path.removeprefix("decisions."))
        candidates = outcome if isinstance(outcome, tuple) else (outcome,) if outcome else ()
        for decision in candidates:
            if check.op == "has" and decision.value != check.expected:
                continue  # a collect decision is read one value at a time
            reference = Reference(decision.ruleset, decision.rule, decision.value)
            if reference not in references:
                references.append(reference)
    return tuple(references)


def _rejections(stage: Stage, chosen: BoundRule, facts: Mapping[str, Any]) -> tuple[Rejection, ...]:
    rejected = []
    for bound in stage.rules:
        if bound.index == chosen.index:
            break
        _, checks = justify(bound.condition, facts)
        failed = next((check for check in checks if not check.holds), checks[0] if checks else None)
        rule = bound.rule
        rejected.append(Rejection(rule.id, rule.title, str(rule.source), failed))
    return tuple(rejected)


def _schedule(bound: BoundRule) -> Schedule | None:
    due = bound.due
    if due is None:
        return None
    within = due.within.value if due.within else None
    every = due.every.value if due.every else None
    return Schedule(due.audience, within, every, due.work_hours)


def _decision(
    stage: Stage, bound: BoundRule, facts: Mapping[str, Any], settled: Mapping[str, Outcome]
) -> Decision:
    _, because = justify(bound.condition, facts)
    rule = bound.rule
    rejected = _rejections(stage, bound, facts) if stage.ruleset.hit == "first" else ()
    return Decision(
        value=rule.then,
        rule=rule.id,
        ruleset=stage.ruleset.name,
        title=rule.title,
        source=str(rule.source),
        because=tuple(because),
        derived_from=_references(because, settled),
        rejected=rejected,
        schedule=_schedule(bound),
    )


def outcomes(
    plan: Plan, chosen: Mapping[str, tuple[BoundRule, ...]], facts: Mapping[str, Any]
) -> dict[str, Outcome]:
    """Explained decisions for the rules that stood, ruleset by ruleset in plan order.

    ``facts`` are the facts before any decision: settling is replayed so that each ruleset's
    tests are explained with exactly the decisions it read (a revision replaces a decision
    only for the rulesets after it).
    """
    seen = dict(facts)
    settled: dict[str, Outcome] = {}
    for stage in plan.stages:
        standing = chosen[stage.ruleset.name]
        decisions = tuple(_decision(stage, bound, seen, settled) for bound in standing)
        assert_decision(seen, stage, standing)
        if stage.ruleset.hit == "collect":
            settled[stage.ruleset.name] = decisions
        elif stage.ruleset.revises is None:
            settled[stage.ruleset.name] = decisions[0] if decisions else None
        elif decisions:
            settled[stage.ruleset.revises] = decisions[0]
    return settled
