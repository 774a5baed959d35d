"""When to assess each document of a batch: one instant, a function of the document, or an offset.

An offset is written from a time of the record, ``detected+30m`` or ``onset+2h`` (``detected``
alone is detection itself); it is resolved per document, after the document is structured.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from incident_rules._facts.convert import parse_instant
from incident_rules._facts.model import Incident
from incident_rules._rulesets.params import coerce
from incident_rules.errors import InvalidIncident

__all__ = ["InstantSpec", "call_at", "instant_spec"]

_OFFSET = re.compile(r"^\s*(detected|onset)\s*(?:([+-])\s*(\S+))?\s*$")
_ANCHORS = {"detected": lambda incident: incident.detected_at, "onset": lambda incident: incident.onset}


@attrs.frozen
class InstantSpec:
    """A picklable rule giving the instant for one incident: fixed, or anchor plus offset."""

    fixed: datetime | None = None
    anchor: str = "detected"
    offset: timedelta = timedelta(0)

    def for_incident(self, incident: Incident) -> datetime:
        """The instant to assess ``incident`` at."""
        if self.fixed is not None:
            return self.fixed
        anchored: datetime = _ANCHORS[self.anchor](incident)
        return anchored + self.offset


def _offset(text: str) -> InstantSpec | None:
    match = _OFFSET.match(text)
    if match is None:
        return None
    anchor, sign, amount = match.groups()
    if amount is None:
        return InstantSpec(anchor=anchor)
    try:
        minutes = coerce("duration", amount)
    except ValueError:
        raise InvalidIncident(
            f"at: expected a duration like '30m' or '2h' after {anchor}{sign} (got {amount!r})"
        ) from None
    assert isinstance(minutes, float | int)
    return InstantSpec(anchor=anchor, offset=timedelta(minutes=minutes if sign == "+" else -minutes))


def instant_spec(at: object) -> InstantSpec | Callable[[Any], Any]:
    """``at`` checked up front: an :class:`InstantSpec`, or the caller's function as it is.

    Raises:
        InvalidIncident: ``at`` is neither an aware instant, ISO 8601 text with an offset, an
            offset like ``detected+30m``, nor a function.
    """
    if callable(at) and not isinstance(at, (datetime, str)):
        return at
    if isinstance(at, str) and (spec := _offset(at)) is not None:
        return spec
    try:
        return InstantSpec(fixed=parse_instant(at))
    except InvalidIncident:
        raise InvalidIncident(
            "at: expected an aware datetime, ISO 8601 text with an offset, an offset like "
            f"'detected+30m' or 'onset+1h', or a function of the document (got {at!r})"
        ) from None


def call_at(function: Callable[[Any], Any], document: Mapping[str, Any] | Incident) -> datetime:
    """The instant the caller's function gives for ``document``, checked.

    Raises:
        InvalidIncident: The function raised, or did not give an aware instant.
    """
    try:
        value = function(document)
    except Exception as error:  # noqa: BLE001 -- the caller's function failed on this document
        raise InvalidIncident(f"at: the function raised {type(error).__name__}: {error}") from None
    return parse_instant(value)
