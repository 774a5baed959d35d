"""JSON Schema (draft 2020-12) of what ``Assessment.to_dict()`` and ``GateResult.to_dict()`` write.

Generated from the output classes by the same walker as the incident schema. An assessment's
decision keys depend on the rulesets: each decision key lists the values its rulesets may
conclude, so a frontend switching on ``severity.value`` sees every spelling it must handle.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from incident_rules._decisions.data import Decision, DueAction
from incident_rules._decisions.gate import GateResult
from incident_rules._decisions.log import DecisionLog
from incident_rules._facts.jsonschema import SchemaBuilder
from incident_rules._rulesets.model import Ruleset

__all__ = ["assessment_schema", "gate_schema"]

_FEATURE = {
    "type": "object",
    "description": "A derived fact: its value at the instant, and the evidence it was derived from.",
    "properties": {"value": {}, "evidence": {"type": "object"}},
    "required": ["value", "evidence"],
    "additionalProperties": False,
}


def _values(name: str, rulesets: Sequence[Ruleset]) -> list[str]:
    """What decision ``name`` may hold: its ruleset's values and those of rulesets revising it."""
    deciding = [ruleset for ruleset in rulesets if name in (ruleset.name, ruleset.revises)]
    return list(dict.fromkeys(value for ruleset in deciding for value in ruleset.values))


def _outcome(builder: SchemaBuilder, ruleset: Ruleset, rulesets: Sequence[Ruleset]) -> dict[str, Any]:
    decision = {**builder.ref(Decision), "properties": {"value": {"enum": _values(ruleset.name, rulesets)}}}
    if ruleset.keeps_every_rule:
        return {"type": "array", "items": decision, "description": f"{ruleset.title}: every rule that held."}
    return {"anyOf": [decision, {"type": "null"}], "description": f"{ruleset.title}: null when no rule held."}


def assessment_schema(rulesets: Sequence[Ruleset], names: Sequence[str]) -> dict[str, Any]:
    """The schema of ``Assessment.to_dict()`` for an engine's rulesets.

    Args:
        rulesets: The engine's deciding rulesets (``Engine.rulesets``).
        names: The decisions an assessment holds, in order (``Engine.decision_names``).

    Returns:
        A draft 2020-12 schema with one key per decision, its values listed.
    """
    builder = SchemaBuilder(output=True)
    by_name = {ruleset.name: ruleset for ruleset in rulesets}
    properties: dict[str, Any] = {
        "incident": {"type": "string", "description": "The incident's id."},
        "at": {**builder.of(datetime), "description": "The instant decided at."},
    }
    properties |= {name: _outcome(builder, by_name[name], rulesets) for name in names}
    properties["due"] = {"type": "array", "items": builder.ref(DueAction)}
    properties["features"] = {"type": "object", "additionalProperties": _FEATURE}
    properties["decision_log"] = builder.ref(DecisionLog)
    root = {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name != "decision_log"],
        "additionalProperties": False,
    }
    description = (
        "Every decision about one incident at one instant, as Assessment.to_dict() and "
        "`incident-rules assess --format json` write it. decision_log (written for every "
        "assessment an engine makes) is what an audit log records: see DecisionLog."
    )
    return builder.document(root, title="assessment", description=description)


def gate_schema() -> dict[str, Any]:
    """The schema of ``GateResult.to_dict()`` (and ``incident-rules check --format json``).

    Returns:
        A draft 2020-12 schema.
    """
    builder = SchemaBuilder(output=True)
    root = builder.ref(GateResult)
    description = (
        "Every finding of the quality gate over one incident record, as GateResult.to_dict() writes it."
    )
    return builder.document(root, title="quality gate result", description=description)
