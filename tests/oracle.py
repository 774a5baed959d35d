"""The decisions our practice calls for, computed in plain Python: the oracle the engine is held to.

Written from the practice as received (the five trees, as IF/ELIF), our numbered readings of it
(``docs/practice/readings.md``, cited below as "readings.md N") and the smaller readings the
shipped rulesets document next to their rules. It shares nothing with
the library's rule machinery: it reads the typed :class:`Incident`, takes every threshold from
the params mapping it is given (``engine.params``: minutes for durations), and decides
everything itself. The tests hold the engine to :func:`expect`; the benchmarks time
:func:`make` as the cost floor of making the same decisions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from incident_rules import Impact, Incident, Rollback

__all__ = [
    "SEVERITY_ORDER",
    "Expected",
    "as_assessed",
    "assessed_values",
    "classified",
    "expect",
    "known",
    "make",
]

#: From the most to the least severe.
SEVERITY_ORDER = ("SEV1", "SEV2", "SEV3", "SEV4")

Value = str | frozenset[str] | None
Decided = dict[str, Value]


@attrs.frozen
class Facts:
    """What the trees read besides the document: derived at the instant, and the params."""

    correlated: bool
    safe_and_fast: bool
    growing: bool
    mitigated: bool
    minutes_unmitigated: float
    resolved: bool
    params: Mapping[str, Any]


def change_correlated(incident: Incident, at: datetime, window_minutes: float) -> bool:
    """readings.md 6: a change known at ``at``, at or before onset within the window, or suspected."""
    onset = incident.onset_at if incident.onset_at is not None else incident.detected_at
    window = timedelta(minutes=window_minutes)
    for change in incident.signals.changes:
        # Time is an input (readings.md 8): a change recorded after the instant is not known yet.
        if change.at <= at and (change.suspected or (change.at <= onset and onset - change.at <= window)):
            return True
    return False


def rollback_safe_and_fast(rollback: Rollback | None, fast_under_minutes: float) -> bool:
    """readings.md 4: possible, no data lost, schema kept, not a migration bug, under the limit."""
    if rollback is None or rollback.estimated_minutes is None:
        return False
    harmless = not (rollback.loses_data or rollback.breaks_schema or rollback.migration_bug)
    return rollback.possible and harmless and rollback.estimated_minutes < fast_under_minutes


def _rises_by(later: float, earlier: float, threshold: float) -> bool:
    """Whether ``later`` exceeds ``earlier`` by at least ``threshold``, the numbers as written.

    As written, 0.15 - 0.10 is 0.05, not 0.04999999999999999: decimal arithmetic decides the
    cases binary floating point gets wrong, which are only those within a hair of the threshold.
    """
    rise = later - earlier
    if abs(rise - threshold) > 1e-9:
        return rise > 0 and rise > threshold
    exact = Decimal(repr(later)) - Decimal(repr(earlier))
    return exact > 0 and exact >= Decimal(repr(threshold))


def _multiplied_by(later: float, earlier: float, factor: float) -> bool:
    """readings.md 12: ``later`` is a rise to at least ``factor`` times ``earlier`` (from zero, any rise)."""
    exact_later, exact_earlier = Decimal(repr(later)), Decimal(repr(earlier))
    return exact_later > exact_earlier and exact_later >= exact_earlier * Decimal(repr(factor))


def blast_radius_growing(impact: Impact, at: datetime, growth: float, factor: float) -> bool:
    """The affected fraction rose by ``growth`` points, or ``factor`` times, between observations.

    Observations at one instant are not growth of each other. Both rises into a moment are
    largest from the lowest fraction seen before it, so one pass over the moments finds them.
    """
    by_moment: dict[datetime, list[float]] = {}
    for observation in impact.observations:
        if observation.at <= at:
            by_moment.setdefault(observation.at, []).append(observation.affected_fraction)
    lowest = None
    for moment in sorted(by_moment):
        fractions = by_moment[moment]
        highest = max(fractions)
        if lowest is not None and (
            _rises_by(highest, lowest, growth) or _multiplied_by(highest, lowest, factor)
        ):
            return True
        lowest = min(fractions) if lowest is None else min(lowest, *fractions)
    return False


def _ends(incident: Incident, at: datetime) -> tuple[datetime | None, bool]:
    """When the incident was first mitigated (or resolved) as known at ``at``, and whether it is
    resolved then: a last resolution with no recurrence (``detected``) after it, and no open
    status once ``at`` is past every entry."""
    mitigated, resolved, detected, later = None, None, None, False
    for entry in incident.timeline:
        if entry.at > at:
            later = True
            continue
        if entry.kind in ("mitigated", "resolved"):
            mitigated = entry.at if mitigated is None else min(mitigated, entry.at)
        if entry.kind == "resolved":
            resolved = entry.at if resolved is None else max(resolved, entry.at)
        if entry.kind == "detected":
            detected = entry.at if detected is None else max(detected, entry.at)
    reopened = incident.status not in (None, "resolved") and not later
    return mitigated, resolved is not None and (detected is None or detected <= resolved) and not reopened


def derive(incident: Incident, at: datetime, params: Mapping[str, Any]) -> Facts:
    """The facts the trees read, at instant ``at`` under ``params``."""
    mitigated, resolved = _ends(incident, at)
    unmitigated = ((mitigated or at) - incident.detected_at).total_seconds() / 60
    return Facts(
        correlated=change_correlated(incident, at, params["change_window"]),
        safe_and_fast=rollback_safe_and_fast(incident.rollback, params["rollback_fast_under"]),
        growing=blast_radius_growing(
            incident.impact, at, params["blast_radius_growth"], params["blast_radius_factor"]
        ),
        mitigated=mitigated is not None,
        minutes_unmitigated=max(0.0, unmitigated),
        resolved=resolved,
        params=params,
    )


def severity(incident: Incident, facts: Facts, decided: Decided) -> Value:
    """The severity tree, first match wins, gaps closed upward (readings.md 7)."""
    impact, scope = incident.impact, incident.impact.scope
    if (impact.user_facing and scope == "widespread") or impact.data_loss or impact.security_breach:
        return "SEV1"
    # Internal tooling comes before SEV2/SEV3 so more impact never lowers severity (severity.yaml).
    if impact.internal_only:
        return "SEV4"
    # "> 10%" is strict; an unknown share is not significant (severity.yaml).
    fraction = impact.affected_fraction
    if scope == "partial" and fraction is not None and fraction > facts.params["significant_fraction"]:
        return "SEV2"
    # A small partial degradation with a workaround reads like a minor feature (severity.yaml).
    if scope in ("minor", "partial") and impact.workaround:
        return "SEV3"
    if scope in ("none", "cosmetic"):
        return "SEV4"
    # Gaps: minor or small partial with no workaround (nearest branch SEV3), and widespread but
    # neither seen by users nor internal (broader than any SEV3): one level above SEV3.
    return "SEV2"


def escalations(incident: Incident, facts: Facts, decided: Decided) -> Value:
    """Every escalation that holds applies (readings.md 1), on the classified severity."""
    classified, impact = decided["severity"], incident.impact
    # A SEV2 whose blast radius grows is the SEV1 it is raised to.
    as_sev1 = classified == "SEV1" or (classified == "SEV2" and facts.growing)
    late = facts.minutes_unmitigated > facts.params["leadership_after"]
    held = {
        "leadership": not facts.mitigated and late and as_sev1,
        # readings.md 11: at SEV1 too (the severity stays; the responder pool grows).
        "raise_severity": facts.growing,
        # readings.md 10: any breach, and customer data without one.
        "security": impact.security_breach or impact.customer_data or impact.pii_exposed,
        "legal": impact.pii_exposed,
        "platform": any(responder.blocked_on_access for responder in incident.responders),
    }
    return frozenset(name for name, holds in held.items() if holds)


def effective_severity(incident: Incident, facts: Facts, decided: Decided) -> Value:
    """readings.md 2: one level more severe when escalation raises it; None when not raised.

    At SEV1 the raise expands the responder pool only (readings.md 11): nothing is revised.
    """
    escalated, classified = decided["escalations"], decided["severity"]
    assert isinstance(escalated, frozenset)
    assert isinstance(classified, str)
    if "raise_severity" not in escalated or classified == "SEV1":
        return None
    return SEVERITY_ORDER[max(0, SEVERITY_ORDER.index(classified) - 1)]


def _effective(decided: Decided) -> str:
    effective = decided.get("effective_severity") or decided["severity"]
    assert isinstance(effective, str)
    return effective


def communication(incident: Incident, facts: Facts, decided: Decided) -> Value:
    """Who hears what on the effective severity; nothing recurring once resolved."""
    sev, plan = _effective(decided), {"update_content"}
    if sev == "SEV4":
        plan.add("no_active_process")
    elif facts.resolved:
        pass
    elif sev == "SEV1":
        plan |= {"status_page", "stakeholder_updates", "executive_summary"}
    elif sev == "SEV2":
        plan |= {"status_page", "stakeholder_updates"}
    else:
        plan.add("team_updates")
        if incident.impact.user_facing:
            plan.add("status_page")
    return frozenset(plan)


def remediation(incident: Incident, facts: Facts, decided: Decided) -> Value:
    """The rollback tree, only when a change correlates (readings.md 3)."""
    rollback = incident.rollback
    if not facts.correlated:
        return "not_applicable"
    if facts.safe_and_fast:
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


def mitigation(incident: Incident, facts: Facts, decided: Decided) -> Value:
    """The mitigation tree; a correlated change follows the rollback tree (readings.md 5)."""
    signals = incident.signals
    if facts.correlated:
        chosen = decided["remediation"]
        return chosen if chosen in ("forward_fix", "compensating_migration") else "rollback"
    if len(set(signals.dependencies_down)) == 1:
        return "circuit_breaker"
    if signals.exhausted_resources:  # readings.md 13: any exhausted resource
        return "scale_out"
    if signals.data_corruption_suspected:
        return "stop_writes"
    return "isolate"


Tree = Callable[[Incident, Facts, Decided], Value]

#: Each tree the oracle knows, by ruleset name, in an order that settles what each one reads.
TREES: dict[str, Tree] = {
    "severity": severity,
    "escalations": escalations,
    "effective_severity": effective_severity,
    "communication": communication,
    "remediation": remediation,
    "mitigation": mitigation,
}


def known(name: str) -> bool:
    """Whether the oracle can decide the ruleset ``name``."""
    return name in TREES


def make(names: Iterable[str], params: Mapping[str, Any]) -> Callable[[Incident, datetime], Decided]:
    """The oracle deciding the rulesets ``names``, in that (settling) order, under ``params``.

    ``names`` should be an engine's rulesets in its order, so a revision (effective severity)
    is decided before the rulesets that read the revised decision, as in the engine.

    Raises:
        KeyError: for a ruleset the oracle does not know.
    """
    trees = [(name, TREES[name]) for name in names]

    def decide(incident: Incident, at: datetime) -> Decided:
        return _settle(incident, derive(incident, at, params), trees)

    return decide


def _settle(incident: Incident, facts: Facts, trees: Iterable[tuple[str, Tree]]) -> Decided:
    """Each tree's decision, in order; a tree reads the decisions settled before it."""
    decided: Decided = {}
    for name, tree in trees:
        decided[name] = tree(incident, facts, decided)
    return decided


#: A deadline: the audience that must hear (None: a person to page), the param giving the
#: minutes, whether it recurs after the audience's last update, and whether work time counts.
Schedule = tuple[str | None, str, bool, bool]

#: What each planned action on each effective severity is due by (communication.yaml).
PLAN_SCHEDULES: dict[tuple[str, str], Schedule] = {
    ("SEV1", "status_page"): ("status_page", "sev1_status_page_within", False, False),
    ("SEV1", "stakeholder_updates"): ("stakeholders", "sev1_update_every", True, False),
    ("SEV1", "executive_summary"): ("executives", "sev1_executive_summary_within", False, False),
    ("SEV2", "status_page"): ("status_page", "sev2_status_page_within", False, False),
    ("SEV2", "stakeholder_updates"): ("stakeholders", "sev2_update_every", True, False),
    ("SEV3", "team_updates"): ("team", "sev3_update_every", True, True),
    ("SEV3", "status_page"): ("status_page", "sev3_update_every", False, True),
}

#: What each escalation is due by (escalation.yaml).
ESCALATION_SCHEDULES: dict[str, Schedule] = {"leadership": (None, "leadership_after", False, False)} | {
    name: (None, "escalate_immediately_within", False, False) for name in ("security", "legal", "platform")
}

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _work_day(day: date, params: Mapping[str, Any]) -> tuple[datetime, datetime] | None:
    """When work starts and ends on ``day`` of the work time zone, in UTC; None on a day off."""
    if _WEEKDAYS[day.weekday()] not in params["work_days"]:
        return None
    zone = ZoneInfo(params["work_timezone"])
    start, end = (datetime.combine(day, params[key], tzinfo=zone) for key in ("work_start", "work_end"))
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def after_work_time(start: datetime, minutes: float, params: Mapping[str, Any]) -> datetime:
    """The instant ``minutes`` of working time after ``start``: nights and days off do not count."""
    left, cursor = timedelta(minutes=minutes), start.astimezone(timezone.utc)
    day = cursor.astimezone(ZoneInfo(params["work_timezone"])).date()
    while True:
        hours = _work_day(day, params)
        if hours is not None and max(cursor, hours[0]) < hours[1]:
            begin = max(cursor, hours[0])
            if begin + left <= hours[1]:
                return begin + left
            left -= hours[1] - begin
        day += timedelta(days=1)


def _last_update(incident: Incident, audience: str | None, at: datetime) -> datetime | None:
    times = [u.at for u in incident.updates if audience is not None and u.audience == audience and u.at <= at]
    return max(times, default=None)


def _due_at(
    incident: Incident, at: datetime, schedule: Schedule, params: Mapping[str, Any]
) -> datetime | None:
    """When an action on ``schedule`` is due; None for a one-off post its audience has had."""
    audience, param, recurring, work_time = schedule
    last = _last_update(incident, audience, at)
    if last is not None and not recurring:
        return None
    since = last or incident.detected_at
    if work_time:
        return after_work_time(since, params[param], params)
    return since + timedelta(minutes=params[param])


def deadlines(
    incident: Incident, at: datetime, decided: Decided, params: Mapping[str, Any]
) -> dict[str, datetime]:
    """Every action due at ``at``, by action, from the plan and the escalations decided."""
    plan, escalated, sev = decided["communication"], decided["escalations"], _effective(decided)
    assert isinstance(plan, frozenset)
    assert isinstance(escalated, frozenset)
    schedules = {action: PLAN_SCHEDULES[sev, action] for action in plan if (sev, action) in PLAN_SCHEDULES}
    schedules |= {name: ESCALATION_SCHEDULES[name] for name in escalated if name in ESCALATION_SCHEDULES}
    due = {action: _due_at(incident, at, schedule, params) for action, schedule in schedules.items()}
    return {action: moment for action, moment in due.items() if moment is not None}


@attrs.frozen
class Expected:
    """What the practice decides for one incident at one instant."""

    severity: str
    classified: str
    mitigation: Value
    remediation: Value
    escalations: Value
    communication: Value
    due: dict[str, datetime]
    overdue: frozenset[str]
    change_correlated: bool
    rollback_safe_and_fast: bool
    blast_radius_growing: bool


def expect(incident: Incident | Mapping[str, Any], at: datetime, params: Mapping[str, Any]) -> Expected:
    """What the practice decides for ``incident`` at instant ``at`` under ``params``."""
    if not isinstance(incident, Incident):
        incident = Incident.from_dict(incident)
    facts = derive(incident, at, params)
    decided = _settle(incident, facts, TREES.items())
    classified = decided["severity"]
    assert isinstance(classified, str)
    due = deadlines(incident, at, decided, params)
    return Expected(
        severity=_effective(decided),
        classified=classified,
        mitigation=decided["mitigation"],
        remediation=decided["remediation"],
        escalations=decided["escalations"],
        communication=decided["communication"],
        due=due,
        overdue=frozenset(action for action, moment in due.items() if at > moment),
        change_correlated=facts.correlated,
        rollback_safe_and_fast=facts.safe_and_fast,
        blast_radius_growing=facts.growing,
    )


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


def classified(assessment: Any) -> str:
    """The severity of an Assessment before any raise, as the explanation of the raise names it."""
    severity = assessment.severity
    assert severity is not None
    references = [ref.value for ref in severity.derived_from if ref.ruleset == "severity"]
    return str(references[0] if severity.ruleset == "effective_severity" else severity.value)
