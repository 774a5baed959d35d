"""Deadlines: concrete due times for the decisions whose rules carry a schedule.

Computed for the instant ``at`` from the record: a first post is due a while after detection
unless that audience has heard already; a recurring update is due a while after the last one
that audience actually received. Work-hours schedules count working time only, in the work
time zone, so they skip nights and weekends and stay right across daylight-saving changes.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from incident_rules._backends.plan import Plan
from incident_rules._decisions.data import Decision, DueAction, Outcome, each_decision
from incident_rules._facts.model import Incident, Update
from incident_rules._features import latest_updates
from incident_rules._rulesets.model import Schedule
from incident_rules._rulesets.params import WEEKDAYS
from incident_rules.errors import InvalidIncident, Problem, RulesetError

__all__ = ["DEADLINE_PARAMS", "MAX_SCHEDULE_MINUTES", "WorkHours", "check_schedules", "deadlines"]

#: The longest wait a schedule may name: ten years. Beyond it a due time can leave the calendar
#: (year 9999), and no incident policy means it.
MAX_SCHEDULE_MINUTES = 10 * 366 * 1440

#: The longest span work time is counted over at one UTC offset (then the offset is read again).
_SPAN = timedelta(hours=12)

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

    def _work_in(
        self, begin: datetime, end: datetime, offset: timedelta
    ) -> Iterator[tuple[datetime, datetime]]:
        """The working time in ``[begin, end)``, a span (UTC) where the zone's offset is ``offset``.

        Working time is every instant whose wall-clock time, on a working day, is from start to
        end: a skipped day has none, an hour skipped in spring is not worked, one repeated in
        autumn is worked twice.
        """
        local_begin, local_end = (begin + offset).replace(tzinfo=None), (end + offset).replace(tzinfo=None)
        day = local_begin.date()
        while datetime.combine(day, self.start) < local_end:
            if WEEKDAYS[day.weekday()] in self.days:
                opens = max(datetime.combine(day, self.start), local_begin)
                closes = min(datetime.combine(day, self.end), local_end)
                if opens < closes:
                    yield (
                        (opens - offset).replace(tzinfo=timezone.utc),
                        (closes - offset).replace(tzinfo=timezone.utc),
                    )
            day += timedelta(days=1)

    def _offset(self, instant: datetime) -> timedelta:
        offset = instant.astimezone(self.zone).utcoffset()
        assert offset is not None  # a ZoneInfo always has one
        return offset

    def _spans(self, begin: datetime) -> Iterator[tuple[datetime, datetime, timedelta]]:
        """From ``begin`` (UTC) on, spans of one UTC offset each, cut at the zone's transitions.

        A span is at most :data:`_SPAN` long; tzdata has no two transitions that close together,
        so one bisection (to the second: transitions fall on whole seconds) finds each.
        """
        while True:
            offset, stop = self._offset(begin), begin + _SPAN
            if self._offset(stop) != offset:
                stop = self._transition(begin, stop, offset)
            yield begin, stop, offset
            begin = stop

    def _transition(self, begin: datetime, stop: datetime, offset: timedelta) -> datetime:
        """The first whole second after ``begin`` whose offset is not ``offset`` (one by ``stop``)."""
        low, high = math.floor(begin.timestamp()), math.ceil(stop.timestamp())
        while high - low > 1:
            middle = (low + high) // 2
            if self._offset(datetime.fromtimestamp(middle, timezone.utc)) == offset:
                low = middle
            else:
                high = middle
        return datetime.fromtimestamp(high, timezone.utc)

    def _same_working_day(self, begin: datetime, remaining: timedelta) -> datetime | None:
        """``begin`` (UTC) plus ``remaining``, when all of it is working time of one day at one
        UTC offset (the usual case, worked out without the spans); else None."""
        offset = self._offset(begin)
        local = begin + offset  # the work zone's wall clock, still marked UTC (replace() is slow)
        day = local.date()
        if remaining > _SPAN or WEEKDAYS[day.weekday()] not in self.days:
            return None
        closes = datetime.combine(day, self.end, timezone.utc)
        if not datetime.combine(day, self.start, timezone.utc) <= local < closes:
            return None
        end = begin + remaining
        # One offset at both ends is one offset throughout: no two transitions are that close.
        if local + remaining > closes or self._offset(end) != offset:
            return None
        return end

    def add(self, start: datetime, minutes: float) -> datetime:
        """``start`` plus ``minutes`` of working time, counted on the wall clock of the work zone."""
        remaining = _wait(minutes)
        begin = start.astimezone(timezone.utc)
        end = self._same_working_day(begin, remaining) or self._walked(begin, remaining)
        return end.astimezone(start.tzinfo)

    def _walked(self, begin: datetime, remaining: timedelta) -> datetime:
        """``begin`` (UTC) plus ``remaining`` of working time, span by span."""
        for span_begin, span_end, offset in self._spans(begin):
            for opens, closes in self._work_in(span_begin, span_end, offset):
                if remaining <= closes - opens:
                    return opens + remaining
                remaining -= closes - opens
        raise AssertionError("unreachable: the spans never end")


@functools.lru_cache(maxsize=256)
def _wait(minutes: float) -> timedelta:
    """``minutes`` as a timedelta: the few waits the schedules name, built once (it costs)."""
    return timedelta(minutes=minutes)


def check_schedules(plan: Plan) -> None:
    """Refuse, when the engine is built, a schedule no assessment could compute.

    Raises:
        RulesetError: A rule's ``due`` waits longer than :data:`MAX_SCHEDULE_MINUTES` (its
            ``file:line`` and the value, params already bound).
    """
    problems = []
    for stage in plan.stages:
        for bound in stage.rules:
            schedule = bound.schedule
            waits = () if schedule is None else (schedule.within_minutes, schedule.every_minutes)
            for minutes in waits:
                if minutes is not None and not 0 <= minutes <= MAX_SCHEDULE_MINUTES:
                    problems.append(
                        f"{bound.rule.source}: rule {bound.rule.id!r} is due after {minutes:g} minutes; "
                        f"expected 0 to {MAX_SCHEDULE_MINUTES} (ten years)"
                    )
    if problems:
        raise RulesetError(problems)


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
    shown: Callable[[datetime], str] = datetime.isoformat,
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
        due_at = hours.add(base, minutes) if schedule.work_hours else base + _wait(minutes)
    except OverflowError:  # datetime's calendar holds the years 1 to 9999 only
        raise _off_the_calendar(incident, last, decision, span) from None
    basis = f"{since} at {shown(base)} + {span}"
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


def _written_once() -> Callable[[datetime], str]:
    """``isoformat``, each time object written once: most deadlines of one assessment count
    from the same one (detection). By identity: an equal instant at another offset is written
    otherwise. An ``id`` is safe as the key because every time written is held by the incident
    or the assessment, alive as long as this function is."""
    texts: dict[int, str] = {}

    def shown(moment: datetime) -> str:
        text = texts.get(id(moment))
        if text is None:
            text = texts[id(moment)] = moment.isoformat()
        return text

    return shown


def deadlines(
    incident: Incident, at: datetime, outcomes: Mapping[str, Outcome], hours: WorkHours
) -> tuple[DueAction, ...]:
    """Every action due at ``at``, soonest first; an escalation the timeline records is done."""
    last, done, due = latest_updates(incident, at), _done(incident, at), []
    shown = _written_once()
    for decision in each_decision(outcomes):
        schedule = decision.schedule
        # A one-off action with no audience (an escalation) is done once the timeline says so.
        if schedule is not None and not (schedule.audience is None and decision.value in done):
            heard = last.get(schedule.audience) if schedule.audience else None
            action = _due(decision, schedule, incident, at, heard, hours, shown)
            if action is not None:
                due.append(action)
    if len(due) > 1:
        due.sort(key=lambda action: (action.due_at, action.action))
    return tuple(due)
