"""Plain text: an assessment as a tree a responder can read at 3 a.m."""

from __future__ import annotations

import json
from typing import Any

from incident_rules._decisions.data import Assessment, Check, Decision, DueAction
from incident_rules._decisions.gate import Finding, GateResult
from incident_rules._facts.convert import unstructure
from incident_rules._rulesets.model import CHECK_STATUSES, Schedule

__all__ = ["text"]


def _value(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}"
    return json.dumps(unstructure(value))


def _check(check: Check) -> str:
    state = "missing" if check.missing else "holds" if check.holds else "false"
    read = "no value" if check.missing else f"read {_value(check.value)}"
    param = f", params.{check.param} = {_value(check.expected)}" if check.param else ""
    return f"[{state}] {check.test}  ({read}{param})"


def _evidence(assessment: Assessment, check: Check) -> list[str]:
    feature = assessment.features.get(check.path.removeprefix("features."))
    if not check.path.startswith("features.") or feature is None:
        return []
    return [f"        {key}: {_value(value)}" for key, value in feature.evidence.items()]


def _schedule(schedule: Schedule) -> str:
    parts = [f"to {schedule.audience}"] if schedule.audience else []
    if schedule.within_minutes is not None:
        parts.append(f"within {schedule.within_minutes:g} min of detection")
    if schedule.every_minutes is not None:
        parts.append(f"every {schedule.every_minutes:g} min after the last update")
    if schedule.work_hours:
        parts.append("counting work hours only")
    return ", ".join(parts)


def _due(action: DueAction) -> str:
    state = "overdue" if action.overdue else "due"
    audience = f" ({action.audience})" if action.audience else ""
    return (
        f"  [{state}] {action.action}{audience} at {action.due_at.isoformat()}"
        f"\n      {action.basis}; by {action.rule} ({action.source})"
    )


def _decision(assessment: Assessment, name: str, decision: Decision) -> list[str]:
    lines = [
        f"{name}: {decision.value}",
        f"  by {decision.rule}  ({decision.source})  {decision.title}",
    ]
    if decision.because:
        lines.append("  because")
        for check in decision.because:
            lines.append(f"    {_check(check)}")
            lines += _evidence(assessment, check)
    if decision.schedule is not None:
        lines.append(f"  schedule: {_schedule(decision.schedule)}")
    for reference in decision.derived_from:
        lines.append(f"  derived from {reference.ruleset} = {reference.value} ({reference.rule})")
    if decision.rejected:
        lines.append("  earlier rules that did not hold")
        for rejection in decision.rejected:
            failed = _check(rejection.failed) if rejection.failed else "(no test)"
            lines.append(f"    {rejection.rule}  ({rejection.source}): {failed}")
    return lines


def _finding(finding: Finding) -> list[str]:
    status = finding.status.replace("_", " ")
    lines = [f"[{status}] {finding.check}  ({finding.source})  {finding.title}"]
    lines += [f"    {_check(check)}" for check in finding.because]
    lines += [f"      {key}: {_value(value)}" for key, value in finding.evidence.items()]
    return lines


def _gate(result: GateResult) -> str:
    counts = {status: sum(1 for f in result.findings if f.status == status) for status in CHECK_STATUSES}
    summary = ", ".join(f"{count} {status.replace('_', ' ')}" for status, count in counts.items())
    verdict = "passed" if result.passed else "failed"
    lines = [f"{result.incident_id} quality gate at {result.at.isoformat()}: {verdict} ({summary})"]
    for finding in result.findings:
        lines += ["", *_finding(finding)]
    return "\n".join(lines) + "\n"


def text(assessment: Assessment | GateResult) -> str:
    """The assessment as a readable tree, one block per ruleset: each decision, its rule, its tests
    with the values read and the evidence behind them, the rules passed over, and what is due.

    A :class:`GateResult` reads as its verdict, then each finding with its tests and evidence.
    """
    if isinstance(assessment, GateResult):
        return _gate(assessment)
    lines = [f"{assessment.incident_id} at {assessment.at.isoformat()}"]
    for name, outcome in assessment.decisions.items():
        lines.append("")
        if outcome is None:
            lines.append(f"{name}: no rule held")
        elif isinstance(outcome, Decision):
            lines += _decision(assessment, name, outcome)
        elif not outcome:
            lines.append(f"{name}: none")
        else:
            for decision in outcome:
                lines += _decision(assessment, name, decision)
    lines += ["", "due" if assessment.due else "due: nothing"]
    lines += [_due(action) for action in assessment.due]
    return "\n".join(lines) + "\n"
