"""What a property test is about: the params it runs under, pairs to compare, instants to pick.

Each strategy here delivers only the cases its name promises: ``more_impact`` always makes the
impact worse, ``instant_pairs`` two different instants, ``open_assessments`` an incident not
resolved at the instant. Where a document cannot give the case at all, the strategy rejects it
(``assume``) instead of handing the test something it would have to skip.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from incident_rules import Engine
from strategies.documents import SCOPES, assessments

__all__ = [
    "PARAM_SETS",
    "cases",
    "impact_pairs",
    "instant_pairs",
    "more_impact",
    "open_assessments",
    "param_overrides",
    "weeks",
]

#: The shipped params, and two sets of overrides that move every threshold the documents aim at.
PARAM_SETS: tuple[Mapping[str, object], ...] = (
    {},
    {
        "change_window": "30m",
        "rollback_fast_under": "10m",
        "significant_fraction": 0.25,
        "blast_radius_growth": 0.2,
    },
    {"change_window": 90, "rollback_fast_under": 2, "significant_fraction": 0.5, "blast_radius_growth": 0},
)

#: Minutes each duration param may be overridden with: zero, fractions of a minute, hours.
_DURATIONS: dict[str, tuple[float, ...]] = {
    "change_window": (0, 1, 7.5, 30, 90, 240),
    "rollback_fast_under": (0.5, 2, 10, 30),
    "leadership_after": (0, 5, 30, 120),
    "escalate_immediately_within": (0, 5),
    "sev1_status_page_within": (5, 20),
    "sev1_update_every": (5, 60),
    "sev1_executive_summary_within": (30, 120),
    "sev2_status_page_within": (10, 60),
    "sev2_update_every": (10, 90),
    "sev3_update_every": (30, 240, 600),
}
#: The shipped minutes of each of them, read from the shipped params.
_SHIPPED = {name: float(Engine.default(backend="native").params[name]) for name in _DURATIONS}
_FRACTIONS: dict[str, tuple[float, ...]] = {
    "significant_fraction": (0, 0.05, 0.25, 0.5, 1),
    "blast_radius_growth": (0, 0.01, 0.2, 0.5),
}
_WORK_HOURS: dict[str, tuple[object, ...]] = {
    "work_start": ("08:00", "10:30"),
    "work_end": ("16:00", "18:15"),
    "work_days": (["mon", "tue", "wed", "thu", "fri", "sat"], ["sun", "mon", "wed"]),
    "work_timezone": ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"),
}


def _spelled(minutes: float) -> tuple[object, ...]:
    """A duration as a caller may write it: a number of minutes, or text in minutes or seconds."""
    return (minutes, f"{minutes:g}m", f"{minutes * 60:g}s")


@st.composite
def param_overrides(draw: st.DrawFn) -> tuple[dict[str, object], dict[str, float]]:
    """Overrides of some shipped params, and the minutes of every duration param under them.

    Every override is a value the param accepts; about half the params are overridden in each.
    """
    overrides: dict[str, object] = {}
    minutes = dict(_SHIPPED)
    for name, choices in _DURATIONS.items():
        if draw(st.booleans()):
            minutes[name] = draw(st.sampled_from(choices))
            overrides[name] = _spelled(minutes[name])[draw(st.integers(0, 2))]
    for name, values in (_FRACTIONS | _WORK_HOURS).items():
        if draw(st.booleans()):
            overrides[name] = draw(st.sampled_from(values))
    return overrides, minutes


@st.composite
def cases(
    draw: st.DrawFn, *, drawn_params: bool = False
) -> tuple[Mapping[str, object], dict[str, Any], datetime]:
    """Params, an incident document with values near their thresholds, and an instant.

    The params are one of :data:`PARAM_SETS`, or with ``drawn_params`` also overrides drawn
    by :func:`param_overrides`.
    """
    overrides, minutes = draw(_ANY_PARAMS if drawn_params else _FIXED_PARAMS)
    document, at = draw(_assessments_under(minutes["change_window"], minutes["rollback_fast_under"]))
    return overrides, document, at


@functools.cache
def _assessments_under(change_window: float, rollback_fast_under: float) -> st.SearchStrategy[Any]:
    """:func:`assessments` around these thresholds, built once: a strategy built per draw is slow."""
    return assessments(change_window=change_window, rollback_fast_under=rollback_fast_under)


def _minutes_of(params: Mapping[str, object]) -> tuple[Mapping[str, object], dict[str, float]]:
    """A param set with the minutes of every duration param under it (written in minutes)."""
    minutes = dict(_SHIPPED)
    for name, value in params.items():
        if name in minutes:
            minutes[name] = float(str(value).removesuffix("m"))
    return params, minutes


_FIXED_PARAMS = st.sampled_from(range(len(PARAM_SETS))).map(lambda index: _minutes_of(PARAM_SETS[index]))
_ANY_PARAMS = st.one_of(_FIXED_PARAMS, param_overrides())

_FLAGS_WORSE_WHEN_TRUE = ("user_facing", "data_loss", "security_breach", "customer_data", "pii_exposed")
_FLAGS_WORSE_WHEN_FALSE = ("workaround", "internal_only")


def _worsenings(impact: Mapping[str, Any]) -> list[str]:
    """The fields of ``impact`` that can still get worse."""
    fields = [flag for flag in _FLAGS_WORSE_WHEN_TRUE if impact.get(flag) is not True]
    fields += [flag for flag in _FLAGS_WORSE_WHEN_FALSE if impact.get(flag) is True]
    if impact["scope"] != SCOPES[-1]:
        fields.append("scope")
    fraction = impact.get("affected_fraction")
    if fraction is not None and fraction < 1:
        fields.append("affected_fraction")
    return fields


@st.composite
def more_impact(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` whose impact is at least as bad in every respect, and worse in one.

    Worse: seen by users, a wider scope, a larger known affected fraction, data lost, security
    breached, customer or personal data involved, no workaround, not only internal tooling.
    Every field drawn really changes; a document already as bad as can be is rejected.
    Everything else, observations included, stays as it is.
    """
    worsenings = _worsenings(document["impact"])
    assume(worsenings)
    impact = dict(document["impact"])
    for field in draw(st.sets(st.sampled_from(worsenings), min_size=1)):
        if field == "scope":
            impact["scope"] = draw(st.sampled_from(SCOPES[SCOPES.index(impact["scope"]) + 1 :]))
        elif field == "affected_fraction":
            low = float(impact["affected_fraction"])
            impact["affected_fraction"] = draw(st.floats(min_value=low, max_value=1, exclude_min=True))
        else:
            impact[field] = field in _FLAGS_WORSE_WHEN_TRUE
    return {**document, "impact": impact}


@st.composite
def impact_pairs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], datetime]:
    """An incident, the same incident with more impact, and an instant."""
    document, at = draw(assessments())
    return document, draw(more_impact(document)), at


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@st.composite
def open_assessments(draw: st.DrawFn) -> tuple[dict[str, Any], datetime]:
    """An incident document and an instant at which no timeline entry says it was resolved."""
    document, at = draw(assessments())
    timeline = document.get("timeline", [])
    kept = [entry for entry in timeline if entry["kind"] != "resolved" or _parse(entry["at"]) > at]
    return {**document, "timeline": kept} if "timeline" in document else document, at


@st.composite
def instant_pairs(draw: st.DrawFn, document: dict[str, Any]) -> tuple[datetime, datetime]:
    """Two instants, the first strictly earlier, within four hours after detection and before the
    first timeline entry that mitigated or resolved the incident.
    """
    detected = _parse(document["detected_at"])
    ends = [_parse(e["at"]) for e in document.get("timeline", []) if e["kind"] in ("mitigated", "resolved")]
    # Whole minutes after detection, strictly before the first end (which counts from its instant).
    room = min([240, *(math.ceil((end - detected) / timedelta(minutes=1)) - 1 for end in ends)])
    assume(room >= 1)
    early, late = sorted(draw(st.lists(st.integers(0, room), min_size=2, max_size=2, unique=True)))
    return detected + timedelta(minutes=early), detected + timedelta(minutes=late)


#: A whole number of weeks to move a record by, either way, never zero.
weeks = st.integers(-5, 5).filter(bool)
