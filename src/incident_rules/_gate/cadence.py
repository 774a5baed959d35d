"""Update cadence over a whole record: every silence, judged by the plan in force during it.

The plan is the engine's own: at each instant the record changes, the communication decisions
of an assessment at that instant say which audiences get recurring updates and how often
(:class:`PlanAt`). A severity raised from SEV2 to SEV1 thus switches the cadence at the raise:
a silence fails as soon as it is longer than the cadence in force at that moment.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

import attrs

from incident_rules._decisions.deadlines import WorkHours
from incident_rules._facts.model import Incident, Update
from incident_rules._rulesets.model import Schedule

__all__ = ["PlanAt", "Silence", "silences"]


@attrs.frozen
class PlanAt:
    """The recurring updates planned from ``at`` until the next plan: schedules with ``every``."""

    at: datetime
    severity: str | None
    recurring: tuple[Schedule, ...]

    def schedule_for(self, audience: str) -> Schedule | None:
        """The recurring schedule of ``audience`` in this plan, if it has one."""
        return next((schedule for schedule in self.recurring if schedule.audience == audience), None)


@attrs.frozen
class Silence:
    """A stretch without an update to one audience, and when it became too long (if it did)."""

    audience: str
    start: datetime
    end: datetime
    allowed: str
    due_by: datetime | None = None

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60

    def describe(self) -> str:
        """``stakeholders 15:00 -> 15:30 UTC (30 min; allowed 15 min, due by 15:15)``, in ISO form."""
        late = f", due by {self.due_by.isoformat()}" if self.due_by else ""
        return (
            f"{self.audience} {self.start.isoformat()} -> {self.end.isoformat()} "
            f"({self.minutes:g} min; allowed {self.allowed}{late})"
        )


def _allowed(schedule: Schedule) -> str:
    work = " of work time" if schedule.work_hours else ""
    return f"{schedule.every_minutes:g} min{work}"


def _deadline(start: datetime, schedule: Schedule, hours: WorkHours) -> datetime:
    minutes = schedule.every_minutes or 0.0
    return hours.add(start, minutes) if schedule.work_hours else start + timedelta(minutes=minutes)


def _spans(plans: Sequence[PlanAt], end: datetime) -> Iterator[tuple[datetime, datetime, PlanAt]]:
    """Each plan with the stretch it was in force: until the next plan, the last until ``end``."""
    for plan, following in zip(plans, [*plans[1:], None], strict=True):
        yield plan.at, following.at if following else end, plan


def _judge(
    audience: str, start: datetime, end: datetime, plans: Sequence[PlanAt], hours: WorkHours, until: datetime
) -> Silence | None:
    """The silence ``start`` to ``end``, or None when no plan asked ``audience`` for updates in it."""
    planned = None
    for span_start, span_end, plan in _spans(plans, until):
        schedule = plan.schedule_for(audience)
        if schedule is None or min(span_end, end) <= max(span_start, start):
            continue
        planned = planned or schedule
        deadline = _deadline(start, schedule, hours)
        if min(span_end, end) > deadline:
            return Silence(audience, start, end, _allowed(schedule), deadline)
    return Silence(audience, start, end, _allowed(planned)) if planned else None


def silences(
    incident: Incident, at: datetime, updates: Sequence[Update], plans: Sequence[PlanAt], hours: WorkHours
) -> list[Silence]:
    """Every silence of every audience a plan asked updates of, from detection to ``at``."""
    audiences = sorted(
        {schedule.audience for plan in plans for schedule in plan.recurring if schedule.audience}
    )
    found = []
    for audience in audiences:
        posts = sorted(u.at for u in updates if u.audience == audience and incident.detected_at <= u.at <= at)
        starts, ends = [incident.detected_at, *posts], [*posts, at]
        for start, end in zip(starts, ends, strict=True):
            silence = _judge(audience, start, end, plans, hours, at)
            if silence is not None:
                found.append(silence)
    return found
