"""The json-logic baseline of issue 13: severity and mitigation as two json-logic trees.

Written for these benchmarks from ``practice.md`` (the same branches as ``oracle.py``), over 11
facts computed beforehand, so the timing is the bare decision: no document parsing, no features,
no explanations, no deadlines. panzi-json-logic (the ``bench`` extra): pure Python 3, no
dependencies, and maintained, unlike json-logic-py and its forks.
"""

from __future__ import annotations

from typing import Any

from json_logic import jsonLogic

from incident_rules import Incident

SIGNIFICANT_FRACTION = 0.1


def _var(name: str) -> dict[str, str]:
    return {"var": name}


SEVERITY: dict[str, Any] = {
    "if": [
        {
            "or": [
                {"and": [_var("user_facing"), {"==": [_var("scope"), "widespread"]}]},
                _var("data_loss"),
                _var("security_breach"),
            ]
        },
        "SEV1",
        _var("internal_only"),
        "SEV4",
        {
            "and": [
                {"==": [_var("scope"), "partial"]},
                {">": [_var("affected_fraction"), SIGNIFICANT_FRACTION]},
            ]
        },
        "SEV2",
        {"and": [{"in": [_var("scope"), ["minor", "partial"]]}, _var("workaround")]},
        "SEV3",
        {"in": [_var("scope"), ["none", "cosmetic"]]},
        "SEV4",
        "SEV2",
    ]
}

MITIGATION: dict[str, Any] = {
    "if": [
        _var("change_correlated"),
        "rollback",
        _var("one_dependency_down"),
        "circuit_breaker",
        _var("resource_exhausted"),
        "scale_out",
        _var("data_corruption_suspected"),
        "stop_writes",
        "isolate",
    ]
}


def facts(incident: Incident, change_correlated: bool) -> dict[str, Any]:
    """The 11 facts the two trees read, computed from an incident."""
    impact, signals = incident.impact, incident.signals
    return {
        "user_facing": impact.user_facing,
        "scope": impact.scope,
        "affected_fraction": impact.affected_fraction if impact.affected_fraction is not None else -1,
        "data_loss": impact.data_loss,
        "security_breach": impact.security_breach,
        "internal_only": impact.internal_only,
        "workaround": impact.workaround,
        "change_correlated": change_correlated,
        "one_dependency_down": len(set(signals.dependencies_down)) == 1,
        "resource_exhausted": bool({"cpu", "memory", "connections"} & set(signals.exhausted_resources)),
        "data_corruption_suspected": signals.data_corruption_suspected,
    }


def decide(facts_of_one: dict[str, Any]) -> tuple[Any, Any]:
    """Both trees on one incident's facts."""
    return jsonLogic(SEVERITY, facts_of_one), jsonLogic(MITIGATION, facts_of_one)
