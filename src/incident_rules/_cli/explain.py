"""``--explain full|fails|none``: how much of an explanation a command shows.

The level trims the data, not the text: an assessment or gate result is rebuilt with less in
each explanation and rendered by the same renderers, so text and JSON show the same things.
``full`` is the explanation as the engine gives it. ``fails`` keeps of each decision only what
did not hold: the earlier rules passed over, each with its failed test (the why-not); and of the
gate, the failed checks in full, the others without their tests and evidence. ``none`` keeps the
decisions (value, rule, source, schedule) and the verdict of each check, no explanation.
"""

from __future__ import annotations

import attrs

from incident_rules._decisions.data import Assessment, Decision, Explanation, Outcome
from incident_rules._decisions.gate import Finding, GateResult


def _kept(explanation: Explanation, level: str) -> Explanation:
    if level == "none":
        return Explanation()
    failed = tuple(check for check in explanation.because if not check.holds)
    return Explanation(because=failed, rejected=explanation.rejected)


def _decision(decision: Decision, level: str) -> Decision:
    kept = _kept(decision.explanation, level)
    return attrs.evolve(decision, explain=lambda: kept)


def _outcome(outcome: Outcome, level: str) -> Outcome:
    if isinstance(outcome, Decision):
        return _decision(outcome, level)
    if outcome is None:
        return None
    return tuple(_decision(decision, level) for decision in outcome)


def _finding(finding: Finding, level: str) -> Finding:
    if level == "fails" and finding.status == "failed":
        return finding
    return attrs.evolve(finding, evidence={}, explanation=Explanation())


def explained(result: Assessment | GateResult, level: str) -> Assessment | GateResult:
    """``result`` with as much of its explanations as ``level`` keeps (see the module)."""
    if level == "full":
        return result
    if isinstance(result, GateResult):
        findings = tuple(_finding(finding, level) for finding in result.findings)
        return attrs.evolve(result, findings=findings)
    decisions = {name: _outcome(outcome, level) for name, outcome in result.decisions.items()}
    return attrs.evolve(result, decisions=decisions)
