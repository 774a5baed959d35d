"""Incident documents, and documents with an instant to assess them at.

Documents are JSON-shaped dicts, valid per the attrs classes of ``incident_rules._facts``: times
are ISO 8601 text with assorted UTC offsets (``Z``, ``+05:30``, ``-09:30``, ...), optional keys
are present, absent or ``null``, and the values that decide something cluster around the
thresholds of the shipped params: changes around the edge of the change window, affected
fractions around 10 %, rollbacks around 5 minutes, observations rising by about 5 points.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, get_args

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


@st.composite
def _text_time(draw: st.DrawFn, moment: datetime) -> str:
    return iso(moment, draw(zones), zulu=draw(st.booleans()))


def _time_near(around: datetime, spread: timedelta) -> st.SearchStrategy[datetime]:
    seconds = int(spread.total_seconds())
    offsets = st.integers(-seconds, seconds).map(lambda s: timedelta(seconds=s))
    jitter = st.sampled_from([timedelta(0), timedelta(0), MICROSECOND, timedelta(milliseconds=250)])
    return st.builds(lambda offset, extra: around + offset + extra, offsets, jitter)


def instants(
    around: datetime = BASE, *, spread: timedelta = timedelta(hours=12)
) -> st.SearchStrategy[datetime]:
    """Aware datetimes within ``spread`` of ``around``, in assorted UTC offsets."""
    return st.builds(lambda moment, zone: moment.astimezone(zone), _time_near(around, spread), zones)


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
def _observations(draw: st.DrawFn, detected: datetime) -> list[dict[str, Any]]:
    # Whole minutes around detection, so that some observations share an instant.
    count = draw(st.sampled_from([0, 1, 2, 2, 3, 4]))
    minutes = draw(st.lists(st.integers(-30, 120), min_size=count, max_size=count))
    return [
        {"at": draw(_text_time(detected + timedelta(minutes=m))), "affected_fraction": draw(fractions)}
        for m in minutes
    ]


@st.composite
def _impact(draw: st.DrawFn, detected: datetime) -> dict[str, Any]:
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
        impact["observations"] = draw(_observations(detected))
    return impact


def _change_offsets(window: timedelta) -> st.SearchStrategy[timedelta]:
    """How long before onset a change happened: the window's edges, onset itself, anything."""
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
    return st.one_of(st.sampled_from(edges), anywhere)


@st.composite
def _change(draw: st.DrawFn, onset: datetime, window: timedelta) -> dict[str, Any]:
    change: dict[str, Any] = {
        "at": draw(_text_time(onset - draw(_change_offsets(window)))),
        "kind": draw(st.sampled_from(CHANGE_KINDS)),
    }
    optional = {
        "ref": _optional(st.sampled_from(["v2.14.3", "flag/checkout-v2", "", "ü-ref"])),
        "service": _optional(st.sampled_from(["payments-api", "auth", "db"])),
        "suspected": st.integers(0, 4).map(lambda n: n == 0),
    }
    change.update(draw(st.fixed_dictionaries({}, optional=optional)))
    return change


def _signals(onset: datetime, window: timedelta) -> st.SearchStrategy[dict[str, Any]]:
    dependencies = st.one_of(st.sampled_from(["db", "auth", "cache", "payments-api"]), _short_text)
    changes = st.sampled_from([0, 1, 1, 2, 3]).flatmap(
        lambda count: st.lists(_change(onset, window), min_size=count, max_size=count)
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


def _timeline(detected: datetime) -> st.SearchStrategy[list[dict[str, Any]]]:
    entry = st.fixed_dictionaries(
        {
            "at": _time_near(detected + timedelta(hours=1), timedelta(hours=2)).flatmap(_text_time),
            "kind": st.sampled_from(TIMELINE_KINDS),
        },
        optional={
            "text": _optional(_short_text),
            "severity": _optional(st.sampled_from(SEVERITIES)),
            "actor": _optional(st.sampled_from(["@jane-doe", "alertmanager"])),
        },
    )
    return st.lists(entry, max_size=4)


def _updates(detected: datetime) -> st.SearchStrategy[list[dict[str, Any]]]:
    times = _time_near(detected + timedelta(hours=1), timedelta(hours=2)).flatmap(_text_time)
    update = st.fixed_dictionaries(
        {
            "at": times,
            "audience": st.sampled_from(AUDIENCES),
            "status": _short_text,
            "what_happened": _short_text,
            "what_we_did": _short_text,
            "next_steps": _short_text,
        },
        optional={"next_update_at": _optional(times)},
    )
    return st.lists(update, max_size=3)


def _postmortem(detected: datetime) -> st.SearchStrategy[dict[str, Any]]:
    times = _time_near(detected + timedelta(days=2), timedelta(days=2)).flatmap(_text_time)
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


@st.composite
def incident_documents(
    draw: st.DrawFn, *, change_window: float = 60, rollback_fast_under: float = 5
) -> dict[str, Any]:
    """Valid incident documents v1, with values near the edges of the given thresholds (minutes)."""
    detected = draw(_time_near(BASE, timedelta(days=30)))
    document: dict[str, Any] = {
        "id": draw(st.one_of(st.just("INC-2025-0142"), st.text(min_size=1, max_size=16))),
        "title": draw(_short_text),
        "detected_at": draw(_text_time(detected)),
    }
    onset = detected
    if draw(_booleans):
        # Usually before detection, now and then after it (a clock skew in the record).
        onset = detected - timedelta(seconds=draw(st.integers(-600, 3 * 3600)))
        document["onset_at"] = draw(_text_time(onset))
    elif draw(st.integers(0, 5)) == 0:
        document["onset_at"] = None
    document["impact"] = draw(_impact(detected))
    window = timedelta(minutes=change_window)
    if draw(st.integers(0, 5)):
        document["signals"] = draw(_signals(onset, window))
    if draw(st.integers(0, 3)):
        document["rollback"] = draw(_optional(_rollback(rollback_fast_under)))
    optional: dict[str, st.SearchStrategy[Any]] = {
        "status": _optional(st.sampled_from(STATUSES)),
        "responders": _responders(),
        "timeline": _timeline(detected),
        "updates": _updates(detected),
        "postmortem": _optional(_postmortem(detected)),
    }
    document.update(draw(st.fixed_dictionaries({}, optional=optional)))
    return document


def _moments(document: dict[str, Any]) -> list[datetime]:
    """Every time a document mentions that decides something: detection, onset, changes, observations."""
    texts = [document["detected_at"], document.get("onset_at")]
    texts += [change["at"] for change in document.get("signals", {}).get("changes", [])]
    texts += [observation["at"] for observation in document["impact"].get("observations", [])]
    return [datetime.fromisoformat(text.replace("Z", "+00:00")) for text in texts if text]


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
    near_moment = st.builds(
        lambda moment, nudge: moment + nudge,
        st.sampled_from(moments),
        st.sampled_from([timedelta(0), SECOND, -SECOND]),
    )
    later = st.sampled_from(
        [timedelta(minutes=7), timedelta(minutes=16), timedelta(hours=3), timedelta(days=3)]
    )
    after_detection = instants(detected + timedelta(hours=12), spread=timedelta(hours=12))
    since_detection = later.map(lambda delta: detected + delta)
    # An assessment before detection is an error (practice.md 15), tested on its own.
    near_after = near_moment.filter(lambda moment: moment >= detected)
    at = draw(st.one_of(near_after, since_detection, after_detection))
    return document, at.astimezone(draw(zones))
