"""The incident document v1 as typed, frozen facts."""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
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

    #: When the share was observed.
    at: datetime
    #: The share of users affected then.
    affected_fraction: Fraction


@attrs.frozen
class Impact:
    """What the incident does to users and data."""

    #: Whether users see the incident (not only internal systems).
    user_facing: bool
    #: How much of the product is affected, from no impact to a widespread outage.
    scope: Scope
    #: The share of users affected now, when known.
    affected_fraction: Fraction | None = None
    #: Data has been lost.
    data_loss: bool = False
    #: Security has been breached.
    security_breach: bool = False
    #: Customer data is involved.
    customer_data: bool = False
    #: Personal data has been exposed.
    pii_exposed: bool = False
    #: Users have a workaround.
    workaround: bool = False
    #: Only internal tooling is affected.
    internal_only: bool = False
    #: The affected share over time: how the blast radius grows.
    observations: tuple[Observation, ...] = ()
    #: What the impact means in the report's words, one statement each ("~2,400 failed payments").
    summary: tuple[str, ...] = ()


@attrs.frozen
class Change:
    """A change to production that may have caused the incident."""

    #: When the change reached production.
    at: datetime
    #: What kind of change it was.
    kind: ChangeKind
    #: What was changed: a version, a flag, a migration name.
    ref: str | None = None
    #: The service changed.
    service: str | None = None
    #: The responders suspect it, whatever its age.
    suspected: bool = False


@attrs.frozen
class Signals:
    """What the systems say: recent changes, failing dependencies, exhausted resources."""

    #: Recent changes to production.
    changes: tuple[Change, ...] = ()
    #: The dependencies that are down, by name.
    dependencies_down: tuple[str, ...] = ()
    #: The kinds of resource exhausted.
    exhausted_resources: tuple[Resource, ...] = ()
    #: Data may be corrupt.
    data_corruption_suspected: bool = False


@attrs.frozen
class Rollback:
    """What rolling back the suspect change would take and cost."""

    #: The suspect change can be rolled back.
    possible: bool
    #: How long rolling back would take, in minutes.
    estimated_minutes: float | None = None
    #: Rolling back would lose data.
    loses_data: bool = False
    #: Rolling back would break the data schema.
    breaks_schema: bool = False
    #: The fault is in a data migration (rolling back does not undo it).
    migration_bug: bool = False


@attrs.frozen
class Responder:
    """Somebody working the incident."""

    #: The responder's chat handle (``@jane``).
    handle: str
    #: Their role in the response (incident commander, ...).
    role: str | None = None
    #: They are blocked waiting for access.
    blocked_on_access: bool = False
    #: The person's name, as the blameless check looks for it ("Jane Doe").
    name: str | None = None


@attrs.frozen
class TimelineEntry:
    """One event of the incident, as it happened."""

    #: When it happened.
    at: datetime
    #: What happened.
    kind: TimelineKind
    #: What happened, in words.
    text: str | None = None
    #: The severity a ``severity_assigned`` entry assigned.
    severity: SeverityLevel | None = None
    #: Who did it.
    actor: str | None = None
    #: Whom an ``escalated`` entry escalated to: an escalation value (``leadership``,
    #: ``security``, ``legal``, ``platform``) marks that escalation done, or free text.
    target: str | None = None


@attrs.frozen
class Update:
    """One message sent to an audience about the incident."""

    #: When it was sent.
    at: datetime
    #: Whom it was sent to.
    audience: Audience
    #: The current status, as the update said it.
    status: str
    #: What happened, as the update said it.
    what_happened: str
    #: What was done, as the update said it.
    what_we_did: str
    #: What comes next.
    next_steps: str
    #: When the next update comes.
    next_update_at: datetime | None = None
    #: The impact, in the update's words.
    impact: str | None = None


@attrs.frozen
class ActionItem:
    """Follow-up work a postmortem commits to."""

    #: The work to do.
    text: str
    #: Who owns it.
    owner: str | None = None
    #: A date (``2025-06-22``), as people write it, or a datetime with an offset.
    due: datetime | date | None = None


@attrs.frozen
class Postmortem:
    """The blameless review written after the incident."""

    #: When the postmortem meeting is scheduled.
    scheduled_at: datetime | None = None
    #: When the postmortem was published.
    published_at: datetime | None = None
    #: The root cause, blameless (no names).
    root_cause: str | None = None
    #: The five whys, in order.
    whys: tuple[str, ...] = ()
    #: What else contributed.
    contributing_factors: tuple[str, ...] = ()
    #: The follow-up work it commits to.
    action_items: tuple[ActionItem, ...] = ()
    #: The runbooks were updated.
    runbooks_updated: bool = False
    #: When the runbooks were updated.
    runbooks_updated_at: datetime | None = None
    #: What went well.
    what_went_well: tuple[str, ...] = ()
    #: What was learned.
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

    #: The incident's identifier (``INC-2025-0142``).
    id: str
    #: A short title.
    title: str
    #: When the incident was detected (the alert fired).
    detected_at: datetime
    #: What it does to users and data.
    impact: Impact
    #: When symptoms started, when known (before detection).
    onset_at: datetime | None = None
    #: Where the response stands, as of the record's latest entry.
    status: Status | None = None
    #: What the systems say.
    signals: Signals = Signals()
    #: What rolling back the suspect change would take.
    rollback: Rollback | None = None
    #: Who works the incident.
    responders: tuple[Responder, ...] = ()
    #: What happened, entry by entry.
    timeline: tuple[TimelineEntry, ...] = ()
    #: The updates sent, to every audience.
    updates: tuple[Update, ...] = ()
    #: The review written after the incident.
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


class values_checked:  # lower case: it reads as the function it replaces, ``with values_checked():``
    """Incidents built inside are not checked again: their builder has checked every value.

    A class rather than a ``contextlib.contextmanager`` generator: entered once per document,
    it costs a quarter of the generator's time.
    """

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _CHECKED.set(True)

    def __exit__(self, *exc_info: object) -> None:
        _CHECKED.reset(self._token)


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
