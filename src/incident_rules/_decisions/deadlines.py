"""Deadlines: concrete due times for the decisions whose rules carry a schedule.

Computed for the instant ``at`` from the record: a first post is due a while after detection
unless that audience has heard already; a recurring update is due a while after the last one
that audience actually received. Work-hours schedules count working time only, in the work
time zone, so they skip nights and weekends and stay right across daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from incident_rules._decisions.data import Decision, DueAction, Outcome, each_decision
from incident_rules._facts.model import Incident, Update
from incident_rules._features import latest_updates
from incident_rules._rulesets.model import Schedule
from incident_rules._rulesets.params import WEEKDAYS
from incident_rules.errors import InvalidIncident, Problem, RulesetError

__all__ = ["DEADLINE_PARAMS", "WorkHours", "deadlines"]

#: The params deadlines read, with the kind each must be declared as.
DEADLINE_PARAMS = {
    "work_start": "time",
    "work_end": "time",
    "work_days": "weekdays",
    "work_timezone": "timezone",
}


@attrs.frozen
class WorkHours:
    """When people work: local start and end, days of the week, IANA time zone."""

    start: time
    end: time
    days: tuple[str, ...]
    zone: ZoneInfo

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> WorkHours:
        """Read the work-hours params; a working day must end after it starts."""
        start, end = params["work_start"], params["work_end"]
        if end <= start:
            message = f"must be after params.work_start (got {start:%H:%M} to {end:%H:%M})"
            expected = f"a time after params.work_start ({start:%H:%M})"
            raise RulesetError(
                Problem(message, path="params.work_end", value=f"{end:%H:%M}", expected=expected)
            )
        return cls(
            params["work_start"], params["work_end"], params["work_days"], ZoneInfo(params["work_timezone"])
        )

    def _interval(self, day: date) -> tuple[datetime, datetime] | None:
        if WEEKDAYS[day.weekday()] not in self.days:
            return None
        opens = datetime.combine(day, self.start, tzinfo=self.zone).astimezone(timezone.utc)
        closes = datetime.combine(day, self.end, tzinfo=self.zone).astimezone(timezone.utc)
        return opens, closes

    def add(self, start: datetime, minutes: float) -> datetime:
        """``start`` plus ``minutes`` of working time."""
        remaining = timedelta(minutes=minutes)
        cursor = start.astimezone(timezone.utc)
        day = cursor.astimezone(self.zone).date()
        while True:
            interval = self._interval(day)
            if interval is not None:
                begin = max(interval[0], cursor)
                if begin < interval[1]:
                    if remaining <= interval[1] - begin:
                        return (begin + remaining).astimezone(start.tzinfo)
                    remaining -= interval[1] - begin
            day += timedelta(days=1)


def _minutes(value: float) -> str:
    return f"{value:g} min"


def _off_the_calendar(
    incident: Incident, last: Update | None, decision: Decision, span: str
) -> InvalidIncident:
    """The error for a deadline that falls outside the years datetime can hold."""
    path = "detected_at" if last is None else f"updates[{incident.updates.index(last)}].at"
    base = incident.detected_at if last is None else last.at
    expected = "a time whose deadlines fall within the years 1 to 9999"
    message = (
        f"the deadline of {decision.rule} ({span} later) falls outside the years "
        f"1 to 9999 (got {base.isoformat()!r})"
    )
    return InvalidIncident(Problem(message, path=path, value=base.isoformat(), expected=expected))


def _due(
    decision: Decision,
    schedule: Schedule,
    incident: Incident,
    at: datetime,
    last: Update | None,
    hours: WorkHours,
) -> DueAction | None:
    first = schedule.within_minutes if schedule.within_minutes is not None else schedule.every_minutes
    if schedule.every_minutes is not None and last is not None:
        base, minutes, since = last.at, schedule.every_minutes, f"last {schedule.audience} update"
    elif last is None and first is not None:
        base, minutes, since = incident.detected_at, first, "detection"
    else:
        return None  # a one-off post the audience has already received
    span = f"{_minutes(minutes)} of work time" if schedule.work_hours else _minutes(minutes)
    try:
        due_at = hours.add(base, minutes) if schedule.work_hours else base + timedelta(minutes=minutes)
    except OverflowError:  # datetime's calendar holds the years 1 to 9999 only
        raise _off_the_calendar(incident, last, decision, span) from None
    basis = f"{since} at {base.isoformat()} + {span}"
    return DueAction(
        action=decision.value,
        due_at=due_at,
        overdue=at > due_at,
        basis=basis,
        rule=decision.rule,
        ruleset=decision.ruleset,
        source=decision.source,
        audience=schedule.audience,
    )


def _done(incident: Incident, at: datetime) -> set[str]:
    """The escalations the timeline records as done by ``at`` (``escalated`` entries' targets)."""
    return {
        entry.target
        for entry in incident.timeline
        if entry.kind == "escalated" and entry.target is not None and entry.at <= at
    }


def deadlines(
    incident: Incident, at: datetime, outcomes: Mapping[str, Outcome], hours: WorkHours
) -> tuple[DueAction, ...]:
    """Every action due at ``at``, soonest first; an escalation the timeline records is done."""
    last, done, due = latest_updates(incident, at), _done(incident, at), []
    for decision in each_decision(outcomes):
        schedule = decision.schedule
        # A one-off action with no audience (an escalation) is done once the timeline says so.
        if schedule is not None and not (schedule.audience is None and decision.value in done):
            heard = last.get(schedule.audience) if schedule.audience else None
            action = _due(decision, schedule, incident, at, heard, hours)
            if action is not None:
                due.append(action)
    return tuple(sorted(due, key=lambda action: (action.due_at, action.action)))
