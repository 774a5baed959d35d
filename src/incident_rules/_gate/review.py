"""What a review of a whole record needs from the engine: when it ends, and its plans over time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from incident_rules._decisions.data import Assessment
from incident_rules._facts.model import Incident
from incident_rules._gate.cadence import PlanAt

__all__ = ["plans_over_time", "record_end"]


def record_end(incident: Incident) -> datetime:
    """The latest instant the record tells of: detection, timeline, updates, observations."""
    moments = [incident.detected_at]
    moments += [entry.at for entry in incident.timeline]
    moments += [update.at for update in incident.updates]
    moments += [observation.at for observation in incident.impact.observations]
    return max(moments)


def plans_over_time(
    incident: Incident, at: datetime, assess: Callable[[datetime], Assessment]
) -> tuple[PlanAt, ...]:
    """The communication plan from each instant the record changes, from detection to ``at``.

    Between two such instants nothing the shipped communication rules read changes (they read
    the effective severity and whether the incident is resolved), so one assessment per instant
    gives the plan in force over the whole stretch.
    """
    moments = {incident.detected_at, at}
    moments |= {entry.at for entry in incident.timeline}
    moments |= {update.at for update in incident.updates}
    moments |= {observation.at for observation in incident.impact.observations}
    plans = []
    # ``at`` itself always: the review instant is assessed like any other, and refused alike.
    for moment in sorted({m for m in moments if incident.detected_at <= m <= at} | {at}):
        assessment = assess(moment)
        recurring = tuple(
            decision.schedule
            for decision in assessment.communication
            if decision.schedule is not None and decision.schedule.every_minutes is not None
        )
        severity = assessment.severity.value if assessment.severity else None
        plans.append(PlanAt(moment, severity, recurring))
    return tuple(plans)
