"""Facts about a whole incident record, after the fact: what quality gate checks read.

Each is computed from the record as known at the review instant ``at`` (entries and updates
after it are not written yet), with the evidence a finding shows. They are read as ``gate.*``
paths, by quality gates (``hit: check``) only. No threshold lives here: the checks compare these
facts with params, and the update cadence is the one the engine's own communication plan was
in force with at each moment (see :class:`PlanAt`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import attrs

from incident_rules._decisions.deadlines import WorkHours
from incident_rules._facts.model import Incident, TimelineEntry, Update
from incident_rules._facts.schema import FieldType
from incident_rules._features import Derived, Feature, Registry
from incident_rules._gate.cadence import PlanAt, silences
from incident_rules._rulesets.model import GATE_PREFIX

__all__ = ["Record", "compute_gate_features", "gate_paths"]


@attrs.frozen
class Record:
    """An incident record under review at ``at``, with the plans the engine had for it."""

    incident: Incident
    at: datetime
    plans: tuple[PlanAt, ...]
    hours: WorkHours

    @property
    def timeline(self) -> tuple[TimelineEntry, ...]:
        """The timeline entries written by ``at``, in the record's order."""
        return tuple(entry for entry in self.incident.timeline if entry.at <= self.at)

    @property
    def updates(self) -> tuple[Update, ...]:
        """The updates posted by ``at``, in the record's order."""
        return tuple(update for update in self.incident.updates if update.at <= self.at)

    def first(self, *kinds: str) -> TimelineEntry | None:
        """The earliest timeline entry of one of ``kinds``."""
        entries = [entry for entry in self.timeline if entry.kind in kinds]
        return min(entries, key=lambda entry: entry.at) if entries else None


_GATE = Registry(GATE_PREFIX)
_derives = _GATE.derives
_BOOL, _NUMBER, _MAYBE_NUMBER = FieldType("bool"), FieldType("number"), FieldType("number", optional=True)


def gate_paths() -> dict[str, FieldType]:
    """The ``gate.*`` paths quality gate checks may read."""
    return _GATE.paths()


def _minutes(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 60


@_derives(severity_assigned_minutes=_MAYBE_NUMBER)
def _severity(record: Record) -> Derived:
    detected = record.incident.detected_at
    entry = record.first("severity_assigned")
    if entry is None:
        return ((None, {"detected_at": detected, "severity_assigned_at": "no severity_assigned entry"}),)
    minutes = _minutes(entry.at, detected)
    evidence = {"detected_at": detected, "severity_assigned_at": entry.at, "severity": entry.severity}
    return ((minutes, evidence | {"minutes": minutes}),)


@_derives(timeline_entries=_NUMBER, timeline_entries_not_utc=_NUMBER)
def _utc(record: Record) -> Derived:
    # Judged on the offset as written: -08:00 is a valid instant but not a UTC timestamp.
    # Z and +00:00 are the same zero offset written two ways; both are UTC.
    timeline = record.timeline
    not_utc = [
        {"entry": index, "kind": entry.kind, "at": entry.at.isoformat()}
        for index, entry in enumerate(timeline)
        if entry.at.utcoffset()
    ]
    evidence = {"entries": len(timeline), "not_utc": not_utc}
    return (len(timeline), evidence), (len(not_utc), evidence)


@_derives(updates_on_cadence=_BOOL)
def _cadence(record: Record) -> Derived:
    found = silences(record.incident, record.at, record.updates, record.plans, record.hours)
    late = [silence for silence in found if silence.due_by is not None]
    worst = max(late or found, key=lambda silence: silence.minutes, default=None)
    evidence: dict[str, Any] = {"silences_judged": len(found), "silences_over_cadence": len(late)}
    if worst is None:
        evidence["longest_silence"] = "no recurring update was planned"
    else:
        evidence |= {"longest_silence": worst.describe(), "longest_silence_from": worst.start}
        evidence |= {"longest_silence_to": worst.end, "allowed": worst.allowed}
    evidence["over_cadence"] = [silence.describe() for silence in late]
    return ((not late, evidence),)


_MITIGATING = ("mitigation_started", "rollback_started", "mitigated")


@_derives(mitigation_before_diagnosis=_BOOL)
def _mitigation_first(record: Record) -> Derived:
    mitigation = record.first(*_MITIGATING)
    diagnosis = record.first("diagnosis_started")
    evidence = {
        "mitigation_started_at": mitigation.at if mitigation else "no mitigation entry",
        "mitigation_entry": mitigation.kind if mitigation else None,
        "diagnosis_started_at": diagnosis.at if diagnosis else "no diagnosis_started entry",
    }
    first = mitigation is not None and (diagnosis is None or mitigation.at <= diagnosis.at)
    return ((first, evidence),)


@_derives(postmortem_scheduled_after=_MAYBE_NUMBER)
def _postmortem_schedule(record: Record) -> Derived:
    resolved = record.first("resolved")
    postmortem = record.incident.postmortem
    scheduled = postmortem.scheduled_at if postmortem else None
    evidence: dict[str, Any] = {
        "resolved_at": resolved.at if resolved else "no resolved entry",
        "scheduled_at": scheduled if scheduled else "no postmortem scheduled",
    }
    if resolved is None or scheduled is None:
        return ((None, evidence),)
    minutes = _minutes(scheduled, resolved.at)
    return ((minutes, evidence | {"hours_after_resolution": round(minutes / 60, 2)}),)


def _names(incident: Incident) -> Iterator[str]:
    """Every way the record names a responder: handle, handle without its @, and name."""
    for responder in incident.responders:
        yield from filter(None, (responder.handle, responder.handle.lstrip("@"), responder.name))


_MENTION = re.compile(r"(?<![\w.@])@[A-Za-z0-9][\w.-]*")


def _mentions(text: str, names: list[str]) -> list[str]:
    found = [match.group(0).rstrip(".-") for match in _MENTION.finditer(text)]
    for name in names:
        pattern = rf"(?<![\w@-]){re.escape(name)}(?![\w-])"
        found += [match.group(0) for match in re.finditer(pattern, text, re.IGNORECASE)]
    return sorted(set(found), key=found.index)


@_derives(blame_mentions=_MAYBE_NUMBER)
def _blame(record: Record) -> Derived:
    postmortem = record.incident.postmortem
    texts = [("root_cause", postmortem.root_cause)] if postmortem and postmortem.root_cause else []
    texts += [(f"whys[{index}]", why) for index, why in enumerate(postmortem.whys if postmortem else ())]
    if not texts:
        return ((None, {"judged": "no root cause and no whys to judge"}),)
    names = sorted(set(_names(record.incident)), key=len, reverse=True)
    found = [
        {"where": where, "found": mention, "text": text}
        for where, text in texts
        for mention in _mentions(text, names)
    ]
    return ((len(found), {"judged": [where for where, _ in texts], "found": found}),)


@_derives(action_items=_NUMBER, action_items_incomplete=_NUMBER)
def _action_items(record: Record) -> Derived:
    postmortem = record.incident.postmortem
    items = postmortem.action_items if postmortem else ()
    incomplete = []
    for index, item in enumerate(items):
        lacks = [name for name, value in (("owner", item.owner), ("due", item.due)) if not _given(value)]
        if lacks:
            incomplete.append({"item": index, "text": item.text, "lacks": lacks})
    evidence = {"action_items": len(items), "incomplete": incomplete}
    return (len(items), evidence), (len(incomplete), evidence)


def _given(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


@_derives(runbooks_updated_in_time=_BOOL)
def _runbooks(record: Record) -> Derived:
    postmortem = record.incident.postmortem
    if postmortem is None:
        return ((False, {"runbooks_updated": "no postmortem"}),)
    updated_at, closed_at = postmortem.runbooks_updated_at, postmortem.published_at
    evidence = {
        "runbooks_updated": postmortem.runbooks_updated,
        "runbooks_updated_at": updated_at if updated_at else "not recorded",
        "postmortem_published_at": closed_at if closed_at else "not published",
    }
    late = updated_at is not None and closed_at is not None and updated_at > closed_at
    return ((postmortem.runbooks_updated and not late, evidence),)


#: What every update must say, by the document's field and as a reader would name it.
_ELEMENTS = (
    ("status", "current status"),
    ("what_happened", "what happened"),
    ("what_we_did", "what was done"),
    ("next_steps", "what is next"),
    ("next_update_at", "when the next update comes"),
)


@_derives(updates=_NUMBER, updates_incomplete=_NUMBER)
def _update_content(record: Record) -> Derived:
    incomplete = []
    for index, update in enumerate(record.updates):
        lacks = [label for name, label in _ELEMENTS if not _given(getattr(update, name))]
        if lacks:
            incomplete.append({"update": index, "at": update.at, "audience": update.audience, "lacks": lacks})
    evidence = {"updates": len(record.updates), "incomplete": incomplete}
    return (len(record.updates), evidence), (len(incomplete), evidence)


def compute_gate_features(record: Record) -> dict[str, Feature]:
    """Every gate fact of ``record``, keyed by its ``gate.*`` path."""
    return {f"{GATE_PREFIX}{name}": feature for name, feature in _GATE.compute(record).items()}
