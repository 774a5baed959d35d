"""Helpers for testing your own rulesets with pytest (or any runner that reads AssertionError).

>>> from incident_rules import Engine
>>> from incident_rules.testing import assert_decides
>>> engine = Engine.default(backend="native")
>>> document = {
...     "id": "INC-1", "title": "Checkout down", "detected_at": "2025-06-15T14:00:00Z",
...     "impact": {"user_facing": True, "scope": "widespread"},
... }
>>> assert_decides(engine, document, at="2025-06-15T14:05:00Z", rule="severity.widespread-outage").value
'SEV1'
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from incident_rules._authoring.coverage import Run
from incident_rules._authoring.lint import lint
from incident_rules._authoring.policy import decision_text, read_cases, run_cases
from incident_rules._decisions.data import Assessment, Decision
from incident_rules._facts.model import Incident
from incident_rules.render.whynot import why_not as why_not_text

__all__ = ["assert_decides", "assert_lints_clean", "assert_policy_tests_pass"]


def _decision_key(run: Run, rule: str) -> str:
    for ruleset in run.rulesets:
        if any(candidate.id == rule for candidate in ruleset.rules):
            return ruleset.revises or ruleset.name
    known = ", ".join(r.id for ruleset in run.rulesets for r in ruleset.rules)
    raise AssertionError(f"no rule {rule!r} in this engine; its rules are: {known}")


def _explained(assessment: Assessment, key: str) -> list[str]:
    outcome = assessment.decisions.get(key)
    decisions = (outcome,) if isinstance(outcome, Decision) else tuple(outcome or ())
    if not decisions:
        return [f"{key}: no rule held"]
    lines = [f"{key}: {decision_text(decision)}" for decision in decisions]
    for decision in decisions:
        for rejected in decision.rejected:
            failed = rejected.failed.test if rejected.failed else "no test"
            lines.append(f"  passed over {rejected.rule} ({rejected.source}): {failed}")
    return lines


def assert_decides(
    engine: Run,
    incident: Incident | Mapping[str, Any],
    *,
    at: datetime | str,
    rule: str,
    value: str | None = None,
) -> Decision:
    """Assert that ``incident`` at ``at`` yields a decision by ``rule`` (and ``value``, if given).

    Args:
        engine: The engine whose rules are under test.
        incident: An :class:`~incident_rules.Incident` or an incident document.
        at: The instant to assess at.
        rule: The id of the rule that must decide.
        value: The value it must conclude, if you want that checked too.

    Returns:
        The decision, for further checks.

    Raises:
        AssertionError: With what decided instead, why, and what it would have taken for
            ``rule`` to fire.
    """
    key = _decision_key(engine, rule)
    assessment = engine.assess(incident, at=at)
    outcome = assessment.decisions.get(key)
    decisions = (outcome,) if isinstance(outcome, Decision) else tuple(outcome or ())
    found = next((decision for decision in decisions if decision.rule == rule), None)
    if found is not None and (value is None or found.value == value):
        return found
    wanted = f"{rule!r} to decide {key}" + (f" = {value!r}" if value is not None else "")
    lines = [f"expected {wanted}; instead", *_explained(assessment, key)]
    lines.append("why not: " + why_not_text(assessment.why_not(rule)).rstrip().replace("\n", "\n  "))
    raise AssertionError("\n".join(lines))


def assert_lints_clean(*paths: Path | str, extend: bool = False) -> None:
    """Assert that the rules at ``paths`` lint without errors.

    Raises:
        AssertionError: Listing every error, each with ``file:line`` and an example input.
    """
    report = lint(*paths, extend=extend)
    if report.errors:
        raise AssertionError("lint found errors:\n" + "\n".join(map(str, report.errors)))


def assert_policy_tests_pass(path: Path | str, engine: Run) -> None:
    """Assert that every case of a policy-tests file passes on ``engine``.

    Raises:
        AssertionError: Listing each failed case with what decided instead.
        RulesetError: The file itself is not valid.
    """
    report = run_cases(read_cases(path), engine, str(path))
    if report.failed:
        lines = [f"{len(report.failed)} of {len(report.results)} policy tests failed:"]
        for result in report.failed:
            lines.append(f"{result.case.source}: {result.case.name}")
            lines += [f"  {failure}" for failure in result.failures]
        raise AssertionError("\n".join(lines))
