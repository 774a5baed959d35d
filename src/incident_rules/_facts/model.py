"""The incident document v1 as typed, frozen facts."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

import attrs

from incident_rules._facts.convert import structure, unstructure
from incident_rules._facts.types import (
    Audience,
    ChangeKind,
    Fraction,
    Resource,
    Scope,
    SeverityLevel,
    Status,
    TimelineKind,
)
from incident_rules.errors import InvalidIncident


@attrs.frozen
class Observation:
    """How much of the user base was affected at one moment."""

    at: datetime
    affected_fraction: Fraction


@attrs.frozen
class Impact:
    """What the incident does to users and data."""

    user_facing: bool
    scope: Scope
    affected_fraction: Fraction | None = None
    data_loss: bool = False
    security_breach: bool = False
    customer_data: bool = False
    pii_exposed: bool = False
    workaround: bool = False
    internal_only: bool = False
    observations: tuple[Observation, ...] = ()
    #: What the impact means in the report's words, one statement each ("~2,400 failed payments").
    summary: tuple[str, ...] = ()


@attrs.frozen
class Change:
    """A change to production that may have caused the incident."""

    at: datetime
    kind: ChangeKind
    ref: str | None = None
    service: str | None = None
    suspected: bool = False


@attrs.frozen
class Signals:
    """What the systems say: recent changes, failing dependencies, exhausted resources."""

    changes: tuple[Change, ...] = ()
    dependencies_down: tuple[str, ...] = ()
    exhausted_resources: tuple[Resource, ...] = ()
    data_corruption_suspected: bool = False


@attrs.frozen
class Rollback:
    """What rolling back the suspect change would take and cost."""

    possible: bool
    estimated_minutes: float | None = None
    loses_data: bool = False
    breaks_schema: bool = False
    migration_bug: bool = False


@attrs.frozen
class Responder:
    """Somebody working the incident."""

    handle: str
    role: str | None = None
    blocked_on_access: bool = False
    #: The person's name, as the blameless check looks for it ("Jane Doe").
    name: str | None = None


@attrs.frozen
class TimelineEntry:
    """One event of the incident, as it happened."""

    at: datetime
    kind: TimelineKind
    text: str | None = None
    severity: SeverityLevel | None = None
    actor: str | None = None
    #: Whom an ``escalated`` entry escalated to: an escalation value (``leadership``,
    #: ``security``, ``legal``, ``platform``) marks that escalation done, or free text.
    target: str | None = None


@attrs.frozen
class Update:
    """One message sent to an audience about the incident."""

    at: datetime
    audience: Audience
    status: str
    what_happened: str
    what_we_did: str
    next_steps: str
    next_update_at: datetime | None = None
    impact: str | None = None


@attrs.frozen
class ActionItem:
    """Follow-up work a postmortem commits to."""

    text: str
    owner: str | None = None
    #: A date (``2025-06-22``), as people write it, or a datetime with an offset.
    due: datetime | date | None = None


@attrs.frozen
class Postmortem:
    """The blameless review written after the incident."""

    scheduled_at: datetime | None = None
    published_at: datetime | None = None
    root_cause: str | None = None
    whys: tuple[str, ...] = ()
    contributing_factors: tuple[str, ...] = ()
    action_items: tuple[ActionItem, ...] = ()
    runbooks_updated: bool = False
    runbooks_updated_at: datetime | None = None
    what_went_well: tuple[str, ...] = ()
    lessons: tuple[str, ...] = ()
    #: How the impact was stopped, in the report's words.
    mitigation: str | None = None


@attrs.frozen
class Incident:
    """Everything known about one incident: the incident document v1.

    Build one with :meth:`from_dict` (strict: every problem of the document is reported at
    once) and turn it back into plain data with :meth:`to_dict`; the round trip is lossless.
    One built directly (``Incident(...)``, ``attrs.evolve``) is held to the same checks.

    Raises:
        InvalidIncident: When built directly from values the document format does not allow.
    """

    id: str
    title: str
    detected_at: datetime
    impact: Impact
    onset_at: datetime | None = None
    status: Status | None = None
    signals: Signals = Signals()
    rollback: Rollback | None = None
    responders: tuple[Responder, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    updates: tuple[Update, ...] = ()
    postmortem: Postmortem | None = None

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Incident:
        """Build an incident from a JSON-shaped mapping.

        Args:
            document: The incident document v1, as parsed from JSON. It is not modified.

        Returns:
            The incident.

        Raises:
            InvalidIncident: With every problem of the document: unknown keys, missing keys,
                wrong types, unknown enum values, fractions outside 0..1, naive times.
        """
        with values_checked():
            return structure(document, cls)

    def __attrs_post_init__(self) -> None:
        if not _CHECKED.get():
            _check(self)

    def to_dict(self) -> dict[str, Any]:
        """The incident as JSON-ready data; :meth:`from_dict` turns it back into an equal one."""
        result: dict[str, Any] = unstructure(self)
        return result

    @property
    def onset(self) -> datetime:
        """When symptoms started: ``onset_at``, or detection when it is not known."""
        return self.onset_at if self.onset_at is not None else self.detected_at


#: True while the converter builds an incident: it has checked every value already.
_CHECKED = contextvars.ContextVar("incident_rules_checked", default=False)


@contextlib.contextmanager
def values_checked() -> Iterator[None]:
    """Incidents built inside are not checked again: their builder has checked every value."""
    token = _CHECKED.set(True)
    try:
        yield
    finally:
        _CHECKED.reset(token)


def _check(incident: Incident) -> None:
    """Hold a hand-built incident to the converter's checks: its plain data must structure back
    into an equal incident (a wrong type, a naive time, an unknown enum value all fail)."""
    with values_checked():
        try:
            data = unstructure(incident)
        except Exception as error:  # noqa: BLE001 -- a value the converter cannot even write
            raise InvalidIncident(f"document: a value cannot be written as JSON ({error})") from None
        rebuilt = structure(data, Incident)
    for field in attrs.fields(Incident):
        value = getattr(incident, field.name)
        if getattr(rebuilt, field.name) != value:
            raise InvalidIncident(
                f"{field.name}: expected {field.type} (got {value!r} of type {type(value).__name__})"
            )
