"""The plain-Python baseline: the shipped decisions as if/elif, written from practice.md.

It reads the same typed :class:`~incident_rules.Incident` and the engine's params, derives the
few facts the trees need (practice.md 2, 4, 6) and walks each tree by hand. It makes the
decision values only: no explanations and no deadlines (``due``). This is the cost floor of
making the same decisions, not a second engine. Rulesets it does not know are left out, and
the benchmark says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from incident_rules import Incident

Value = str | frozenset[str] | None
Decided = dict[str, Value]
Tree = Callable[[Incident, Mapping[str, Any], Decided], Value]


def change_correlated(incident: Incident, at: datetime, window_minutes: float) -> bool:
    """Practice.md 6: a change at or before onset within the window, or one marked suspected."""
    onset = incident.onset_at or incident.detected_at
    suspected = False
    for change in incident.signals.changes:
        if change.at > at:
            continue  # not known yet at this instant
        if change.at <= onset and (onset - change.at).total_seconds() <= window_minutes * 60:
            return True
        suspected = suspected or change.suspected
    return suspected


def rollback_safe_and_fast(incident: Incident, fast_under_minutes: float) -> bool:
    """Practice.md 4: possible, keeps data and schema, not a migration bug, under the limit."""
    rollback = incident.rollback
    return (
        rollback is not None
        and rollback.possible
        and not rollback.loses_data
        and not rollback.breaks_schema
        and not rollback.migration_bug
        and rollback.estimated_minutes is not None
        and rollback.estimated_minutes < fast_under_minutes
    )


def blast_radius_growing(incident: Incident, at: datetime, threshold: float) -> bool:
    """Practice.md 2: the affected fraction rose by ``threshold`` from one moment to a later one.

    Fractions are compared as written (rounded to 9 places: 0.25 - 0.20 is 0.05), and two
    observations at the same instant are not growth of each other.
    """
    low, best = None, 0.0
    by_time: dict[datetime, list[float]] = {}
    for observation in incident.impact.observations:
        if observation.at <= at:
            by_time.setdefault(observation.at, []).append(observation.affected_fraction)
    for moment in sorted(by_time):
        fractions = by_time[moment]
        if low is not None:
            best = max(best, round(max(fractions) - low, 9))
        low = min(fractions) if low is None else min(low, *fractions)
    return best > 0 and best >= threshold


def minutes_unmitigated(incident: Incident, at: datetime) -> tuple[bool, float, bool]:
    """Whether mitigated by ``at``, minutes from detection to mitigation (or ``at``), whether resolved."""
    mitigated = resolved = None
    for entry in incident.timeline:
        if entry.at > at:
            continue
        if entry.kind in ("mitigated", "resolved") and (mitigated is None or entry.at < mitigated):
            mitigated = entry.at
        if entry.kind == "resolved":
            resolved = entry.at
    until = mitigated or at
    return (
        mitigated is not None,
        max(0.0, (until - incident.detected_at).total_seconds() / 60),
        resolved is not None,
    )


def severity(incident: Incident, facts: Mapping[str, Any], decided: Decided) -> Value:
    impact = incident.impact
    scope = impact.scope
    if (impact.user_facing and scope == "widespread") or impact.data_loss or impact.security_breach:
        return "SEV1"
    elif impact.internal_only:  # internal tooling stays SEV4 however broad
        return "SEV4"
    elif (
        scope == "partial"
        and impact.affected_fraction is not None
        and impact.affected_fraction > facts["significant_fraction"]
    ):
        return "SEV2"
    elif scope in ("minor", "partial") and impact.workaround:
        return "SEV3"
    elif scope in ("none", "cosmetic"):
        return "SEV4"
    else:  # gaps closed upward (practice.md 7)
        return "SEV2"


def escalations(incident: Incident, facts: Mapping[str, Any], decided: Decided) -> Value:
    # Practice.md 1: escalations are independent, every one that holds applies.
    sev, growing = decided["severity"], facts["growing"]
    paged = set()
    if (
        not facts["mitigated"]
        and facts["minutes_unmitigated"] > facts["leadership_after"]
        and (sev == "SEV1" or (sev == "SEV2" and growing))
    ):
        paged.add("leadership")
    if growing and sev != "SEV1":
        paged.add("raise_severity")
    if incident.impact.customer_data or incident.impact.pii_exposed:
        paged.add("security")
    if incident.impact.pii_exposed:
        paged.add("legal")
    if any(responder.blocked_on_access for responder in incident.responders):
        paged.add("platform")
    return frozenset(paged)


_RAISED = {"SEV2": "SEV1", "SEV3": "SEV2", "SEV4": "SEV3"}


def effective_severity(incident: Incident, facts: Mapping[str, Any], decided: Decided) -> Value:
    escalated = decided["escalations"]
    assert isinstance(escalated, frozenset)
    if "raise_severity" in escalated:
        return _RAISED.get(decided["severity"])  # type: ignore[arg-type]
    return None


def communication(incident: Incident, facts: Mapping[str, Any], decided: Decided) -> Value:
    sev = decided.get("effective_severity") or decided["severity"]
    plan = {"update_content"}
    if sev == "SEV4":
        plan.add("no_active_process")
    elif facts["resolved"]:
        pass  # nothing recurring once resolved
    elif sev == "SEV1":
        plan |= {"status_page", "stakeholder_updates", "executive_summary"}
    elif sev == "SEV2":
        plan |= {"status_page", "stakeholder_updates"}
    elif sev == "SEV3":
        plan.add("team_updates")
        if incident.impact.user_facing:
            plan.add("status_page")
    return frozenset(plan)


def remediation(incident: Incident, facts: Mapping[str, Any], decided: Decided) -> Value:
    rollback = incident.rollback
    if not facts["correlated"]:
        return "not_applicable"  # practice.md 3: nothing to roll back
    elif facts["safe_and_fast"]:
        return "rollback"
    elif rollback is not None and (rollback.loses_data or rollback.breaks_schema):
        return "forward_fix"
    elif rollback is not None and rollback.migration_bug:
        return "compensating_migration"
    elif rollback is not None and not rollback.possible:
        return "forward_fix"
    else:
        return "rollback"


def mitigation(incident: Incident, facts: Mapping[str, Any], decided: Decided) -> Value:
    signals = incident.signals
    exhausted = signals.exhausted_resources
    if facts["correlated"]:
        # practice.md 5: mitigation defers to the rollback tree
        chosen = decided["remediation"]
        return chosen if chosen in ("forward_fix", "compensating_migration") else "rollback"
    elif len(set(signals.dependencies_down)) == 1:
        return "circuit_breaker"
    elif "cpu" in exhausted or "memory" in exhausted or "connections" in exhausted:
        return "scale_out"
    elif signals.data_corruption_suspected:
        return "stop_writes"
    else:
        return "isolate"


#: Each tree the oracle knows: its function, the trees it reads, the derived facts it needs.
TREES: dict[str, tuple[Tree, tuple[str, ...], frozenset[str]]] = {
    "severity": (severity, (), frozenset()),
    "escalations": (escalations, ("severity",), frozenset({"growing", "time"})),
    "effective_severity": (effective_severity, ("severity", "escalations"), frozenset()),
    "communication": (communication, ("severity",), frozenset({"time"})),
    "remediation": (remediation, (), frozenset({"change", "rollback"})),
    "mitigation": (mitigation, ("remediation",), frozenset({"change"})),
}


def known(name: str) -> bool:
    """Whether the oracle can decide the ruleset ``name``."""
    return name in TREES


def make(names: tuple[str, ...], params: Mapping[str, Any]) -> Callable[[Incident, datetime], Decided]:
    """The oracle deciding the rulesets ``names``, in that (settling) order, with ``params``.

    ``names`` should be an engine's rulesets in its order, so a revision (effective severity)
    is decided before the rulesets that read the revised decision, as in the engine.
    """
    unknown = [name for name in names if name not in TREES]
    if unknown:
        raise KeyError(f"no oracle for {', '.join(unknown)}")
    steps = [(name, TREES[name][0]) for name in names]
    needs = frozenset().union(*(TREES[name][2] for name in names))
    window, fast_under = params["change_window"], params["rollback_fast_under"]
    growth = params["blast_radius_growth"]
    constant = {
        "significant_fraction": params["significant_fraction"],
        "leadership_after": params["leadership_after"],
    }

    def decide(incident: Incident, at: datetime) -> Decided:
        facts = dict(constant)
        if "change" in needs:
            facts["correlated"] = change_correlated(incident, at, window)
        if "rollback" in needs:
            facts["safe_and_fast"] = rollback_safe_and_fast(incident, fast_under)
        if "growing" in needs:
            facts["growing"] = blast_radius_growing(incident, at, growth)
        if "time" in needs:
            facts["mitigated"], facts["minutes_unmitigated"], facts["resolved"] = minutes_unmitigated(
                incident, at
            )
        decided: Decided = {}
        for name, tree in steps:
            decided[name] = tree(incident, facts, decided)
        return decided

    return decide


def as_assessed(decided: Decided, revises: Mapping[str, str]) -> Decided:
    """The oracle's decisions keyed as an Assessment keys them: a revision replaces what it revises."""
    shown = dict(decided)
    for name, target in revises.items():
        if name in shown:
            revised = shown.pop(name)
            if revised is not None:
                shown[target] = revised
    return shown


def assessed_values(assessment: Any) -> Decided:
    """The decision values of an :class:`~incident_rules.Assessment`, comparable with the oracle's."""
    values: Decided = {}
    for name, outcome in assessment.decisions.items():
        if isinstance(outcome, tuple):
            values[name] = frozenset(decision.value for decision in outcome)
        else:
            values[name] = outcome.value if outcome is not None else None
    return values
