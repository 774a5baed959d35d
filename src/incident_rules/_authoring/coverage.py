"""Coverage of policy tests: which rules decided, and which outcome of each test was seen.

A rule is exercised when it decides (stands, for collect) in some case. A test of a rule's
condition is covered when it was seen both true and false in cases where the rule was
evaluated: under ``first`` the rules up to the one that decided, otherwise every rule. Each test
is evaluated on its own, so ``a and b`` needs cases where ``b`` is false too, even when ``a`` is.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

import attrs

from incident_rules._authoring.space import stage_of
from incident_rules._backends.codegen import Holding, holding_function
from incident_rules._backends.plan import BoundRule, Plan, Stage, assert_decision, bind, settle
from incident_rules._backends.view import fact_view
from incident_rules._decisions.data import Assessment
from incident_rules._facts.model import Incident
from incident_rules._rulesets.expr import leaves
from incident_rules._rulesets.model import Ruleset

__all__ = ["Coverage", "Run"]


class Run(Protocol):
    """What policy tests need of an engine."""

    @property
    def rulesets(self) -> tuple[Ruleset, ...]: ...

    @property
    def params(self) -> Mapping[str, Any]: ...

    def assess(self, incident: Incident | Mapping[str, Any], *, at: datetime | str) -> Assessment: ...


def _leaf_stage(stage: Stage) -> tuple[Holding, dict[int, tuple[str, int, str]]]:
    """A function giving which tests of ``stage`` hold, each test by (rule id, position, text)."""
    tests: list[BoundRule] = []
    named: dict[int, tuple[str, int, str]] = {}
    for bound in stage.rules:
        for position, test in enumerate(leaves(bound.condition)):
            named[len(tests)] = (bound.rule.id, position, test.text)
            tests.append(BoundRule(bound.rule, test, len(tests)))
    return holding_function(stage_of(tests, stage)), named


@attrs.define
class Coverage:
    """Rules decided and test outcomes seen, over the cases recorded so far."""

    plan: Plan
    decided: dict[str, int]
    seen: dict[tuple[str, int], set[bool]]
    tests: dict[tuple[str, int], str]
    _stages: list[tuple[Stage, Holding, Holding, dict[int, tuple[str, int, str]]]]

    @classmethod
    def of(cls, run: Run) -> Coverage:
        """Empty coverage of every rule ``run`` has."""
        plan = bind(run.rulesets, run.params)
        stages = []
        tests: dict[tuple[str, int], str] = {}
        for stage in plan.stages:
            leaf_holding, named = _leaf_stage(stage)
            tests |= {(rule, position): text for rule, position, text in named.values()}
            stages.append((stage, holding_function(stage), leaf_holding, named))
        decided = {bound.rule.id: 0 for stage in plan.stages for bound in stage.rules}
        return cls(plan, decided, {key: set() for key in tests}, tests, stages)

    def record(self, document: Mapping[str, Any], assessment: Assessment) -> None:
        """Add what one assessed document exercised."""
        facts = fact_view(Incident.from_dict(document), assessment.features)
        for stage, holding, leaf_holding, named in self._stages:
            chosen = settle(stage, holding(facts))
            evaluated = _evaluated(stage, chosen)
            held = {bound.index for bound in leaf_holding(facts)}
            for index, (rule, position, _) in named.items():
                if rule in evaluated:
                    self.seen[(rule, position)].add(index in held)
            for bound in chosen:
                self.decided[bound.rule.id] += 1
            assert_decision(facts, stage, chosen)

    def never_decided(self) -> list[str]:
        """The rules no case made decide."""
        return [rule for rule, count in self.decided.items() if count == 0]

    def missing_outcomes(self) -> list[tuple[str, str, bool]]:
        """(rule, test, outcome) for every outcome of a test no case showed."""
        return [
            (rule, self.tests[(rule, position)], outcome)
            for (rule, position), outcomes in self.seen.items()
            for outcome in (True, False)
            if outcome not in outcomes
        ]

    def text(self) -> str:
        """A summary line for rules and for test outcomes, then what is missing."""
        rules, outcomes = len(self.decided), 2 * len(self.seen)
        lines = [
            f"rules decided: {rules - len(self.never_decided())}/{rules}",
            f"test outcomes seen: {outcomes - len(self.missing_outcomes())}/{outcomes}",
        ]
        lines += [f"  never decided: {rule}" for rule in self.never_decided()]
        lines += [
            f"  never {'true' if outcome else 'false'}: {test}  (in {rule})"
            for rule, test, outcome in self.missing_outcomes()
        ]
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: per rule, how often it decided and which test outcomes were seen."""
        return {
            rule: {
                "decided": count,
                "tests": [
                    {"test": text, "seen": sorted(self.seen[key])}
                    for key, text in self.tests.items()
                    if key[0] == rule
                ],
            }
            for rule, count in self.decided.items()
        }


def _evaluated(stage: Stage, chosen: tuple[BoundRule, ...]) -> set[str]:
    """The rules of ``stage`` that were tested before it settled."""
    if stage.ruleset.hit != "first" or not chosen:
        return {bound.rule.id for bound in stage.rules}
    last = chosen[0].index
    return {bound.rule.id for bound in stage.rules if bound.index <= last}
