"""The typed rule model: what a rules file means once it is read."""

from __future__ import annotations

from typing import Literal

import attrs

from incident_rules._facts.schema import FieldType
from incident_rules._rulesets.expr import Condition, Operand

__all__ = [
    "CHECK_STATUSES",
    "GATE_PREFIX",
    "Due",
    "Hit",
    "Rule",
    "RulePatch",
    "RuleSource",
    "Ruleset",
    "RulesetPatch",
    "Schedule",
]

#: Paths only quality gates (``hit: check``) read: facts about the whole record, after the fact.
GATE_PREFIX = "gate."

#: ``check``: a quality gate, where every rule is a check that passes when its condition holds.
Hit = Literal["first", "collect", "unique", "check"]
#: What a check of a ``hit: check`` ruleset may find.
CHECK_STATUSES = ("passed", "failed", "not_applicable")


@attrs.frozen
class RuleSource:
    """Where a rule is written: ``file:line``."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@attrs.frozen
class Due:
    """When the action a rule concludes is due.

    ``within``: first due that long after detection; ``every``: due again that long after the
    last update to ``audience``. Both are minutes (or a duration param until bound);
    ``work_hours`` counts only working time.
    """

    audience: str | None = None
    within: Operand | None = None
    every: Operand | None = None
    work_hours: bool = False


@attrs.frozen
class Schedule:
    """When the action a decision calls for is due, as its rule says.

    ``within_minutes`` after detection for the first time, then every ``every_minutes`` after
    the last update to ``audience``; ``work_hours`` counts working time only.
    """

    audience: str | None = None
    within_minutes: float | None = None
    every_minutes: float | None = None
    work_hours: bool = False


@attrs.frozen
class Rule:
    """One rule: when its condition holds, its ruleset concludes ``then``.

    In a quality gate (``hit: check``) a rule is a check: it passes when its condition holds,
    and does not apply when its ``applies`` condition (``applies_when`` as written) does not.
    """

    id: str
    title: str
    when: str
    condition: Condition
    then: str
    source: RuleSource
    description: str = ""
    due: Due | None = None
    applies: Condition | None = None
    applies_when: str | None = None


@attrs.frozen
class Ruleset:
    """A named list of rules with a hit policy, the values it may conclude, and what it uses."""

    name: str
    title: str
    hit: Hit
    values: tuple[str, ...]
    uses: tuple[str, ...]
    rules: tuple[Rule, ...]
    file: str
    description: str = ""
    revises: str | None = None

    @property
    def is_gate(self) -> bool:
        """Whether this is a quality gate (``hit: check``): checks over the record, not decisions."""
        return self.hit == "check"

    @property
    def keeps_every_rule(self) -> bool:
        """Whether every rule that holds stands (``collect`` and ``check``), not only the first."""
        return self.hit in ("collect", "check")

    def decision_type(self) -> FieldType:
        """The type of ``decisions.<name>`` for the rulesets that use this one."""
        if self.hit == "collect":
            return FieldType("set", self.values)
        return FieldType("enum", self.values, optional=True)


@attrs.frozen
class RulePatch:
    """One entry of an ``overrides:`` file: a change to a rule of a ruleset read before, by id.

    Fields left ``None`` keep the rule's own; a rule id the ruleset does not have adds a rule
    (it then needs ``when`` and ``then``). ``before`` / ``after`` name the rule it goes next to.
    """

    id: str
    source: RuleSource
    when: str | None = None
    condition: Condition | None = None
    then: str | None = None
    title: str | None = None
    description: str | None = None
    due: Due | None = None
    enabled: bool = True
    before: str | None = None
    after: str | None = None


@attrs.frozen
class RulesetPatch:
    """An ``overrides: <ruleset>`` file: changes to single rules of a ruleset read before."""

    target: str
    rules: tuple[RulePatch, ...]
    file: str
    line: int
