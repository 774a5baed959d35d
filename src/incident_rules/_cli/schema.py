"""``incident-rules schema``: the JSON Schema of the document or of an output, generated."""

from __future__ import annotations

import json
from typing import Any

import click

from incident_rules._cli.options import EngineChoice, engine_options, examples
from incident_rules._cli.output import emit

__all__ = ["schema"]

_KINDS = ("incident", "assessment", "gate")


def _schema(kind: str, engine: EngineChoice) -> dict[str, Any]:
    if kind == "incident":
        from incident_rules._facts.jsonschema import incident_schema

        return incident_schema()
    from incident_rules._decisions.jsonschema import assessment_schema, gate_schema

    if kind == "gate":
        return gate_schema()
    # The decision keys and their values come from the rulesets, read on the native backend:
    # durable_rules is never loaded for a schema.
    built = EngineChoice(engine.rules, engine.extend, engine.params, engine.params_file, "native").build()
    return assessment_schema(built.rulesets, built.decision_names)


@click.command(
    epilog=examples(
        "incident-rules schema incident > incident.schema.json",
        "incident-rules schema assessment --rules my-rules/ --extend",
    )
)
@click.argument("kind", type=click.Choice(_KINDS))
@engine_options(backend=False)
def schema(kind: str, engine: EngineChoice) -> None:
    """Print the JSON Schema (draft 2020-12) of KIND: the incident document, or the JSON that
    `assess` (assessment) or `check` (gate) writes; assessment lists the decisions of --rules."""
    emit(json.dumps(_schema(kind, engine), indent=2) + "\n", "json")
