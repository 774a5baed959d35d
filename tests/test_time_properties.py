"""Laws of the time-based decisions, checked on generated incidents, against a plain oracle."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incident_rules import Assessment, Engine, Incident
from incident_rules._facts.convert import parse_time
from oracle import blast_radius_growing, classify, raise_one_level
from strategies import assessments

SEVERITY_RANK = {"SEV1": 1, "SEV2": 2, "SEV3": 3, "SEV4": 4}
TIME_KEYS = {"at", "detected_at", "onset_at", "next_update_at", "scheduled_at", "published_at", "due"}
RECURRING = {"SEV1": "stakeholders", "SEV2": "stakeholders", "SEV3": "team"}


def shift(document: Any, by: timedelta) -> Any:
    """The document with every time in it moved by ``by``."""
    if isinstance(document, dict):
        return {
            key: (parse_time(value) + by).isoformat() if key in TIME_KEYS and value else shift(value, by)
            for key, value in document.items()
        }
    if isinstance(document, list):
        return [shift(item, by) for item in document]
    return document


@pytest.fixture(scope="module", params=["native", "durable"])
def engine(request: pytest.FixtureRequest) -> Engine:
    if request.param == "durable":
        pytest.importorskip("durable")
    return Engine.default(backend=request.param)


def first_entry(incident: Incident, kinds: tuple[str, ...], at: datetime) -> datetime | None:
    return min((e.at for e in incident.timeline if e.kind in kinds and e.at <= at), default=None)


def last_update(incident: Incident, audience: str, at: datetime) -> datetime | None:
    return max((u.at for u in incident.updates if u.audience == audience and u.at <= at), default=None)


@given(assessments(), st.integers(-5, 5).filter(bool))
def test_moving_every_time_by_whole_weeks_moves_every_deadline_and_no_decision(
    engine: Engine, case: tuple[dict[str, Any], datetime], weeks: int
) -> None:
    """Shifting the document and ``at`` by whole weeks shifts each deadline by as much."""
    document, at = case
    by = timedelta(weeks=weeks)
    before, after = engine.assess(document, at=at), engine.assess(shift(document, by), at=at + by)
    assert after.decisions == before.decisions
    assert [(a.action, a.overdue, a.rule) for a in after.due] == [
        (a.action, a.overdue, a.rule) for a in before.due
    ]
    assert [a.due_at for a in after.due] == [a.due_at + by for a in before.due]


@given(assessments())
def test_an_open_sev1_to_sev3_always_has_a_next_update_due_after_the_last(
    engine: Engine, case: tuple[dict[str, Any], datetime]
) -> None:
    """While open at SEV1-SEV3 a next update is due, never before the last one posted."""
    document, at = case
    incident = Incident.from_dict(document)
    assessment = engine.assess(incident, at=at)
    assert assessment.severity is not None
    if first_entry(incident, ("resolved",), at) is not None or assessment.severity.value == "SEV4":
        return
    audience = RECURRING[assessment.severity.value]
    (next_update,) = [a for a in assessment.due if a.audience == audience and a.action.endswith("updates")]
    last = last_update(incident, audience, at) or incident.detected_at
    assert next_update.due_at > last


def classified(assessment: Assessment) -> str:
    """The severity before any raise, as the explanation of the effective one names it."""
    severity = assessment.severity
    assert severity is not None
    references = [ref.value for ref in severity.derived_from if ref.ruleset == "severity"]
    return references[0] if severity.ruleset == "effective_severity" else severity.value


@given(assessments())
def test_a_raised_severity_is_one_level_above_the_classification(
    engine: Engine, case: tuple[dict[str, Any], datetime]
) -> None:
    """The effective severity is the classification, or exactly one level more severe."""
    document, at = case
    assessment = engine.assess(document, at=at)
    assert assessment.severity is not None
    raised = SEVERITY_RANK[classified(assessment)] - SEVERITY_RANK[assessment.severity.value]
    assert raised in (0, 1)
    assert (raised == 1) == (assessment.severity.ruleset == "effective_severity")


@given(assessments(), st.integers(0, 240), st.integers(0, 240))
def test_escalations_only_grow_with_time_until_mitigation(
    engine: Engine, case: tuple[dict[str, Any], datetime], first: int, second: int
) -> None:
    """Before the incident is mitigated, a later instant never drops an escalation."""
    incident = Incident.from_dict(case[0])
    early, late = sorted(incident.detected_at + timedelta(minutes=m) for m in (first, second))
    if first_entry(incident, ("mitigated", "resolved"), late) is not None:
        return
    values = [{d.value for d in engine.assess(incident, at=moment).escalations} for moment in (early, late)]
    assert values[0] <= values[1]


def oracle(incident: Incident, at: datetime, params: dict[str, Any]) -> dict[str, Any]:
    """Severity, escalations and SEV1/SEV2 deadlines from practice.md, written plainly."""
    impact, detected = incident.impact, incident.detected_at
    severity = classify(impact, params["significant_fraction"])
    mitigated = first_entry(incident, ("mitigated", "resolved"), at)
    resolved = first_entry(incident, ("resolved",), at) is not None
    unmitigated = max(0.0, ((mitigated or at) - detected).total_seconds() / 60)
    growing = blast_radius_growing(impact, at, params["blast_radius_growth"])
    effective = raise_one_level(severity) if growing else severity
    escalations = set()
    if mitigated is None and unmitigated > 15 and effective == "SEV1":
        escalations.add("leadership")
    if growing and severity != "SEV1":
        escalations.add("raise_severity")
    if impact.customer_data or impact.pii_exposed:
        escalations.add("security")
    if impact.pii_exposed:
        escalations.add("legal")
    if any(responder.blocked_on_access for responder in incident.responders):
        escalations.add("platform")
    plan: dict[str, tuple[str, float, bool]] = {}  # action -> (audience, minutes, recurring)
    if not resolved and effective == "SEV1":
        plan = {
            "status_page": ("status_page", 10, False),
            "stakeholder_updates": ("stakeholders", 15, True),
            "executive_summary": ("executives", 60, False),
        }
    elif not resolved and effective == "SEV2":
        plan = {"status_page": ("status_page", 30, False), "stakeholder_updates": ("stakeholders", 30, True)}
    due = {}
    for action, (audience, minutes, recurring) in plan.items():
        last = last_update(incident, audience, at)
        if last is None or recurring:
            due[action] = (last or detected) + timedelta(minutes=minutes)
    if "leadership" in escalations:
        due["leadership"] = detected + timedelta(minutes=15)
    for name in ("security", "legal", "platform"):
        if name in escalations:
            due[name] = detected
    return {"severity": effective, "escalations": escalations, "due": due}


@given(assessments())
def test_the_oracle_agrees_on_severity_escalations_and_deadlines(
    engine: Engine, case: tuple[dict[str, Any], datetime]
) -> None:
    """Effective severity, escalations and SEV1/SEV2 deadlines match the plain-Python oracle."""
    document, at = case
    incident = Incident.from_dict(document)
    assessment = engine.assess(incident, at=at)
    expected = oracle(incident, at, dict(engine.params))
    assert assessment.severity is not None
    assert assessment.severity.value == expected["severity"]
    assert {d.value for d in assessment.escalations} == expected["escalations"]
    if expected["severity"] in ("SEV1", "SEV2"):
        assert {a.action: a.due_at for a in assessment.due} == expected["due"]
