"""The rules file reference: keys, hit policies, operators, durations, param kinds and params.

The lists come from the code that reads rules files (``_rulesets/reading.py``), the operator
table (``_rulesets/operators.py``) and the shipped params; only the meaning of each key and hit
policy is written here, and a key or policy the code has but this page does not explain (or the
other way round) fails the build.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import get_args

from incident_docs.markdown import Undocumented, code, codes, table, text
from incident_docs.reads import shipped_engine
from incident_rules._authoring.layers import load_rules
from incident_rules._authoring.tables import _shown
from incident_rules._rulesets import reading
from incident_rules._rulesets.expr import DURATION_UNITS
from incident_rules._rulesets.model import Hit
from incident_rules._rulesets.operators import OPERATORS
from incident_rules._rulesets.params import KINDS

__all__ = ["GENERATORS"]


FILE_KEYS = {
    "ruleset": "The ruleset's name: how other rulesets `uses` it and how decisions name it.",
    "title": "A short title, shown in tables and reports.",
    "description": "What the ruleset decides and why, in prose.",
    "hit": "The hit policy (below). Default `first`.",
    "values": "Every value its rules may conclude; a `then` outside the list is an error.",
    "uses": "The rulesets whose decisions its conditions read as `decisions.<ruleset>`.",
    "revises": "The ruleset whose decision it may change (it must be `hit: first`); it reads "
    "the decision it revises, and later rulesets read the revised one.",
    "params": "Params it declares: a mapping of names to a `type`, a `default` and a `description`.",
    "rules": "The rules, in order (the order matters under `hit: first`).",
    "overrides": "Instead of a ruleset: the name of a ruleset read before, whose single rules "
    "the `rules` of this file change, disable or add, by id.",
}
RULE_KEYS = {
    "id": "Unique id, by convention `<ruleset>.<what>`; decisions and traces name it.",
    "title": "A short title; defaults to the id.",
    "description": "Why the rule says what it says.",
    "when": "The condition (below). `true` is an else branch.",
    "then": "The value it concludes, one of the ruleset's `values` (not in a check).",
    "due": "When the action it concludes is due (below; not in a check).",
    "applies": "Checks only: when the check applies at all; where it does not, it is "
    "`not_applicable` instead of failed.",
    "enabled": "`false` leaves the rule out (it is still read and checked). Default `true`.",
}
PATCH_KEYS = {
    "before": "In an overrides file: place the new or changed rule just before this rule id.",
    "after": "In an overrides file: place it just after this rule id.",
}
DUE_KEYS = {
    "audience": "Whose update it is (`status_page`, `stakeholders`, `executives`, `team`); "
    "needed with `every`.",
    "within": "First due this long after detection: a duration or `params.<name>`.",
    "every": "Due again this long after the last update to `audience`.",
    "work_hours": "Count only working time (`work_start`, `work_end`, `work_days`, `timezone`).",
}
PARAM_KEYS = {
    "type": "The param's kind (below).",
    "default": "Its value unless the engine's caller overrides it.",
    "description": "What it means; shown by `incident-rules rules params`.",
}
HITS = {
    "first": "The first rule that holds, in file order, decides (an if/elif chain). Explanations "
    "say why each earlier rule did not hold.",
    "collect": "Every rule that holds contributes its value (a set, such as the escalations).",
    "unique": "At most one rule may hold; two holding at once is an engine error naming both.",
    "check": "A quality gate: every rule is a check, `passed` when its condition holds, "
    "`failed` when not, `not_applicable` when its `applies` does not hold.",
}


def _explained(keys: Sequence[str], meanings: Mapping[str, str], what: str, column: str = "key") -> list[str]:
    missing, stale = set(keys) - set(meanings), set(meanings) - set(keys)
    if missing or stale:
        raise Undocumented(f"{what}: not explained {sorted(missing)}, no longer read {sorted(stale)}")
    return table((column, "meaning"), [(code(key), meanings[key]) for key in keys])


def file_keys() -> list[str]:
    return _explained(reading._FILE_KEYS, FILE_KEYS, "rules file keys")


def rule_keys() -> list[str]:
    patch_only = tuple(key for key in reading._PATCH_KEYS if key not in reading._RULE_KEYS)
    return [
        *_explained(reading._RULE_KEYS, RULE_KEYS, "rule keys"),
        "In an overrides file a rule takes the same keys but `applies`, and two more:",
        "",
        *_explained(patch_only, PATCH_KEYS, "override keys"),
    ]


def due_keys() -> list[str]:
    return _explained(reading._DUE_KEYS, DUE_KEYS, "due keys")


def param_keys() -> list[str]:
    return _explained(reading._PARAM_KEYS, PARAM_KEYS, "param keys")


def hits() -> list[str]:
    return _explained(get_args(Hit), HITS, "hit policies", column="hit")


def _written(name: str) -> str:
    operator = OPERATORS[name]
    if operator.operand == "member":
        return code('"cpu" in signals.exhausted_resources')
    operand = {"value": "3" if operator.kinds == {"number"} else '"partial"', "list": '["minor", "partial"]'}
    path = "features.dependencies_down" if operator.kinds == {"number"} else "impact.scope"
    return code(f"{path} {name} {operand[operator.operand]}")


def operators() -> list[str]:
    rows = [
        (
            code(name),
            _written(name),
            codes(sorted(operator.kinds)),
            {"value": "one value", "list": "a list of values", "member": "one of the set's choices"}[
                operator.operand
            ],
            code(operator.opposite) if operator.opposite else "-",
        )
        for name, operator in OPERATORS.items()
    ]
    return table(("operator", "written", "field kinds", "compared with", "negation"), rows)


def durations() -> list[str]:
    rows = [(code(f"15{unit}"), text(f"{minutes:g} minutes")) for unit, minutes in DURATION_UNITS.items()]
    return table(("written", "one unit is"), rows)


def param_kinds() -> list[str]:
    return table(
        ("kind", "a value is"), [(code(kind), text(expected)) for kind, (_, expected) in KINDS.items()]
    )


def params() -> list[str]:
    specs = load_rules().params
    rows = [
        (
            code(name),
            code(spec.kind),
            code(_shown(spec.default)),
            f"{code(spec.source)}:{spec.line}",
            text(spec.description),
        )
        for name, spec in sorted(specs.items())
    ]
    return table(("param", "kind", "default", "declared", "meaning"), rows)


def decisions() -> list[str]:
    engine = shipped_engine()
    rows = []
    for ruleset in engine.rulesets:
        key = f"decisions.{ruleset.revises or ruleset.name}"
        shown = ruleset.decision_type()
        rows.append((code(key), code(ruleset.name), text(shown.kind), codes(shown.choices)))
    return table(("path", "set by", "kind", "values"), rows)


GENERATORS: dict[str, object] = {
    "rules-file-keys": file_keys,
    "rule-keys": rule_keys,
    "due-keys": due_keys,
    "param-keys": param_keys,
    "hit-policies": hits,
    "operators": operators,
    "durations": durations,
    "param-kinds": param_kinds,
    "params": params,
    "decision-paths": decisions,
}
