"""Every Hypothesis strategy the tests use, in one place.

- :mod:`.documents`: valid incident documents v1, and a document with an instant to assess it at.
- :mod:`.scenarios`: what a property test is about: params, pairs to compare, instants.
- :mod:`.fuzz`: hostile input: arbitrary JSON and YAML, damaged documents, odd rules files.
- :mod:`.conditions`: condition trees and fact views for the compiled conditions.
"""

from strategies.conditions import (
    HOSTILE,
    comparing_operators,
    comparison,
    condition_facts,
    conditions,
    rule_conditions,
    small_integers,
    value_operators,
)
from strategies.documents import (
    BASE,
    SCOPES,
    assessments,
    fractions,
    incident_documents,
    instants,
    iso,
    zones,
)
from strategies.fuzz import (
    any_json,
    damaged_documents,
    engine_json,
    hostile_documents,
    json_values,
    rules_files,
    yaml_values,
)
from strategies.scenarios import (
    PARAM_SETS,
    cases,
    impact_pairs,
    instant_pairs,
    more_impact,
    open_assessments,
    param_overrides,
    weeks,
)

__all__ = [
    "BASE",
    "HOSTILE",
    "PARAM_SETS",
    "SCOPES",
    "any_json",
    "assessments",
    "cases",
    "comparing_operators",
    "comparison",
    "condition_facts",
    "conditions",
    "damaged_documents",
    "engine_json",
    "fractions",
    "hostile_documents",
    "impact_pairs",
    "incident_documents",
    "instant_pairs",
    "instants",
    "iso",
    "json_values",
    "more_impact",
    "open_assessments",
    "param_overrides",
    "rule_conditions",
    "rules_files",
    "small_integers",
    "value_operators",
    "weeks",
    "yaml_values",
    "zones",
]
