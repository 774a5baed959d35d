"""The decisions practice.md calls for, computed in plain Python: the oracle the engine is held to.

Written from ``practice-source.md`` (the five trees, as IF/ELIF), ``practice.md`` (how we read
them) and the readings the shipped rulesets document next to their rules. It shares nothing with
the library's rule machinery: it reads the document with :meth:`Incident.from_dict`, takes its
thresholds from ``engine.params`` (minutes for durations), and decides everything itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from incident_rules import Change, Impact, Incident, Rollback

__all__ = ["SEVERITY_ORDER", "Expected", "expect"]

#: From the most to the least severe.
SEVERITY_ORDER = ("SEV1", "SEV2", "SEV3", "SEV4")


@attrs.frozen
class Expected:
    """What the practice decides for one incident at one instant."""

    severity: str
    classified: str
    mitigation: str
    remediation: str
    change_correlated: bool
    rollback_safe_and_fast: bool
    blast_radius_growing: bool


def _onset(incident: Incident) -> datetime:
    """practice.md 6: onset defaults to detection."""
    return incident.onset_at if incident.onset_at is not None else incident.detected_at


def _correlates(change: Change, onset: datetime, window: timedelta) -> bool:
    """practice.md 6: at or before onset and at most the window before it, or marked suspected."""
    return change.suspected or (change.at <= onset and onset - change.at <= window)


def change_correlated(incident: Incident, at: datetime, window_minutes: float) -> bool:
    """Whether a change known at ``at`` correlates with the onset."""
    window = timedelta(minutes=window_minutes)
    onset = _onset(incident)
    # Time is an input (practice.md 8): a change recorded after the instant is not known yet.
    return any(_correlates(change, onset, window) for change in incident.signals.changes if change.at <= at)


def rollback_safe_and_fast(rollback: Rollback | None, fast_under_minutes: float) -> bool:
    """practice.md 4: possible, no data lost, schema kept, not a migration bug, under the limit."""
    if rollback is None or rollback.estimated_minutes is None:
        return False
    return (
        rollback.possible
        and not rollback.loses_data
        and not rollback.breaks_schema
        and not rollback.migration_bug
        and rollback.estimated_minutes < fast_under_minutes
    )


def classify(impact: Impact, significant: float) -> str:
    """The severity tree, first match wins, gaps closed upward (practice.md 7)."""
    if (impact.user_facing and impact.scope == "widespread") or impact.data_loss or impact.security_breach:
        return "SEV1"
    # Internal tooling comes before SEV2/SEV3 so more impact never lowers severity (severity.yaml).
    if impact.internal_only:
        return "SEV4"
    # "> 10%" is strict; an unknown share is not significant (severity.yaml).
    if (
        impact.scope == "partial"
        and impact.affected_fraction is not None
        and impact.affected_fraction > significant
    ):
        return "SEV2"
    # A small partial degradation with a workaround reads like a minor feature (severity.yaml).
    if impact.scope in ("minor", "partial") and impact.workaround:
        return "SEV3"
    if impact.scope in ("none", "cosmetic"):
        return "SEV4"
    # Gaps: minor or small partial with no workaround (nearest branch SEV3), and widespread but
    # neither seen by users nor internal (broader than any SEV3): one level above SEV3.
    assert impact.scope in ("minor", "partial", "widespread")
    return "SEV2"


def _decimal(number: float) -> Decimal:
    # The number as the document wrote it: 0.15 - 0.10 is 0.05, not 0.04999999999999999.
    return Decimal(repr(number))


def blast_radius_growing(impact: Impact, at: datetime, growth: float) -> bool:
    """The affected fraction rose by at least ``growth`` from an earlier to a later observation."""
    seen = [observation for observation in impact.observations if observation.at <= at]
    threshold = _decimal(growth)
    for earlier in seen:
        for later in seen:
            rise = _decimal(later.affected_fraction) - _decimal(earlier.affected_fraction)
            if earlier.at < later.at and rise > 0 and rise >= threshold:
                return True
    return False


def raise_one_level(severity: str) -> str:
    """practice.md 2: SEV4 -> SEV3 -> SEV2 -> SEV1; SEV1 stays."""
    return SEVERITY_ORDER[max(0, SEVERITY_ORDER.index(severity) - 1)]


def remediation(correlated: bool, safe_and_fast: bool, rollback: Rollback | None) -> str:
    """The rollback tree, only when a change correlates (practice.md 3)."""
    if not correlated:
        return "not_applicable"
    if safe_and_fast:
        return "rollback"
    if rollback is not None and (rollback.loses_data or rollback.breaks_schema):
        return "forward_fix"
    if rollback is not None and rollback.migration_bug:
        return "compensating_migration"
    # remediation.yaml: a rollback known to be impossible is fixed forward; an unknown one
    # falls to the source's ELSE.
    if rollback is not None and not rollback.possible:
        return "forward_fix"
    return "rollback"


def mitigation(incident: Incident, correlated: bool, remediated: str) -> str:
    """The mitigation tree; a correlated change follows the rollback tree (practice.md 5)."""
    signals = incident.signals
    if correlated:
        return remediated if remediated in ("forward_fix", "compensating_migration") else "rollback"
    if len(set(signals.dependencies_down)) == 1:
        return "circuit_breaker"
    if {"cpu", "memory", "connections"} & set(signals.exhausted_resources):
        return "scale_out"
    if signals.data_corruption_suspected:
        return "stop_writes"
    return "isolate"


def expect(incident: Incident | Mapping[str, Any], at: datetime, params: Mapping[str, Any]) -> Expected:
    """What the practice decides for ``incident`` at instant ``at`` under ``params``."""
    if not isinstance(incident, Incident):
        incident = Incident.from_dict(incident)
    correlated = change_correlated(incident, at, params["change_window"])
    safe_and_fast = rollback_safe_and_fast(incident.rollback, params["rollback_fast_under"])
    remediated = remediation(correlated, safe_and_fast, incident.rollback)
    classified = classify(incident.impact, params["significant_fraction"])
    growing = blast_radius_growing(incident.impact, at, params["blast_radius_growth"])
    return Expected(
        severity=raise_one_level(classified) if growing else classified,
        classified=classified,
        mitigation=mitigation(incident, correlated, remediated),
        remediation=remediated,
        change_correlated=correlated,
        rollback_safe_and_fast=safe_and_fast,
        blast_radius_growing=growing,
    )
