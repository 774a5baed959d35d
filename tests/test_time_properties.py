"""Laws of the time-based decisions, checked on generated incidents, against a plain oracle."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incident_rules import Assessment, Engine

SEVERITY_RANK = {"SEV1": 1, "SEV2": 2, "SEV3": 3, "SEV4": 4}
OFFSETS = [
    timezone.utc,
    timezone(timedelta(hours=2)),
    timezone(timedelta(hours=-5)),
    timezone(timedelta(hours=5, minutes=30)),
]


def iso(moment: datetime) -> str:
    return moment.isoformat()


@st.composite
def timed_incidents(draw: st.DrawFn) -> tuple[dict[str, Any], datetime]:
    """An incident document rich in times (observations, timeline, updates) and an instant."""
    zone = draw(st.sampled_from(OFFSETS))
    detected = draw(st.datetimes(datetime(2024, 1, 1), datetime(2026, 12, 31))).replace(
        second=0, microsecond=0, tzinfo=zone
    )

    def after(minutes: int) -> str:
        return iso(detected + timedelta(minutes=minutes))

    minutes = st.integers(0, 300)
    fractions = st.floats(0, 1).map(lambda value: round(value, 2))
    observations = draw(st.lists(st.tuples(minutes, fractions), max_size=4))
    timeline = [
        {"at": after(offset), "kind": kind}
        for kind in ("mitigated", "resolved")
        if (offset := draw(st.none() | minutes)) is not None
    ]
    updates = [
        {
            "at": after(offset),
            "audience": audience,
            "status": "s",
            "what_happened": "h",
            "what_we_did": "d",
            "next_steps": "n",
        }
        for offset, audience in draw(
            st.lists(
                st.tuples(minutes, st.sampled_from(["status_page", "stakeholders", "executives", "team"])),
                max_size=6,
            )
        )
    ]
    document = {
        "id": "INC-T",
        "title": "generated",
        "detected_at": iso(detected),
        "impact": {
            "user_facing": draw(st.booleans()),
            "scope": draw(st.sampled_from(["none", "cosmetic", "minor", "partial", "widespread"])),
            "affected_fraction": draw(fractions),
            "workaround": draw(st.booleans()),
            "internal_only": draw(st.booleans()),
            "data_loss": draw(st.booleans()),
            "customer_data": draw(st.booleans()),
            "pii_exposed": draw(st.booleans()),
            "observations": [
                {"at": after(offset), "affected_fraction": value} for offset, value in observations
            ],
        },
        "responders": [{"handle": "@a", "blocked_on_access": draw(st.booleans())}],
        "timeline": timeline,
        "updates": updates,
    }
    at = detected + timedelta(minutes=draw(st.integers(-10, 400)))
    return document, at


def shift(document: Any, by: timedelta) -> Any:
    """The document with every time moved by ``by``."""
    if isinstance(document, dict):
        return {
            key: shift(value, by)
            if key not in ("at", "detected_at")
            else iso(datetime.fromisoformat(value) + by)
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


def first_time(document: dict[str, Any], kinds: tuple[str, ...], at: datetime) -> datetime | None:
    times = [datetime.fromisoformat(e["at"]) for e in document["timeline"] if e["kind"] in kinds]
    times = [time for time in times if time <= at]
    return min(times, default=None)


@given(timed_incidents(), st.integers(-5, 5).filter(bool))
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


RECURRING = {"SEV1": "stakeholders", "SEV2": "stakeholders", "SEV3": "team"}


@given(timed_incidents())
def test_an_open_sev1_to_sev3_always_has_a_next_update_due_after_the_last(
    engine: Engine, case: tuple[dict[str, Any], datetime]
) -> None:
    """While open at SEV1-SEV3 a next update is due, never before the last one posted."""
    document, at = case
    assessment = engine.assess(document, at=at)
    assert assessment.severity is not None
    if first_time(document, ("resolved",), at) is not None or assessment.severity.value == "SEV4":
        return
    audience = RECURRING[assessment.severity.value]
    (next_update,) = [a for a in assessment.due if a.audience == audience and a.action.endswith("updates")]
    posted = [datetime.fromisoformat(u["at"]) for u in document["updates"] if u["audience"] == audience]
    last = max(
        (time for time in posted if time <= at), default=datetime.fromisoformat(document["detected_at"])
    )
    assert next_update.due_at > last


def classified(assessment: Assessment) -> str:
    severity = assessment.severity
    assert severity is not None
    references = [ref.value for ref in severity.derived_from if ref.ruleset == "severity"]
    return references[0] if severity.ruleset == "effective_severity" else severity.value


@given(timed_incidents())
def test_a_raised_severity_is_one_level_above_the_classification(
    engine: Engine, case: tuple[dict[str, Any], datetime]
) -> None:
    """The effective severity is the classification, or exactly one level more severe."""
    assessment = engine.assess(*case[:1], at=case[1])
    assert assessment.severity is not None
    raised = SEVERITY_RANK[classified(assessment)] - SEVERITY_RANK[assessment.severity.value]
    assert raised in (0, 1)
    assert (raised == 1) == (assessment.severity.ruleset == "effective_severity")


@given(timed_incidents(), st.integers(0, 200), st.integers(0, 200))
def test_escalations_only_grow_with_time_until_mitigation(
    engine: Engine, case: tuple[dict[str, Any], datetime], first: int, second: int
) -> None:
    """Before the incident is mitigated, a later instant never drops an escalation."""
    document, _ = case
    detected = datetime.fromisoformat(document["detected_at"])
    early, late = sorted([detected + timedelta(minutes=first), detected + timedelta(minutes=second)])
    mitigated = first_time(document, ("mitigated", "resolved"), late)
    if mitigated is not None:
        return
    values = [{d.value for d in engine.assess(document, at=moment).escalations} for moment in (early, late)]
    assert values[0] <= values[1]


def oracle(document: dict[str, Any], at: datetime, severity: str, params: dict[str, Any]) -> dict[str, Any]:
    """Escalations, plan and deadlines from practice.md, written plainly from the classified severity."""
    detected = datetime.fromisoformat(document["detected_at"])
    impact = document["impact"]
    mitigated = first_time(document, ("mitigated", "resolved"), at)
    resolved = first_time(document, ("resolved",), at) is not None
    unmitigated = max(0.0, ((mitigated or at) - detected).total_seconds() / 60)
    seen = sorted(
        (datetime.fromisoformat(o["at"]), o["affected_fraction"])
        for o in impact["observations"]
        if datetime.fromisoformat(o["at"]) <= at
    )
    growth = max((later[1] - earlier[1] for i, later in enumerate(seen) for earlier in seen[:i]), default=0.0)
    growing = growth > 0 and growth >= params["blast_radius_growth"]
    effective = (
        {"SEV2": "SEV1", "SEV3": "SEV2", "SEV4": "SEV3"}.get(severity, severity) if growing else severity
    )
    escalations = set()
    if mitigated is None and unmitigated > 15 and effective == "SEV1":
        escalations.add("leadership")
    if growing and severity != "SEV1":
        escalations.add("raise_severity")
    if impact["customer_data"] or impact["pii_exposed"]:
        escalations.add("security")
    if impact["pii_exposed"]:
        escalations.add("legal")
    if any(r["blocked_on_access"] for r in document["responders"]):
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
        posted = [
            datetime.fromisoformat(u["at"])
            for u in document["updates"]
            if u["audience"] == audience and datetime.fromisoformat(u["at"]) <= at
        ]
        if posted and not recurring:
            continue
        due[action] = max(posted, default=detected) + timedelta(minutes=minutes)
    if "leadership" in escalations:
        due["leadership"] = detected + timedelta(minutes=15)
    for name in ("security", "legal", "platform"):
        if name in escalations:
            due[name] = detected
    return {"severity": effective, "escalations": escalations, "due": due}


@given(timed_incidents())
def test_the_oracle_agrees_on_escalations_severity_and_deadlines(
    engine: Engine, case: tuple[dict[str, Any], datetime]
) -> None:
    """Escalations, effective severity and SEV1/SEV2 deadlines match the plain-Python oracle."""
    document, at = case
    assessment = engine.assess(document, at=at)
    expected = oracle(document, at, classified(assessment), dict(engine.params))
    assert assessment.severity is not None
    assert assessment.severity.value == expected["severity"]
    assert {d.value for d in assessment.escalations} == expected["escalations"]
    if expected["severity"] in ("SEV1", "SEV2"):
        got = {a.action: a.due_at for a in assessment.due}
        assert got == expected["due"]
