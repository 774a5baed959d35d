"""Derived facts at an explicit instant, each with the evidence an explanation shows.

Nothing here reads the wall clock: every feature is computed for the instant ``at`` the caller
passes, from what the record knew at that instant (later changes and entries are ignored).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from incident_rules._facts.model import Change, Incident, Observation, Rollback, TimelineEntry, Update
from incident_rules._facts.schema import FieldType

__all__ = [
    "FEATURE_PARAMS",
    "Feature",
    "Registry",
    "compute_features",
    "feature_derivers",
    "feature_paths",
    "latest_updates",
]

#: The params the features read, with the kind each must be declared as.
FEATURE_PARAMS = {
    "change_window": "duration",
    "rollback_fast_under": "duration",
    "blast_radius_growth": "fraction",
    "blast_radius_factor": "number",
}


@attrs.frozen
class Feature:
    """One derived fact: its value and the evidence it was derived from."""

    name: str
    value: Any
    evidence: Mapping[str, Any] = attrs.field(factory=dict)


#: What a feature function returns: ``(value, evidence)`` for each feature it declares.
Derived = tuple[tuple[Any, Mapping[str, Any]], ...]
_C = TypeVar("_C", bound=Callable[..., Derived])


class Registry:
    """Feature functions, in the order their features are listed, with the names and types each
    derives; the names are written only in the ``@registry.derives(...)`` lines."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._derivers: list[tuple[tuple[str, ...], Callable[..., Derived]]] = []
        self._types: dict[str, FieldType] = {}

    def derives(self, **types: FieldType) -> Callable[[_C], _C]:
        """Register a function deriving the features named, of the types given, in that order."""

        def register(compute: _C) -> _C:
            self._derivers.append((tuple(types), compute))
            self._types.update(types)
            return compute

        return register

    def paths(self) -> dict[str, FieldType]:
        """The paths conditions read the features as (``<prefix><name>``), with their types."""
        return {f"{self.prefix}{name}": field for name, field in self._types.items()}

    def derivers(self) -> tuple[tuple[tuple[str, ...], Callable[..., Derived]], ...]:
        """Each feature function with the names of the features it derives, in order."""
        return tuple(self._derivers)

    def compute(self, *inputs: Any) -> dict[str, Feature]:
        """Every feature, keyed by name, from each function called with ``inputs``."""
        features = {}
        for names, compute in self._derivers:
            for name, (value, evidence) in zip(names, compute(*inputs), strict=True):
                features[name] = Feature(name, value, evidence)
        return features


_BOOL, _NUMBER = FieldType("bool"), FieldType("number")
_FEATURES = Registry("features.")
_derives = _FEATURES.derives


def feature_paths() -> dict[str, FieldType]:
    """The ``features.*`` paths conditions may read."""
    return _FEATURES.paths()


def feature_derivers() -> tuple[tuple[tuple[str, ...], Callable[..., Derived]], ...]:
    """The functions deriving the ``features.*`` paths, as :meth:`Registry.derivers` gives them."""
    return _FEATURES.derivers()


def _minutes(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 60


def _correlated_change(incident: Incident, at: datetime, window: float) -> tuple[Change | None, str]:
    """The change that best explains the onset, and why it counts (docs/practice/readings.md#reading-6)."""
    onset = incident.onset
    known = [change for change in incident.signals.changes if change.at <= at]
    in_window = [c for c in known if c.at <= onset and _minutes(onset, c.at) <= window]
    if in_window:
        return max(in_window, key=lambda c: c.at), "within the change window before onset"
    suspected = [c for c in known if c.suspected]
    if suspected:
        return max(suspected, key=lambda c: c.at), "marked suspected by the responders"
    return None, "no change in the window before onset and none marked suspected"


@_derives(change_correlated=_BOOL, change_minutes_before_onset=FieldType("number", optional=True))
def _change(incident: Incident, at: datetime, params: Mapping[str, Any]) -> Derived:
    change, reason = _correlated_change(incident, at, params["change_window"])
    evidence: dict[str, Any] = {
        "onset": incident.onset,
        "onset_from": "onset_at" if incident.onset_at else "detected_at",
        "change_window_minutes": params["change_window"],
        "reason": reason,
    }
    minutes = None
    if change is not None:
        minutes = _minutes(incident.onset, change.at)
        evidence |= {
            "change": " ".join(filter(None, [change.kind, change.ref, change.service])),
            "change_at": change.at,
            "suspected": change.suspected,
        }
    return (change is not None, evidence), (minutes, evidence)


@_derives(rollback_safe_and_fast=_BOOL)
def _rollback(incident: Incident, at: datetime, params: Mapping[str, Any]) -> Derived:
    rollback: Rollback | None = incident.rollback
    limit = params["rollback_fast_under"]
    if rollback is None:
        return ((False, {"rollback": "not described"}),)
    minutes = rollback.estimated_minutes
    checks = {
        "possible": rollback.possible,
        "keeps_data": not rollback.loses_data,
        "keeps_schema": not rollback.breaks_schema,
        "not_a_migration_bug": not rollback.migration_bug,
        "fast": minutes is not None and minutes < limit,
    }
    evidence = {**checks, "estimated_minutes": minutes, "fast_under_minutes": limit}
    return ((all(checks.values()), evidence),)


@_derives(dependencies_down=_NUMBER, resources_exhausted=_NUMBER)
def _pressure(incident: Incident, at: datetime, params: Mapping[str, Any]) -> Derived:
    """How many dependencies are down, and how many kinds of resource are exhausted."""
    dependencies = sorted(set(incident.signals.dependencies_down))
    resources = sorted(set(incident.signals.exhausted_resources))
    return (len(dependencies), {"dependencies": dependencies}), (len(resources), {"resources": resources})


def _first_mitigation(known: list[TimelineEntry]) -> TimelineEntry | None:
    """The first of the entries ``known`` that mitigated (or resolved) it."""
    ends = [entry for entry in known if entry.kind in ("mitigated", "resolved")]
    return min(ends, key=lambda entry: entry.at, default=None)


def _resolution(incident: Incident, known: list[TimelineEntry]) -> tuple[bool, dict[str, Any]]:
    """Whether the incident is resolved, given the timeline entries ``known`` by then, and why.

    The timeline decides: resolved when its latest ``resolved`` entry in ``known`` has no
    ``detected`` entry after it (one after it is a recurrence). The record's ``status`` is as of
    its latest entry, and has no time of its own: at or after every entry, a status other than
    ``resolved`` reopens it; a ``resolved`` status without a ``resolved`` entry is not enough.
    """
    resolved_at = max((entry.at for entry in known if entry.kind == "resolved"), default=None)
    recurred = [
        entry.at for entry in known if resolved_at and entry.kind == "detected" and entry.at > resolved_at
    ]
    evidence = {
        "resolved_at": resolved_at,
        "recurred_at": min(recurred, default=None),
        "status": incident.status,
    }
    reopened = incident.status not in (None, "resolved") and len(known) == len(incident.timeline)
    return resolved_at is not None and not recurred and not reopened, evidence


@_derives(minutes_since_detection=_NUMBER, mitigated=_BOOL, minutes_unmitigated=_NUMBER, resolved=_BOOL)
def _time(incident: Incident, at: datetime, params: Mapping[str, Any]) -> Derived:
    detected = incident.detected_at
    known = [entry for entry in incident.timeline if entry.at <= at]  # read once for both
    mitigation = _first_mitigation(known)
    unmitigated_until = mitigation.at if mitigation else at
    detection = {"detected_at": detected, "at": at}
    mitigation_evidence = {
        **detection,
        "mitigated_at": mitigation.at if mitigation else None,
        "entry": mitigation.kind if mitigation else "no mitigated or resolved entry by then",
    }
    return (
        (_minutes(at, detected), detection),
        (mitigation is not None, mitigation_evidence),
        (max(0.0, _minutes(unmitigated_until, detected)), mitigation_evidence),
        _resolution(incident, known),
    )


def _decimal(number: float) -> Decimal:
    """The fraction as written: 0.25 - 0.20 is exactly 0.05, as a reader expects."""
    return Decimal(repr(number))


@functools.lru_cache(maxsize=64)
def _decimal_param(number: float) -> Decimal:
    """A threshold param as :func:`_decimal` reads it, worked out once per value: ``2`` and
    ``2.0`` (or ``0.0`` and ``-0.0``) share an entry, and compare and multiply alike."""
    return _decimal(number)


#: A growth: the earlier observation, the later one, and the test that made it grow.
_Growth = tuple[Observation, Observation, str]


def _grows(earlier: Decimal, later: Decimal, points: Decimal, factor: Decimal) -> str | None:
    """Which test makes ``earlier`` to ``later`` a growth (``points`` first), or None."""
    if later <= earlier:
        return None
    if later - earlier >= points:
        return "points"
    return "factor" if later >= earlier * factor else None  # from zero, any rise


def _growth_pair(observations: list[Observation], points: Decimal, factor: Decimal) -> _Growth | None:
    """The first later observation that grew from the lowest before it, and the test it passed.

    Against one later observation both tests are easiest to pass from the lowest earlier one,
    so only that one is compared. Observations at the same instant are not growth of each other.
    """
    lowest: tuple[Decimal, Observation] | None = None
    for _, group in itertools.groupby(observations, key=lambda o: o.at):
        moment = [(_decimal(o.affected_fraction), o) for o in group]
        if lowest is not None:
            for fraction, observation in moment:
                test = _grows(lowest[0], fraction, points, factor)
                if test is not None:
                    return lowest[1], observation, test
        least = min(moment, key=lambda item: item[0])
        if lowest is None or least[0] < lowest[0]:
            lowest = least
    return None


def _shown(observation: Observation) -> str:
    return f"{observation.affected_fraction:g} at {observation.at.isoformat()}"


@_derives(blast_radius_growing=_BOOL)
def _growth(incident: Incident, at: datetime, params: Mapping[str, Any]) -> Derived:
    """Whether the affected fraction ever grew between observations (docs/practice/readings.md#reading-12).

    It grew when a later observation is at least ``blast_radius_growth`` points above an
    earlier one, or at least ``blast_radius_factor`` times it. Growth is remembered once seen,
    so escalations never shrink while the incident goes on.
    """
    points, factor = params["blast_radius_growth"], params["blast_radius_factor"]
    observations = sorted((o for o in incident.impact.observations if o.at <= at), key=lambda o: o.at)
    evidence: dict[str, Any] = {
        "observations": len(observations),
        "growth_threshold": points,
        "growth_factor": factor,
    }
    # Growth needs two observations: most records have fewer, and need no Decimal arithmetic.
    pair = (
        _growth_pair(observations, _decimal_param(points), _decimal_param(factor))
        if len(observations) > 1
        else None
    )
    if pair is not None:
        earlier, later, test = pair
        growth = _decimal(later.affected_fraction) - _decimal(earlier.affected_fraction)
        evidence |= {"from": _shown(earlier), "to": _shown(later), "growth": float(growth), "by": test}
    return ((pair is not None, evidence),)


def latest_updates(incident: Incident, at: datetime) -> dict[str, Update]:
    """The latest update each audience had received by ``at``."""
    latest: dict[str, Update] = {}
    for update in incident.updates:
        if update.at <= at:
            known = latest.get(update.audience)
            if known is None or update.at > known.at:
                latest[update.audience] = update
    return latest


@_derives(customer_data_involved=_BOOL, responders_blocked=_NUMBER, updates_posted=_NUMBER)
def _people(incident: Incident, at: datetime, params: Mapping[str, Any]) -> Derived:
    impact = incident.impact
    # One person listed twice is one person blocked.
    blocked = sorted({responder.handle for responder in incident.responders if responder.blocked_on_access})
    posted = sum(1 for update in incident.updates if update.at <= at)
    latest = sorted(latest_updates(incident, at).values(), key=lambda update: (update.at, update.audience))
    return (
        (
            impact.customer_data or impact.pii_exposed,
            {"customer_data": impact.customer_data, "pii_exposed": impact.pii_exposed},
        ),
        (len(blocked), {"blocked": blocked}),
        (posted, {f"last_{update.audience}": update.at for update in latest}),
    )


def compute_features(incident: Incident, at: datetime, params: Mapping[str, Any]) -> dict[str, Feature]:
    """Every feature of ``incident`` at instant ``at``, keyed by name."""
    return _FEATURES.compute(incident, at, params)
