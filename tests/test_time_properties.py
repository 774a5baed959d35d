"""Laws of the time-based decisions, checked on generated incidents."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from incident_rules import Engine, Incident
from incident_rules._facts.convert import parse_time
from oracle import SEVERITY_ORDER, classified
from strategies import assessments, instant_pairs, open_assessments, weeks

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


def last_update(incident: Incident, audience: str, at: datetime) -> datetime | None:
    return max((u.at for u in incident.updates if u.audience == audience and u.at <= at), default=None)


@given(assessments(), weeks)
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


@given(open_assessments())
def test_an_open_sev1_to_sev3_always_has_a_next_update_due_after_the_last(
    engine: Engine, case: tuple[dict[str, Any], datetime]
) -> None:
    """While open at SEV1-SEV3 a next update is due, never before the last one posted."""
    document, at = case
    incident = Incident.from_dict(document)
    assessment = engine.assess(incident, at=at)
    assert assessment.severity is not None
    assume(assessment.severity.value != "SEV4")
    audience = RECURRING[assessment.severity.value]
    (next_update,) = [a for a in assessment.due if a.audience == audience and a.action.endswith("updates")]
    last = last_update(incident, audience, at) or incident.detected_at
    assert next_update.due_at > last


@given(assessments())
def test_a_raised_severity_is_one_level_above_the_classification(
    engine: Engine, case: tuple[dict[str, Any], datetime]
) -> None:
    """The effective severity is the classification, or exactly one level more severe."""
    document, at = case
    assessment = engine.assess(document, at=at)
    assert assessment.severity is not None
    raised = SEVERITY_ORDER.index(classified(assessment)) - SEVERITY_ORDER.index(assessment.severity.value)
    assert raised in (0, 1)
    assert (raised == 1) == (assessment.severity.ruleset == "effective_severity")


@given(st.data())
def test_escalations_only_grow_with_time_until_mitigation(engine: Engine, data: st.DataObject) -> None:
    """Before the incident is mitigated, a later instant never drops an escalation."""
    document, _ = data.draw(assessments(), label="case")
    early, late = data.draw(instant_pairs(document), label="instants")
    incident = Incident.from_dict(document)
    values = [{d.value for d in engine.assess(incident, at=moment).escalations} for moment in (early, late)]
    assert values[0] <= values[1]
