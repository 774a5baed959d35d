"""Escalation, effective severity, the communication plan and deadlines, replayed over time."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from incident_rules import Engine, Incident
from incident_rules._decisions.deadlines import WorkHours
from incident_rules._rulesets.params import coerce
from incident_rules.errors import RulesetError

SEED = json.loads((Path(__file__).parent.parent / "examples" / "inc-2025-0142.json").read_text())
DAY = datetime(2025, 6, 15, tzinfo=timezone.utc)


def hm(text: str) -> datetime:
    """A UTC time on the seed's day, from ``HH:MM``."""
    hours, minutes = map(int, text.split(":"))
    return DAY.replace(hour=hours, minute=minutes)


# The seed's record, read by hand: detection 14:23, mitigated 14:42, resolved 15:47; stakeholder
# updates at 14:30, 14:45, 15:00, 15:15, 15:30, 15:45, 15:47; status page at 14:31; executives
# at 15:15.
# Each row: from (inclusive), to (exclusive), what is due and when, overdue or not.
NEXT_STAKEHOLDER_UPDATE = [
    ("14:23", "14:30", "14:38"),  # no update yet: detection + 15 min
    ("14:30", "14:45", "14:45"),
    ("14:45", "15:00", "15:00"),
    ("15:00", "15:15", "15:15"),
    ("15:15", "15:30", "15:30"),  # 15:15 went to stakeholders and executives alike
    ("15:30", "15:45", "15:45"),
    ("15:45", "15:47", "16:00"),
]


def expected_due(at: datetime) -> set[tuple[str, datetime, bool]]:
    """What the seed's record says is due at ``at``, written from its timeline."""
    due: set[tuple[str, datetime, bool]] = set()
    if at >= hm("15:47"):
        return due  # resolved: nothing recurring is planned
    for start, end, next_update in NEXT_STAKEHOLDER_UPDATE:
        if hm(start) <= at < hm(end):
            due.add(("stakeholder_updates", hm(next_update), at > hm(next_update)))
    if at < hm("14:31"):
        due.add(("status_page", hm("14:33"), at > hm("14:33")))
    if at < hm("15:15"):
        due.add(("executive_summary", hm("15:23"), at > hm("15:23")))
    if hm("14:38") < at < hm("14:42"):
        due.add(("leadership", hm("14:38"), True))
    return due


class TestSeedReplay:
    """The seed example assessed every minute from its detection at 14:23 to 15:50."""

    MINUTES: ClassVar = [hm("14:23") + timedelta(minutes=m) for m in range(0, 88)]

    @pytest.mark.parametrize("at", MINUTES, ids=lambda at: at.strftime("%H:%M"))
    def test_deadlines_change_where_the_record_says(self, engine: Engine, at: datetime) -> None:
        """Every deadline and overdue flag matches the one read by hand from the timeline."""
        assessment = engine.assess(SEED, at=at)
        got = {(action.action, action.due_at, action.overdue) for action in assessment.due}
        assert got == expected_due(at)

    @pytest.mark.parametrize("at", MINUTES, ids=lambda at: at.strftime("%H:%M"))
    def test_leadership_is_escalated_only_while_unmitigated_past_15_minutes(
        self, engine: Engine, at: datetime
    ) -> None:
        """Leadership is due after 14:38 (15 minutes unmitigated) until the 14:42 mitigation."""
        escalations = {decision.value for decision in engine.assess(SEED, at=at).escalations}
        assert ("leadership" in escalations) == (hm("14:38") < at < hm("14:42"))

    def test_sev1_plan_at_1440_names_every_deadline_of_the_issue(self, engine: Engine) -> None:
        """At 14:40 the plan has the 10-minute status page, 15-minute updates and 1-hour summary."""
        assessment = engine.assess(SEED, at=hm("14:40"))
        schedules = {d.value: d.schedule for d in assessment.communication if d.schedule}
        assert schedules["status_page"].within_minutes == 10
        assert schedules["stakeholder_updates"].every_minutes == 15
        assert schedules["executive_summary"].within_minutes == 60
        leadership = next(d for d in assessment.escalations if d.value == "leadership")
        assert any(c.path == "features.minutes_unmitigated" and c.value == 17 for c in leadership.because)

    def test_json_has_the_time_keys(self, engine: Engine) -> None:
        """The JSON output gains escalations, communication and due."""
        data = engine.assess(SEED, at=hm("14:40")).to_dict()
        assert {"escalations", "communication", "due"} <= set(data)
        assert data["due"][0]["due_at"] == "2025-06-15T14:38:00+00:00"


def growing(document: dict[str, Any], scope: str = "partial", fraction_from: float = 0.2) -> dict[str, Any]:
    """The seed turned into an incident of ``scope`` whose blast radius grows at 14:35."""
    document = copy.deepcopy(document)
    document["impact"] |= {"scope": scope, "affected_fraction": fraction_from, "workaround": True}
    document["impact"]["observations"] = [
        {"at": "2025-06-15T14:25:00Z", "affected_fraction": fraction_from},
        {"at": "2025-06-15T14:35:00Z", "affected_fraction": fraction_from + 0.2},
    ]
    return document


class TestEffectiveSeverity:
    """Severity raised one level when the blast radius grows (readings.md 2)."""

    @pytest.mark.parametrize(
        ("scope", "fraction", "classified", "raised"),
        [
            ("partial", 0.2, "SEV2", "SEV1"),
            ("minor", 0.01, "SEV3", "SEV2"),
            ("cosmetic", 0.01, "SEV4", "SEV3"),
        ],
    )
    def test_growth_raises_one_level_and_names_both_decisions(
        self, engine: Engine, scope: str, fraction: float, classified: str, raised: str
    ) -> None:
        """The raised severity derives from the classification and the raise_severity escalation."""
        severity = engine.assess(growing(SEED, scope, fraction), at=hm("14:40")).severity
        assert severity is not None
        assert severity.value == raised
        sources = {(ref.ruleset, ref.value) for ref in severity.derived_from}
        assert sources == {("severity", classified), ("escalations", "raise_severity")}

    def test_no_raise_before_the_growth_is_observed(self, engine: Engine) -> None:
        """At 14:30 only one observation is known: the classification stands."""
        severity = engine.assess(growing(SEED), at=hm("14:30")).severity
        assert severity is not None
        assert (severity.value, severity.ruleset) == ("SEV2", "severity")

    def test_communication_follows_the_raised_severity(self, engine: Engine) -> None:
        """A SEV2 raised to SEV1 gets the SEV1 plan and its 10-minute status page."""
        assessment = engine.assess(growing(SEED), at=hm("14:40"))
        rules = {decision.rule for decision in assessment.communication}
        assert "communication.sev1-status-page" in rules
        assert "communication.sev2-status-page" not in rules

    def test_raised_sev2_unmitigated_pages_leadership(self, engine: Engine) -> None:
        """A SEV2 raised to SEV1 and unmitigated past 15 minutes also pages leadership."""
        escalations = {d.value for d in engine.assess(growing(SEED), at=hm("14:40")).escalations}
        assert escalations == {"leadership", "raise_severity"}


class TestEscalations:
    """Independent escalations all collected (readings.md 1)."""

    def test_breach_with_pii_unmitigated_escalates_to_everyone(self, engine: Engine) -> None:
        """A SEV1 breach of PII unmitigated after 15 minutes pages leadership, security and legal."""
        document = copy.deepcopy(SEED)
        document["impact"] |= {"security_breach": True, "customer_data": True, "pii_exposed": True}
        document["responders"][1]["blocked_on_access"] = True
        values = {d.value for d in engine.assess(document, at=hm("14:40")).escalations}
        assert values == {"leadership", "security", "legal", "platform"}

    def test_customer_data_without_pii_pages_security_only(self, engine: Engine) -> None:
        """Customer data without PII brings security but not legal."""
        document = copy.deepcopy(SEED)
        document["impact"]["customer_data"] = True
        values = {d.value for d in engine.assess(document, at=hm("14:30")).escalations}
        assert values == {"security"}


class TestWorkHours:
    """SEV3 cadences count work hours only, in the work time zone."""

    def hours(self, zone: str) -> WorkHours:
        weekdays = coerce("weekdays", ["mon", "tue", "wed", "thu", "fri"])
        return WorkHours(coerce("time", "09:00"), coerce("time", "17:00"), weekdays, ZoneInfo(zone))

    @pytest.mark.parametrize(
        ("zone", "start", "expected"),
        [
            # Friday 16:00 local + 2 work hours: 1 h on Friday, 1 h on Monday after the weekend.
            (
                "Europe/Berlin",
                "2025-03-28T16:00:00+01:00",
                "2025-03-31T10:00:00+02:00",
            ),  # spring forward on the Sunday
            (
                "Europe/Berlin",
                "2025-10-24T16:00:00+02:00",
                "2025-10-27T10:00:00+01:00",
            ),  # fall back on the Sunday
            ("America/New_York", "2025-03-07T16:00:00-05:00", "2025-03-10T10:00:00-04:00"),
            ("America/New_York", "2025-10-31T16:00:00-04:00", "2025-11-03T10:00:00-05:00"),
            # Saturday night: the first work hour is Monday 09:00 local, across the change.
            ("Europe/Berlin", "2025-03-29T23:30:00+01:00", "2025-03-31T11:00:00+02:00"),
            ("America/New_York", "2025-11-01T23:30:00-04:00", "2025-11-03T11:00:00-05:00"),
        ],
    )
    def test_two_work_hours_land_in_the_right_local_hour_across_dst(
        self, zone: str, start: str, expected: str
    ) -> None:
        """Adding 2 work hours across a daylight-saving night lands on the right local wall time."""
        result = self.hours(zone).add(datetime.fromisoformat(start), 120)
        assert result == datetime.fromisoformat(expected)
        local = result.astimezone(self.hours(zone).zone)
        assert local.hour == datetime.fromisoformat(expected).hour

    def test_sev3_update_due_skips_the_night_in_the_engine(self) -> None:
        """A SEV3 detected at 16:30 Berlin time has its first team update due 09:30 next day."""
        engine = Engine.default(backend="native", params={"work_timezone": "Europe/Berlin"})
        document = copy.deepcopy(SEED)
        document["impact"] |= {"scope": "minor", "workaround": True, "user_facing": False, "observations": []}
        document |= {"detected_at": "2025-10-23T16:30:00+02:00", "timeline": [], "updates": []}
        document["signals"]["changes"] = []
        assessment = engine.assess(document, at="2025-10-23T16:45:00+02:00")
        assert assessment.severity is not None
        assert assessment.severity.value == "SEV3"
        (team,) = [action for action in assessment.due if action.action == "team_updates"]
        assert team.due_at == datetime.fromisoformat("2025-10-24T10:30:00+02:00")

    #: Daylight-saving changes of 2025 (UTC), around which the shortcut must step aside.
    CHANGES: ClassVar[list[tuple[str, str]]] = [
        ("Europe/Berlin", "2025-03-30T01:00:00+00:00"),
        ("Europe/Berlin", "2025-10-26T01:00:00+00:00"),
        ("America/New_York", "2025-03-09T07:00:00+00:00"),
        ("America/New_York", "2025-11-02T06:00:00+00:00"),
        ("Australia/Lord_Howe", "2025-04-05T15:00:00+00:00"),
        ("Australia/Lord_Howe", "2025-10-04T15:30:00+00:00"),
    ]

    @given(
        st.sampled_from(CHANGES),
        st.integers(min_value=-180, max_value=180),
        st.floats(min_value=0, max_value=300, allow_nan=False),
        st.lists(st.integers(min_value=0, max_value=23), min_size=2, max_size=2, unique=True).map(sorted),
    )
    # Spring forward inside the working day: the wall clock ends past closing, the stopwatch does not.
    @example(("Europe/Berlin", "2025-03-30T01:00:00+00:00"), -30, 120.0, [0, 4])
    def test_the_same_day_shortcut_gives_what_walking_the_spans_gives(
        self, change: tuple[str, str], offset: int, minutes: float, day: list[int]
    ) -> None:
        """Adding work time within one working day gives the instant the span by span walk gives."""
        zone, at = change
        start = datetime.fromisoformat(at) + timedelta(minutes=offset)
        opens, closes = day
        days = coerce("weekdays", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
        hours = WorkHours(
            coerce("time", f"{opens:02}:00"), coerce("time", f"{closes:02}:00"), days, ZoneInfo(zone)
        )
        walked = hours._walked(start, timedelta(minutes=minutes))
        assert hours.add(start, minutes) == walked

    def test_work_end_before_start_is_refused(self) -> None:
        """A working day that ends before it starts is a params error naming both params."""
        with pytest.raises(RulesetError, match=r"work_end.*work_start"):
            Engine.default(backend="native", params={"work_start": "18:00", "work_end": "09:00"})


def test_incident_from_seed_is_valid() -> None:
    """The seed example is a valid incident document."""
    assert Incident.from_dict(SEED).id == "INC-2025-0142"
