"""msgspec Structs shaped like the incident document: the floor of a typed C decoder.

Imported by ``structuring.py`` only where msgspec is installed. Not ``from __future__ import
annotations``: msgspec resolves these annotations at module level.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import msgspec

from incident_rules._facts.types import Audience, ChangeKind, Resource, Scope, Status, TimelineKind


class _Struct(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Unknown keys refused, as ours are."""


class Observation(_Struct):
    at: datetime
    affected_fraction: float


class Impact(_Struct):
    user_facing: bool
    scope: Scope
    affected_fraction: float | None = None
    data_loss: bool = False
    security_breach: bool = False
    customer_data: bool = False
    pii_exposed: bool = False
    workaround: bool = False
    internal_only: bool = False
    observations: tuple[Observation, ...] = ()
    summary: tuple[str, ...] = ()


class Change(_Struct):
    at: datetime
    kind: ChangeKind
    ref: str | None = None
    service: str | None = None
    suspected: bool = False


class Signals(_Struct):
    changes: tuple[Change, ...] = ()
    dependencies_down: tuple[str, ...] = ()
    exhausted_resources: tuple[Resource, ...] = ()
    data_corruption_suspected: bool = False


class Rollback(_Struct):
    possible: bool
    estimated_minutes: float | None = None
    loses_data: bool = False
    breaks_schema: bool = False
    migration_bug: bool = False


class Responder(_Struct):
    handle: str
    role: str | None = None
    blocked_on_access: bool = False
    name: str | None = None


class TimelineEntry(_Struct):
    at: datetime
    kind: TimelineKind
    text: str | None = None
    severity: str | None = None
    actor: str | None = None
    target: str | None = None


class Update(_Struct):
    at: datetime
    audience: Audience
    status: str
    what_happened: str
    what_we_did: str
    next_steps: str
    next_update_at: datetime | None = None
    impact: str | None = None


class Document(_Struct):
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
    postmortem: dict[str, Any] | None = None  # its ``due`` is a union msgspec refuses


def decoder() -> Callable[[str], Any]:
    """The typed decoder of a document's JSON text into :class:`Document`."""
    return msgspec.json.Decoder(Document).decode
