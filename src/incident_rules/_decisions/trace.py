"""From the rules that stood to explained decisions, the same for both backends."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from incident_rules._backends.codegen import Explain, Tested, explaining_functions
from incident_rules._backends.plan import BoundRule, Plan, Stage, assert_decision
from incident_rules._decisions.data import Check, Decision, Explanation, Outcome, Reference, Rejection
from incident_rules._decisions.gate import Finding, Status
from incident_rules._decisions.whynot import WhyNot
from incident_rules._rulesets.expr import leaves
from incident_rules._rulesets.model import Schedule
from incident_rules._rulesets.operators import OPERATORS
from incident_rules._suggest import did_you_mean

__all__ = ["Explainer", "FindWhyNot", "as_check"]

T = TypeVar("T")
Kept = TypeVar("Kept")
#: What a ruleset concluded, as the rulesets after it read it.
Settled = Reference | tuple[Reference, ...] | None
_HOLDS = 2  # where a Tested says whether the test held
#: What answers why-not for a rule of a stage, on the facts that stage read.
FindWhyNot = Callable[[Stage, BoundRule, Mapping[str, Any]], WhyNot]


def as_check(tested: Tested) -> Check:
    test, negated, holds, value, missing = tested
    text = f"not {test.text}" if negated else test.text
    operand = test.operand
    return Check(text, test.path, test.op, value, missing, holds, operand.value, operand.param, negated)


#: How many checks an explainer keeps for reuse before it starts afresh (memory stays bounded).
_KEPT_CHECKS = 4096


#: The types of the values a kept check may read: a number would rarely recur, and ``1``,
#: ``1.0`` and ``True`` (or ``0.0`` and ``-0.0``) are equal as keys but not shown alike.
_REUSABLE = frozenset({bool, str, type(None)})


class _Kept:
    """Checks and rejections, each reused when the same test reads the same value again.

    They are frozen, and most tests read a flag or a choice, so the same few readings recur
    across assessments. Keys hold a test by id: the plan keeps every test alive. Threads may
    race on the dicts: the worst is one built twice.
    """

    def __init__(self) -> None:
        self._checks: dict[tuple[int, bool, bool, Any, bool], Check] = {}
        self._rejections: dict[tuple[int, int, bool, bool, Any, bool], Rejection] = {}

    def check(self, tested: Tested) -> Check:
        """The check of ``tested``, as :func:`as_check` builds it."""
        test, negated, holds, value, missing = tested
        if type(value) not in _REUSABLE:
            return as_check(tested)
        return _kept(self._checks, (id(test), negated, holds, value, missing), lambda: as_check(tested))

    def rejection(self, bound: BoundRule, failed: Tested | None) -> Rejection:
        """Why ``bound`` did not decide: ``failed``, its first failing test (None: it has none)."""
        if failed is None:
            return _rejection(bound, None)
        test, negated, holds, value, missing = failed
        if type(value) not in _REUSABLE:
            return _rejection(bound, as_check(failed))
        key = (bound.index, id(test), negated, holds, value, missing)
        return _kept(self._rejections, key, lambda: _rejection(bound, self.check(failed)))


def _kept(table: dict[Any, Kept], key: Any, build: Callable[[], Kept]) -> Kept:
    """``table[key]``, built by ``build`` if missing; a full table is emptied first (bounded)."""
    found = table.get(key)
    if found is None:
        if len(table) >= _KEPT_CHECKS:
            table.clear()
        found = table[key] = build()
    return found


def _rejection(bound: BoundRule, check: Check | None) -> Rejection:
    return Rejection(bound.rule.id, bound.rule.title, bound.source, check)


def _references(checks: list[Check], settled: Mapping[str, Settled]) -> tuple[Reference, ...]:
    references = []
    for check in checks:
        if not check.path.startswith("decisions."):
            continue
        outcome = settled.get(check.path.removeprefix("decisions."))
        candidates = outcome if isinstance(outcome, tuple) else (outcome,) if outcome else ()
        for reference in candidates:
            if OPERATORS[check.op].operand == "member" and reference.value != check.expected:
                continue  # a collect decision is read one value at a time
            if reference not in references:
                references.append(reference)
    return tuple(references)


def _settle_into(settled: dict[str, T | tuple[T, ...] | None], stage: Stage, standing: tuple[T, ...]) -> None:
    """Record a stage's conclusions under the decision later rulesets read them as."""
    if stage.is_gate:
        return  # a quality gate's findings are not decisions
    if stage.hit == "collect":
        settled[stage.ruleset.name] = standing
    elif stage.ruleset.revises is None:
        settled[stage.ruleset.name] = standing[0] if standing else None
    elif standing:
        settled[stage.ruleset.revises] = standing[0]


class Explainer:
    """Decisions of one plan with their explanations; every rule's explanation compiled once."""

    def __init__(self, plan: Plan, why_not: FindWhyNot | None = None) -> None:
        self.plan = plan
        self.find_why_not = why_not
        self.rules = {bound.rule.id: (stage, bound) for stage in plan.stages for bound in stage.rules}
        self.kept = _Kept()
        #: What each rule's decision is referred to as by the decisions derived from it.
        self.references = {
            bound.index: Reference(stage.ruleset.name, bound.rule.id, bound.rule.then)
            for stage in plan.stages
            for bound in stage.rules
        }
        #: A decision's fields but its explanation, by rule index: the same in every assessment.
        self.fields = {bound.index: _fields(stage, bound) for stage in plan.stages for bound in stage.rules}
        self.unexplained = {index: Decision(*fields) for index, fields in self.fields.items()}
        #: The rules that read a decision: only their explanations can be derived from one.
        self.reading_decisions = {
            bound.index
            for stage in plan.stages
            for bound in stage.rules
            if any(test.path.startswith("decisions.") for test in leaves(bound.condition))
        }
        self.explain: dict[int, Explain] = {}
        for stage in plan.stages:
            self.explain |= explaining_functions(stage)
        #: Each rule's ruleset, as its rules with their explaining functions, and its place there.
        self.place: dict[int, tuple[tuple[tuple[BoundRule, Explain], ...], int]] = {}
        for stage in plan.stages:
            explained = tuple((bound, self.explain[bound.index]) for bound in stage.rules)
            self.place |= {bound.index: (explained, position) for position, bound in enumerate(stage.rules)}

    def outcomes(
        self, chosen: Mapping[str, tuple[BoundRule, ...]], facts: Mapping[str, Any]
    ) -> dict[str, Outcome]:
        """The decisions of the rules that stood, by ruleset, explained from ``facts`` when read.

        ``facts`` are the facts before any decision; they must not change afterwards.
        """
        return self._settled(chosen, _Replay(self, chosen, facts).decision)

    def conclusions(self, chosen: Mapping[str, tuple[BoundRule, ...]]) -> dict[str, Outcome]:
        """The decisions :meth:`outcomes` gives, without explanations: for callers that never
        read one (a batch row). Each is built once per engine, so this builds none."""
        return self._settled(chosen, self.unexplained.__getitem__)

    def _settled(
        self, chosen: Mapping[str, tuple[BoundRule, ...]], decision: Callable[[int], Decision]
    ) -> dict[str, Outcome]:
        settled: dict[str, Outcome] = {}
        for stage in self.plan.stages:
            if stage.is_gate:
                continue  # findings, not decisions: see findings()
            standing = chosen[stage.ruleset.name]
            _settle_into(settled, stage, tuple(decision(bound.index) for bound in standing))
        return settled

    def rejections(self, chosen: BoundRule, facts: Mapping[str, Any]) -> tuple[Rejection, ...]:
        """Why each rule before ``chosen`` did not decide: its first failing test."""
        rejected = []
        explained, position = self.place[chosen.index]
        for bound, explain in explained[:position]:
            _, tested = explain(facts)
            failed: Tested | None = tested[0] if tested else None
            for item in tested:  # a loop, not next() over a generator: this runs very often
                if not item[_HOLDS]:
                    failed = item
                    break
            rejected.append(self.kept.rejection(bound, failed))
        return tuple(rejected)

    def explanation(
        self, stage: Stage, bound: BoundRule, facts: Mapping[str, Any], settled: Mapping[str, Settled]
    ) -> Explanation:
        """Why ``bound`` held on ``facts``, reading the decisions ``settled`` before it."""
        _, tested = self.explain[bound.index](facts)
        because = [self.kept.check(item) for item in tested]
        rejected = self.rejections(bound, facts) if stage.hit == "first" else ()
        derived = _references(because, settled) if bound.index in self.reading_decisions else ()
        return Explanation(tuple(because), derived, rejected)

    def findings(
        self,
        chosen: Mapping[str, tuple[BoundRule, ...]],
        facts: Mapping[str, Any],
        evidence: Mapping[str, Mapping[str, Any]],
    ) -> tuple[Finding, ...]:
        """One finding per check of every quality gate in the plan, explained from ``facts``.

        ``evidence`` holds, by fact path, the evidence of the facts a check may read.
        """
        found = []
        for stage, seen, settled in _replayed(self, chosen, facts):
            if not stage.is_gate:
                continue
            standing = {bound.index for bound in chosen[stage.ruleset.name]}
            # bind() puts each check's applies-rule right after its decides-rule.
            for decides, applies in zip(stage.rules[::2], stage.rules[1::2], strict=True):
                found.append(self._finding(stage, (decides, applies), standing, seen, settled, evidence))
        return tuple(found)

    def _finding(
        self,
        stage: Stage,
        pair: tuple[BoundRule, BoundRule],
        standing: set[int],
        facts: Mapping[str, Any],
        settled: Mapping[str, Settled],
        evidence: Mapping[str, Mapping[str, Any]],
    ) -> Finding:
        decides, applies = pair
        status: Status = "not_applicable"
        deciding = applies
        if applies.index in standing:
            status, deciding = ("passed" if decides.index in standing else "failed"), decides
        _, tested = self.explain[deciding.index](facts)
        if deciding is decides and decides.rule.applies is not None:
            tested = self.explain[applies.index](facts)[1] + tested  # why it applied, then the verdict
        because = [as_check(item) for item in tested]
        shown: dict[str, Any] = {}
        for test in leaves(deciding.condition):
            shown |= evidence.get(test.path, {})
        rule = decides.rule
        explanation = Explanation(tuple(because), _references(because, settled))
        return Finding(rule.id, status, rule.title, stage.ruleset.name, decides.source, shown, explanation)


def _replayed(
    explainer: Explainer, chosen: Mapping[str, tuple[BoundRule, ...]], facts: Mapping[str, Any]
) -> Iterator[tuple[Stage, dict[str, Any], dict[str, Settled]]]:
    """Each stage with the facts and references it read: earlier stages' decisions settled.

    ``facts`` are the facts before any decision; the dicts yielded change as stages settle.
    """
    seen = dict(facts)
    settled: dict[str, Settled] = {}
    references = explainer.references
    for stage in explainer.plan.stages:
        yield stage, seen, settled
        standing = chosen[stage.ruleset.name]
        assert_decision(seen, stage, standing)
        _settle_into(settled, stage, tuple(references[bound.index] for bound in standing))


class _Replay:
    """The explanations of one assessment, worked out together the first time one is read.

    ``facts`` are the facts before any decision: settling is replayed so that each ruleset's
    tests are explained with exactly the decisions it read (a revision replaces a decision
    only for the rulesets after it).
    """

    def __init__(
        self, explainer: Explainer, chosen: Mapping[str, tuple[BoundRule, ...]], facts: Mapping[str, Any]
    ) -> None:
        self._explainer, self._chosen, self._facts = explainer, chosen, facts
        self._explanations: dict[int, Explanation] | None = None

    def decision(self, index: int) -> Decision:
        """The decision of the rule numbered ``index``, explained when its explanation is read."""
        explain = functools.partial(self.explanation, index)
        return Decision(*self._explainer.fields[index], explain, self.why_not)

    def explanation(self, index: int) -> Explanation:
        if self._explanations is None:  # two threads may both work it out: same result
            self._explanations = self._explain_all()
        return self._explanations[index]

    def why_not(self, rule: str) -> WhyNot:
        """What it would take for ``rule`` to fire, on the facts its ruleset read."""
        found = self._explainer.rules.get(rule)
        if found is None or self._explainer.find_why_not is None:
            hint = did_you_mean(rule, self._explainer.rules) if isinstance(rule, str) else ""
            raise LookupError(f"why_not: no rule {rule!r} in this engine{hint}")
        stage, bound = found
        # Why-not is seldom asked: the facts its ruleset read are replayed for it, not kept.
        read = next(dict(seen) for at, seen, _ in self._replayed() if at is stage)
        return self._explainer.find_why_not(stage, bound, read)

    def _replayed(self) -> Iterator[tuple[Stage, dict[str, Any], dict[str, Settled]]]:
        return _replayed(self._explainer, self._chosen, self._facts)

    def _explain_all(self) -> dict[int, Explanation]:
        """Every explanation of the rules that stood, by rule index."""
        explanations = {}
        for stage, seen, settled in self._replayed():
            if stage.is_gate:
                continue
            for bound in self._chosen[stage.ruleset.name]:
                explanations[bound.index] = self._explainer.explanation(stage, bound, seen, settled)
        return explanations


def _fields(stage: Stage, bound: BoundRule) -> tuple[str, str, str, str, str, Schedule | None]:
    rule = bound.rule
    return (rule.then, rule.id, stage.ruleset.name, rule.title, bound.source, bound.schedule)
