"""Incident documents, and documents with an instant to assess them at.

Documents are JSON-shaped dicts, valid per the attrs classes of ``incident_rules._facts``: times
are ISO 8601 text with assorted UTC offsets (``Z``, ``+05:30``, ``-09:30``, ...), optional keys
are present, absent or ``null``, and the values that decide something cluster around the
thresholds of the shipped params: changes around the edge of the change window, affected
fractions around 10 %, rollbacks around 5 minutes, observations rising by about 5 points.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone
from typing import Any, get_args

import attrs
from hypothesis import strategies as st

from incident_rules._facts.model import (
    Audience,
    ChangeKind,
    Resource,
    Scope,
    SeverityLevel,
    Status,
    TimelineKind,
)

__all__ = [
    "BASE",
    "SCOPES",
    "assessments",
    "fractions",
    "incident_documents",
    "instants",
    "iso",
    "zones",
]

#: Detection of the seed example; generated incidents sit around it.
BASE = datetime(2025, 6, 15, 14, 23, tzinfo=timezone.utc)

#: Impact scopes from the least to the most impact (the order "more impact" relies on).
SCOPES = ("none", "cosmetic", "minor", "partial", "widespread")
assert set(SCOPES) == set(get_args(Scope))
# The other enums are read from the fact model, so the documents cannot drift from it.
STATUSES, CHANGE_KINDS, RESOURCES, TIMELINE_KINDS, AUDIENCES, SEVERITIES = map(
    get_args, (Status, ChangeKind, Resource, TimelineKind, Audience, SeverityLevel)
)

SECOND = timedelta(seconds=1)
MICROSECOND = timedelta(microseconds=1)

#: UTC offsets in minutes: whole hours, half and quarter hours, both signs, the extremes.
_OFFSETS = (0, 0, 60, 120, 330, 345, 540, 840, -180, -300, -570, -720)

zones = st.sampled_from(_OFFSETS).map(lambda minutes: timezone(timedelta(minutes=minutes)))


def iso(moment: datetime, zone: timezone = timezone.utc, *, zulu: bool = False) -> str:
    """``moment`` as ISO 8601 text in ``zone``; ``zulu`` writes a zero offset as ``Z``."""
    text = moment.astimezone(zone).isoformat()
    return text.removesuffix("+00:00") + "Z" if zulu and text.endswith("+00:00") else text


# Documents are drawn as templates whose times are _At placeholders, offsets from the detection
# (or the onset) that the draw resolves: the strategies then depend on no drawn value, so Hypothesis
# builds and validates each of them once instead of once per example (most of a draw's cost).


@attrs.frozen
class _At:
    """A time ``offset`` after the moment named ``anchor``, written in ``zone``."""

    anchor: str
    offset: timedelta
    zone: timezone
    zulu: bool


def _offsets_near(center: timedelta, spread: timedelta) -> st.SearchStrategy[timedelta]:
    """``center`` plus whole seconds within ``spread``, sometimes with a sub-second jitter."""
    seconds = int(spread.total_seconds())
    jitter = st.sampled_from([timedelta(0), timedelta(0), MICROSECOND, timedelta(milliseconds=250)])
    return st.builds(
        lambda s, extra: center + timedelta(seconds=s) + extra, st.integers(-seconds, seconds), jitter
    )


def _at(offsets: st.SearchStrategy[timedelta], anchor: str = "detected") -> st.SearchStrategy[_At]:
    """Placeholders for times ``offsets`` after ``anchor``, in assorted zones and spellings."""
    return st.builds(_At, st.just(anchor), offsets, zones, st.booleans())


def _resolve(template: Any, anchors: dict[str, datetime]) -> Any:
    """``template`` with each placeholder written out as ISO text from its anchor."""
    if isinstance(template, _At):
        return iso(anchors[template.anchor] + template.offset, template.zone, zulu=template.zulu)
    if isinstance(template, dict):
        return {key: _resolve(value, anchors) for key, value in template.items()}
    if isinstance(template, list):
        return [_resolve(value, anchors) for value in template]
    return template


def instants(
    around: datetime = BASE, *, spread: timedelta = timedelta(hours=12)
) -> st.SearchStrategy[datetime]:
    """Aware datetimes within ``spread`` of ``around``, in assorted UTC offsets."""
    return st.builds(
        lambda offset, zone: (around + offset).astimezone(zone), _offsets_near(timedelta(0), spread), zones
    )


#: Affected fractions: the edges of the 10 % threshold, 0 and 1 as JSON integers, any float.
fractions = st.one_of(
    st.sampled_from(
        [0, 1, 0.0, -0.0, 0.05, 0.0999999, 0.1, 0.10000000000000002, 0.1000001, 0.15, 0.2, 0.5, 1.0]
    ),
    st.floats(min_value=0, max_value=1),
)


def _optional(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A value for an optional key: mostly the value, sometimes an explicit null."""
    return st.one_of(value, value, value, st.none())


_short_text = st.text(max_size=12)
_booleans = st.booleans()


@st.composite
def _observations(draw: st.DrawFn) -> list[dict[str, Any]]:
    # Whole minutes around detection, so that some observations share an instant.
    count = draw(st.sampled_from([0, 1, 2, 2, 3, 4]))
    minutes = draw(st.lists(st.integers(-30, 120), min_size=count, max_size=count))
    return [
        {
            "at": _At("detected", timedelta(minutes=m), draw(zones), draw(_booleans)),
            "affected_fraction": draw(fractions),
        }
        for m in minutes
    ]


@st.composite
def _impact(draw: st.DrawFn) -> dict[str, Any]:
    impact: dict[str, Any] = {"user_facing": draw(_booleans), "scope": draw(st.sampled_from(SCOPES))}
    flags = ("data_loss", "security_breach", "customer_data", "pii_exposed", "workaround", "internal_only")
    for flag in flags:
        # Severe flags are rare, so that the rest of the severity tree gets exercised too.
        chance = 12 if flag in ("data_loss", "security_breach") else 2
        if draw(st.integers(0, chance)) == 0:
            impact[flag] = True
        elif draw(_booleans):
            impact[flag] = False
    if draw(st.integers(0, 3)):
        impact["affected_fraction"] = draw(_optional(fractions))
    if draw(st.integers(0, 3)):
        impact["observations"] = draw(_OBSERVATIONS)
    return impact


_OBSERVATIONS = _observations()
_IMPACT = _impact()


def _change_offsets(window: timedelta) -> st.SearchStrategy[timedelta]:
    """How long after onset a change happened (negative: before): the window's edges, anything."""
    edges = [
        timedelta(0),
        window - SECOND,
        window - MICROSECOND,
        window,
        window + MICROSECOND,
        window + SECOND,
        -SECOND,
        timedelta(minutes=5),
        timedelta(days=21),
    ]
    anywhere = st.integers(-2 * 3600, int(window.total_seconds()) + 3 * 3600).map(
        lambda s: timedelta(seconds=s)
    )
    return st.one_of(st.sampled_from(edges), anywhere).map(lambda before: -before)


def _change(window: timedelta) -> st.SearchStrategy[dict[str, Any]]:
    optional = {
        "ref": _optional(st.sampled_from(["v2.14.3", "flag/checkout-v2", "", "ü-ref"])),
        "service": _optional(st.sampled_from(["payments-api", "auth", "db"])),
        "suspected": st.integers(0, 4).map(lambda n: n == 0),
    }
    return st.fixed_dictionaries(
        {"at": _at(_change_offsets(window), "onset"), "kind": st.sampled_from(CHANGE_KINDS)},
        optional=optional,
    )


def _signals(window: timedelta) -> st.SearchStrategy[dict[str, Any]]:
    dependencies = st.one_of(st.sampled_from(["db", "auth", "cache", "payments-api"]), _short_text)
    change = _change(window)
    changes = st.sampled_from([0, 1, 1, 2, 3]).flatmap(
        lambda count: st.lists(change, min_size=count, max_size=count)
    )
    optional = {
        # Small alphabets, so lists often repeat a name: one dependency named twice is one.
        "dependencies_down": st.lists(dependencies, max_size=3),
        "exhausted_resources": st.lists(st.sampled_from(RESOURCES), max_size=3),
        "data_corruption_suspected": _booleans,
    }
    return st.fixed_dictionaries({"changes": changes}, optional=optional)


def _rollback(fast_under: float) -> st.SearchStrategy[dict[str, Any]]:
    minutes = st.one_of(
        st.sampled_from(
            [
                0,
                1,
                4,
                fast_under - 0.001,
                fast_under - 1e-9,
                fast_under,
                float(fast_under),
                fast_under + 1e-9,
                6,
                30,
            ]
        ),
        st.integers(0, 180),
        st.floats(min_value=0, max_value=600),
    )
    rare = st.integers(0, 3).map(lambda n: n == 0)
    optional = {
        "estimated_minutes": _optional(minutes),
        "loses_data": rare,
        "breaks_schema": rare,
        "migration_bug": rare,
    }
    return st.fixed_dictionaries({"possible": st.integers(0, 4).map(bool)}, optional=optional)


def _responders() -> st.SearchStrategy[list[dict[str, Any]]]:
    optional = {
        "role": _optional(st.sampled_from(["incident_commander", "responder"])),
        "blocked_on_access": _booleans,
    }
    handle = st.sampled_from(["@jane-doe", "@sre-on-call", "@backend-team"])
    return st.lists(st.fixed_dictionaries({"handle": handle}, optional=optional), max_size=3)


#: Times within two hours either side of an hour after detection: the record's entries and updates.
_record_times = _at(_offsets_near(timedelta(hours=1), timedelta(hours=2)))


def _timeline() -> st.SearchStrategy[list[dict[str, Any]]]:
    entry = st.fixed_dictionaries(
        {"at": _record_times, "kind": st.sampled_from(TIMELINE_KINDS)},
        optional={
            "text": _optional(_short_text),
            "severity": _optional(st.sampled_from(SEVERITIES)),
            "actor": _optional(st.sampled_from(["@jane-doe", "alertmanager"])),
        },
    )
    return st.lists(entry, max_size=4)


def _updates() -> st.SearchStrategy[list[dict[str, Any]]]:
    update = st.fixed_dictionaries(
        {
            "at": _record_times,
            "audience": st.sampled_from(AUDIENCES),
            "status": _short_text,
            "what_happened": _short_text,
            "what_we_did": _short_text,
            "next_steps": _short_text,
        },
        optional={"next_update_at": _optional(_record_times)},
    )
    return st.lists(update, max_size=3)


def _postmortem() -> st.SearchStrategy[dict[str, Any]]:
    times = _at(_offsets_near(timedelta(days=2), timedelta(days=2)))
    item = st.fixed_dictionaries(
        {"text": _short_text}, optional={"owner": _optional(st.just("@backend")), "due": _optional(times)}
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "scheduled_at": _optional(times),
            "published_at": _optional(times),
            "root_cause": _optional(_short_text),
            "whys": st.lists(_short_text, max_size=3),
            "contributing_factors": st.lists(_short_text, max_size=2),
            "action_items": st.lists(item, max_size=3),
            "runbooks_updated": _booleans,
        },
    )


_detections = _offsets_near(timedelta(0), timedelta(days=30)).map(lambda offset: BASE + offset)
_record_parts = st.fixed_dictionaries(
    {},
    optional={
        "status": _optional(st.sampled_from(STATUSES)),
        "responders": _responders(),
        "timeline": _timeline(),
        "updates": _updates(),
        "postmortem": _optional(_postmortem()),
    },
)


@functools.cache
def _templates(change_window: float, rollback_fast_under: float) -> st.SearchStrategy[tuple[timedelta, Any]]:
    """How long before detection the onset was, and a document template: one strategy per threshold pair."""
    signals = _signals(timedelta(minutes=change_window))
    rollback = _optional(_rollback(rollback_fast_under))
    ids = st.one_of(st.just("INC-2025-0142"), st.text(min_size=1, max_size=16))

    @st.composite
    def template(draw: st.DrawFn) -> tuple[timedelta, dict[str, Any]]:
        document: dict[str, Any] = {
            "id": draw(ids),
            "title": draw(_short_text),
            "detected_at": _At("detected", timedelta(0), draw(zones), draw(_booleans)),
        }
        onset_before = timedelta(0)
        if draw(_booleans):
            # Usually before detection, now and then after it (a clock skew in the record).
            onset_before = timedelta(seconds=draw(st.integers(-600, 3 * 3600)))
            document["onset_at"] = _At("onset", timedelta(0), draw(zones), draw(_booleans))
        elif draw(st.integers(0, 5)) == 0:
            document["onset_at"] = None
        document["impact"] = draw(_IMPACT)
        if draw(st.integers(0, 5)):
            document["signals"] = draw(signals)
        if draw(st.integers(0, 3)):
            document["rollback"] = draw(rollback)
        document.update(draw(_record_parts))
        return onset_before, document

    return template()


@st.composite
def incident_documents(
    draw: st.DrawFn, *, change_window: float = 60, rollback_fast_under: float = 5
) -> dict[str, Any]:
    """Valid incident documents v1, with values near the edges of the given thresholds (minutes)."""
    detected = draw(_detections)
    onset_before, template = draw(_templates(change_window, rollback_fast_under))
    document: dict[str, Any] = _resolve(template, {"detected": detected, "onset": detected - onset_before})
    return document


def _moments(document: dict[str, Any]) -> list[datetime]:
    """Every time a document mentions that decides something: detection, onset, changes, observations."""
    texts = [document["detected_at"], document.get("onset_at")]
    texts += [change["at"] for change in document.get("signals", {}).get("changes", [])]
    texts += [observation["at"] for observation in document["impact"].get("observations", [])]
    return [datetime.fromisoformat(text.replace("Z", "+00:00")) for text in texts if text]


_NUDGES = (timedelta(0), SECOND, -SECOND)
_LATER = (timedelta(minutes=7), timedelta(minutes=16), timedelta(hours=3), timedelta(days=3))
_AROUND_HALF_A_DAY = _offsets_near(timedelta(hours=12), timedelta(hours=12))


@st.composite
def assessments(
    draw: st.DrawFn,
    *,
    change_window: float = 60,
    rollback_fast_under: float = 5,
    deadlines: tuple[float, ...] = (),
) -> tuple[dict[str, Any], datetime]:
    """An incident document and an instant to assess it at, at or after its detection.

    The instant is often exactly at, or a second either side of, a moment the document
    mentions, or a deadline (``deadlines``, minutes after detection), so that "known at the
    instant" and "overdue" are exercised at their edges.
    """
    document = draw(incident_documents(change_window=change_window, rollback_fast_under=rollback_fast_under))
    moments = _moments(document)
    detected = moments[0]
    moments += [detected + timedelta(minutes=minutes) for minutes in deadlines]
    # An assessment before detection is an error (readings.md 15), tested on its own.
    near_after = [moment + nudge for moment in moments for nudge in _NUDGES if moment + nudge >= detected]
    kind = draw(st.integers(0, 2))
    if kind == 0:
        at = near_after[draw(st.integers(0, len(near_after) - 1))]
    elif kind == 1:
        at = detected + draw(st.sampled_from(_LATER))
    else:
        at = detected + draw(_AROUND_HALF_A_DAY)
    return document, at.astimezone(draw(zones))
