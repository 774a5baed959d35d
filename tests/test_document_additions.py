"""The additive parts of the incident document v1: date-only due dates, escalation targets."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from incident_rules import Engine, Incident, InvalidIncident

SEED = json.loads(
    (Path(__file__).parent.parent / "examples" / "inc-2025-0142.json").read_text(encoding="utf-8")
)


def with_due(due: object) -> dict[str, Any]:
    document = json.loads(json.dumps(SEED))
    document["postmortem"]["action_items"][0]["due"] = due
    return document


def problems(document: dict[str, Any]) -> tuple[str, ...]:
    with pytest.raises(InvalidIncident) as caught:
        Incident.from_dict(document)
    return caught.value.problems


class TestDueDate:
    """An action item's due is a date as people write it, or a datetime."""

    def test_a_date_is_read_as_a_date(self) -> None:
        """'2025-06-22' becomes date(2025, 6, 22)."""
        item = Incident.from_dict(with_due("2025-06-22")).postmortem.action_items[0]  # type: ignore[union-attr]
        assert item.due == date(2025, 6, 22)
        assert not isinstance(item.due, datetime)

    def test_a_datetime_stays_accepted(self) -> None:
        """A time with an offset is still a datetime, offset kept."""
        item = Incident.from_dict(with_due("2025-06-22T09:00:00+02:00")).postmortem.action_items[0]  # type: ignore[union-attr]
        assert isinstance(item.due, datetime)
        assert item.due.utcoffset() == timedelta(hours=2)

    def test_a_date_round_trips_as_written(self) -> None:
        """to_dict() writes a date back as '2025-06-22'."""
        assert (
            Incident.from_dict(with_due("2025-06-22")).to_dict()["postmortem"]["action_items"][0]["due"]
            == "2025-06-22"
        )

    def test_an_impossible_date_is_named(self) -> None:
        """February 30th is refused with the path and the value."""
        expected = "expected a real calendar date like '2025-06-22' (got '2025-02-30')"
        assert problems(with_due("2025-02-30")) == (f"postmortem.action_items[0].due: {expected}",)

    @pytest.mark.parametrize("due", ["next week", "2025-06-22T09:00:00", 20250622, True])
    def test_anything_else_says_both_forms(self, due: object) -> None:
        """Text that is neither form, a naive time or a number names both accepted forms."""
        (problem,) = problems(with_due(due))
        assert problem.startswith(
            "postmortem.action_items[0].due: expected a date like '2025-06-22' or an ISO 8601"
        )


def security_incident(*entries: dict[str, Any]) -> dict[str, Any]:
    document = json.loads(json.dumps(SEED))
    document["impact"]["customer_data"] = True
    document["timeline"] += list(entries)
    return document


def due_actions(document: dict[str, Any], at: str) -> set[str]:
    return {action.action for action in Engine.default(backend="native").assess(document, at=at).due}


class TestEscalationTarget:
    """An escalated entry naming its target marks that escalation done."""

    def test_a_security_escalation_is_due_until_the_record_says_it_happened(self) -> None:
        """Customer data involved: security is due (overdue) while the record does not say it was paged."""
        assert "security" in due_actions(security_incident(), "2025-06-15T14:30:00Z")

    def test_a_done_security_escalation_is_no_longer_due(self) -> None:
        """An escalated entry with target security at 14:26 removes it from due from then on."""
        paged = {"at": "2025-06-15T14:26:00Z", "kind": "escalated", "target": "security"}
        assert "security" not in due_actions(security_incident(paged), "2025-06-15T14:30:00Z")

    def test_an_escalation_recorded_later_is_still_due_before_it(self) -> None:
        """The same entry at 14:40 does not make security done at 14:30."""
        paged = {"at": "2025-06-15T14:40:00Z", "kind": "escalated", "target": "security"}
        assert "security" in due_actions(security_incident(paged), "2025-06-15T14:30:00Z")

    def test_a_free_text_target_marks_nothing_done(self) -> None:
        """Target 'executives' is kept as written and is not an escalation the rules decide."""
        paged = {"at": "2025-06-15T14:26:00Z", "kind": "escalated", "target": "the CEO"}
        document = security_incident(paged)
        assert "security" in due_actions(document, "2025-06-15T14:30:00Z")
        assert Incident.from_dict(document).timeline[-1].target == "the CEO"

    def test_a_target_on_another_kind_of_entry_marks_nothing_done(self) -> None:
        """Only an escalated entry says an escalation happened."""
        note = {"at": "2025-06-15T14:26:00Z", "kind": "note", "target": "security"}
        assert "security" in due_actions(security_incident(note), "2025-06-15T14:30:00Z")

    def test_the_escalation_decision_itself_stays(self) -> None:
        """Done is about the deadline: the escalations decision still lists security."""
        paged = {"at": "2025-06-15T14:26:00Z", "kind": "escalated", "target": "security"}
        assessment = Engine.default(backend="native").assess(
            security_incident(paged), at="2025-06-15T14:30:00Z"
        )
        assert "security" in {decision.value for decision in assessment.escalations}


def test_the_seed_keeps_its_offsets_as_written() -> None:
    """Every time of the seed reads back with its zero offset (the gate judges offsets as written)."""
    incident = Incident.from_dict(SEED)
    assert all(entry.at.tzinfo == timezone.utc for entry in incident.timeline)
