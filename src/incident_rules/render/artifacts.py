"""The three artifacts of an incident, in Markdown: incident report, postmortem, stakeholder update.

Nothing a rule can decide is typed by hand: severity comes from an assessment, duration and
status from the record's timeline, the update's number from the updates posted, and the next
update time from the communication plan. A section the record lacks renders as a placeholder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, get_args

from incident_rules._decisions.data import Assessment
from incident_rules._facts.model import ActionItem, Incident, TimelineEntry, Update
from incident_rules._facts.types import Audience
from incident_rules.errors import InvalidIncident
from incident_rules.render._markdown import render_template

__all__ = ["postmortem", "report", "update"]

_AUDIENCES: tuple[str, ...] = get_args(Audience)


def _utc(moment: datetime, *, day: bool = True) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC" if day else "%H:%M UTC")


def _resolved(incident: Incident) -> TimelineEntry | None:
    ends = [entry for entry in incident.timeline if entry.kind == "resolved"]
    return min(ends, key=lambda entry: entry.at) if ends else None


def _status(incident: Incident) -> str:
    if incident.status is not None:
        return incident.status.capitalize()
    return "Resolved" if _resolved(incident) else "_not recorded_"


def _duration(incident: Incident) -> str:
    start = _utc(incident.detected_at)
    end = _resolved(incident)
    if end is None:
        return f"{start} → ongoing"
    minutes = (end.at - incident.detected_at).total_seconds() / 60
    return f"{start} → {_utc(end.at)} ({minutes:g} minutes)"


def _event(entry: TimelineEntry) -> str:
    if entry.text:
        return entry.text
    detail = entry.severity or entry.target or ""
    return " ".join(filter(None, [entry.kind.replace("_", " ").capitalize(), detail]))


def _timeline(incident: Incident) -> list[dict[str, str]]:
    day = incident.detected_at.astimezone(timezone.utc).date()
    rows = []
    for entry in sorted(incident.timeline, key=lambda entry: entry.at):
        same_day = entry.at.astimezone(timezone.utc).date() == day
        rows.append({"time": _utc(entry.at, day=not same_day).removesuffix(" UTC"), "event": _event(entry)})
    return rows


def _due(due: date | datetime | None) -> str:
    if due is None:
        return "no due date"
    if isinstance(due, datetime):
        return f"due {_utc(due)}"
    return f"due {due.isoformat()}"


def _action_items(items: Iterable[ActionItem]) -> list[dict[str, str]]:
    return [{"text": item.text, "owner": item.owner or "no owner", "due": _due(item.due)} for item in items]


def _record(incident: Incident | Mapping[str, Any]) -> Incident:
    """The incident, structured from its document when given one (which is not modified)."""
    return incident if isinstance(incident, Incident) else Incident.from_dict(incident)


def _check_pair(incident: Incident, assessment: Assessment) -> None:
    if not isinstance(assessment, Assessment):
        raise InvalidIncident(f"assessment: expected an Assessment from Engine.assess (got {assessment!r})")
    if assessment.incident_id != incident.id:
        raise InvalidIncident(
            f"assessment: is of incident {assessment.incident_id!r}, not of {incident.id!r}"
        )


def _severity(assessment: Assessment) -> str:
    return assessment.severity.value if assessment.severity else "unclassified"


def report(
    incident: Incident | Mapping[str, Any], assessment: Assessment, *, templates: Path | str | None = None
) -> str:
    """The incident report: header, impact, timeline in UTC, root cause, mitigation, action items.

    Args:
        incident: The incident record, or its document.
        assessment: The engine's assessment of it, usually at the end of the record: the
            severity shown is its effective severity.
        templates: A directory whose ``report.md.j2`` replaces the shipped template.

    Returns:
        Markdown text.

    Raises:
        InvalidIncident: The assessment is of another incident.
        RulesetError: ``templates`` is not a directory, or its template is broken.
    """
    incident = _record(incident)
    _check_pair(incident, assessment)
    commanders = [r.handle for r in incident.responders if r.role == "incident_commander"]
    others = [r.handle for r in incident.responders if r.role != "incident_commander"]
    postmortem = incident.postmortem
    context = {
        "id": incident.id,
        "title": incident.title,
        "severity": _severity(assessment),
        "status": _status(incident),
        "duration": _duration(incident),
        "commander": ", ".join(commanders) or "_not recorded_",
        "responders": ", ".join(others) or "_not recorded_",
        "impact": incident.impact.summary,
        "timeline": _timeline(incident),
        "root_cause": postmortem.root_cause if postmortem else None,
        "mitigation": postmortem.mitigation if postmortem else None,
        "action_items": _action_items(postmortem.action_items if postmortem else ()),
    }
    return render_template("report.md.j2", context, templates)


def postmortem(incident: Incident | Mapping[str, Any], *, templates: Path | str | None = None) -> str:
    """The blameless postmortem: five whys, contributing factors, what went well, lessons, actions.

    Args:
        incident: The incident record, or its document; without a postmortem every section is a placeholder.
        templates: A directory whose ``postmortem.md.j2`` replaces the shipped template.

    Returns:
        Markdown text.

    Raises:
        RulesetError: ``templates`` is not a directory, or its template is broken.
    """
    incident = _record(incident)
    review = incident.postmortem
    context: dict[str, Any] = {
        "id": incident.id,
        "whys": review.whys if review else (),
        "contributing_factors": review.contributing_factors if review else (),
        "what_went_well": review.what_went_well if review else (),
        "lessons": review.lessons if review else (),
        "action_items": _action_items(review.action_items if review else ()),
    }
    return render_template("postmortem.md.j2", context, templates)


def _latest(incident: Incident, audience: str, at: datetime) -> tuple[int, Update | None]:
    posted = [u for u in incident.updates if u.audience == audience and u.at <= at]
    posted.sort(key=lambda u: u.at)
    return (len(posted), posted[-1]) if posted else (1, None)


def _next_update(assessment: Assessment, audience: str) -> str:
    planned = [action for action in assessment.due if action.audience == audience]
    if not planned:
        return "none planned"
    late = " (overdue)" if planned[0].overdue else ""
    return f"{_utc(planned[0].due_at, day=False)}{late} or sooner if status changes"


def update(
    incident: Incident | Mapping[str, Any],
    assessment: Assessment,
    *,
    audience: str = "stakeholders",
    templates: Path | str | None = None,
) -> str:
    """The update to ``audience`` as of the assessment's instant.

    It is the latest update to that audience posted by then, numbered by its place among them;
    before the first one, update #1 with its text to be written. The severity is the effective
    one at that instant, and the next update time is the communication plan's deadline.

    Args:
        incident: The incident record, or its document.
        assessment: The engine's assessment at the instant of the update.
        audience: ``stakeholders``, ``executives``, ``status_page`` or ``team``.
        templates: A directory whose ``update.md.j2`` replaces the shipped template.

    Returns:
        Markdown text.

    Raises:
        InvalidIncident: The assessment is of another incident, or the audience is unknown.
        RulesetError: ``templates`` is not a directory, or its template is broken.
    """
    incident = _record(incident)
    _check_pair(incident, assessment)
    if audience not in _AUDIENCES:
        raise InvalidIncident(f"audience: must be one of {', '.join(_AUDIENCES)} (got {audience!r})")
    number, posted = _latest(incident, audience, assessment.at)
    context = {
        "severity": _severity(assessment),
        "title": incident.title,
        "number": number,
        "time": _utc(assessment.at, day=False),
        "next_update": _next_update(assessment, audience),
        # Before the first update these are None: the template says they are not written yet.
        "status": posted.status if posted else None,
        "what_happened": posted.what_happened if posted else None,
        "what_we_did": posted.what_we_did if posted else None,
        "doing_now": posted.next_steps if posted else None,
        "impact": posted.impact if posted else None,
    }
    return render_template("update.md.j2", context, templates)
