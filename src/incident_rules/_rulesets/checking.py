"""Checking rules against the fact model and each other: types, params, order, revisions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs
import yaml

from incident_rules._facts.schema import FieldType
from incident_rules._rulesets.expr import Condition, Test, leaves
from incident_rules._rulesets.model import GATE_PREFIX, Rule, Ruleset, RulesetPatch
from incident_rules._rulesets.operators import OPERATORS
from incident_rules._rulesets.params import ParamSpec
from incident_rules._rulesets.yamlfile import Problems, YamlFile
from incident_rules._suggest import did_you_mean

__all__ = ["GATE_PREFIX", "ParsedFile", "check"]

_PARAM_TYPES = {"duration": "number", "fraction": "number", "number": "number", "boolean": "bool"}


@attrs.frozen
class ParsedFile:
    """What one rules file declares, with the YAML nodes of its conditions for positions.

    An ``overrides:`` file has no ruleset of its own but a ``patch``, with the nodes of the
    conditions it writes by rule id (``patch_conditions``); it is applied before checking.
    """

    ruleset: Ruleset | None
    params: tuple[ParamSpec, ...]
    #: Each condition of each rule (``when``, and a check's ``applies``) with its YAML node.
    conditions: tuple[tuple[Rule, Condition, yaml.Node, YamlFile], ...]
    patch: RulesetPatch | None = None
    patch_conditions: tuple[tuple[str, yaml.ScalarNode, YamlFile], ...] = ()


def _upstream(name: str, rulesets: Mapping[str, Ruleset]) -> set[str]:
    """Every ruleset ``name`` uses, directly or not."""
    seen: set[str] = set()
    pending = [name]
    while pending:
        for used in rulesets[pending.pop()].uses:
            if used in rulesets and used not in seen:
                seen.add(used)
                pending.append(used)
    return seen


def _dependencies(rulesets: Mapping[str, Ruleset]) -> dict[str, list[str]]:
    """What each ruleset must come after: what it uses, and the revisions of what it uses.

    A ruleset that uses ``X`` sees ``X`` as revised, unless the revision itself depends on it
    (the escalations that raise severity read the severity before the raise).
    """
    dependencies = {name: list(ruleset.uses) for name, ruleset in rulesets.items()}
    for reviser in rulesets.values():
        if reviser.revises is None:
            continue
        upstream = _upstream(reviser.name, rulesets)
        for other in rulesets.values():
            if reviser.revises in other.uses and other.name != reviser.name and other.name not in upstream:
                dependencies[other.name].append(reviser.name)
    return dependencies


def _order(rulesets: Mapping[str, Ruleset], problems: Problems) -> list[Ruleset]:
    """The rulesets in an order where each comes after every ruleset it depends on."""
    for ruleset in rulesets.values():
        for used in ruleset.uses:
            if used not in rulesets:
                problems.add(
                    ruleset.file, None, f"uses unknown ruleset {used!r}{did_you_mean(used, rulesets)}", 1, 1
                )
            elif rulesets[used].is_gate:
                message = f"uses {used!r}, a quality gate (hit: check): its findings are not decisions"
                problems.add(ruleset.file, None, message, 1, 1)
    dependencies = _dependencies(rulesets)
    ordered: list[Ruleset] = []
    state: dict[str, str] = {}

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = " -> ".join((*chain, name))
            problems.add(
                rulesets[name].file, None, f"rulesets depend on each other in a cycle: {cycle}", 1, 1
            )
            return
        state[name] = "visiting"
        for needed in dependencies[name]:
            if needed in rulesets:
                visit(needed, (*chain, name))
        state[name] = "done"
        ordered.append(rulesets[name])

    for name in rulesets:
        visit(name, ())
    return ordered


def _check_revisions(rulesets: Mapping[str, Ruleset], problems: Problems) -> None:
    for ruleset in rulesets.values():
        target = rulesets.get(ruleset.revises or "")
        if ruleset.revises is None:
            continue
        if target is None:
            problems.add(ruleset.file, None, f"revises unknown ruleset {ruleset.revises!r}", 1, 1)
        elif target.keeps_every_rule or set(ruleset.values) - set(target.values):
            problems.add(
                ruleset.file,
                None,
                f"a revision of {target.name!r} must conclude only its values ({', '.join(target.values)}) "
                "and it cannot revise a collect ruleset",
                1,
                1,
            )


def _type_check(
    test: Test,
    schema: Mapping[str, FieldType],
    params: Mapping[str, ParamSpec],
    rulesets: Iterable[str],
    reads_gate: bool,
) -> str | None:
    """What is wrong with one test, or None."""
    if test.path.startswith(GATE_PREFIX) and not reads_gate:
        return f"{test.path} is about the whole record: only a quality gate (hit: check) reads it"
    field = schema.get(test.path)
    if field is None:
        used = test.path.removeprefix("decisions.")
        if test.path.startswith("decisions.") and used in rulesets:
            return f"{test.path} is not available here: add {used!r} to uses"
        return f"unknown field {test.path!r}{did_you_mean(test.path, schema)}"
    operand = test.operand
    if operand.param is not None:
        spec = params.get(operand.param)
        if spec is None:
            return f"unknown param 'params.{operand.param}'{did_you_mean(operand.param, params)}"
        return _check_param(test, field, spec)
    return _check_literal(test, field, operand.value)


def _operators_for(field: FieldType, shape: str) -> str:
    """The operators taking an operand of ``shape`` that may test ``field``: ``== or !=``."""
    names = [op.name for op in OPERATORS.values() if op.operand == shape and field.kind in op.kinds]
    return " or ".join(names)


def _wrong_kind(test: Test, field: FieldType) -> str:
    return f"{test.path} is {field.describe()}: use {_operators_for(field, 'value')}"


def _check_param(test: Test, field: FieldType, spec: ParamSpec) -> str | None:
    operator = OPERATORS[test.op]
    if operator.operand != "value" or _PARAM_TYPES.get(spec.kind) != field.kind:
        return f"{test.path} is {field.describe()}; cannot compare it with params.{spec.name} ({spec.kind})"
    return None if field.kind in operator.kinds else _wrong_kind(test, field)


def _check_literal(test: Test, field: FieldType, value: Any) -> str | None:
    operator = OPERATORS[test.op]
    if operator.operand == "member":
        if field.kind not in operator.kinds:
            return f"'in {test.path}' needs a set field; {test.path} is {field.describe()}"
        return _check_choice(test, field, value)
    if field.kind == "set":
        return f"{test.path} is {field.describe()}: test it with \"'value' in {test.path}\""
    if operator.operand == "list":
        if not isinstance(value, tuple) or not value:
            return f"'{test.op}' needs a non-empty list of values"
        return next(filter(None, (_check_scalar(test, field, item) for item in value)), None)
    if isinstance(value, tuple):
        listing = " or ".join(repr(op.name) for op in OPERATORS.values() if op.operand == "list")
        return f"a list can only follow {listing} (got {test.op!r})"
    if field.kind not in operator.kinds:
        return _wrong_kind(test, field)
    return _check_scalar(test, field, value)


def _check_scalar(test: Test, field: FieldType, value: Any) -> str | None:
    if field.kind == "bool" and not isinstance(value, bool):
        return f"{test.path} is a boolean; cannot compare it with {value!r}"
    if field.kind == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return f"{test.path} is a number; cannot compare it with {value!r}"
    if field.kind == "enum":
        return _check_choice(test, field, value)
    return None


def _check_choice(test: Test, field: FieldType, value: Any) -> str | None:
    if value in field.choices and isinstance(value, str):
        return None
    hint = did_you_mean(str(value), field.choices)
    return f"{value!r} is not a value of {test.path}{hint or ''}; expected {field.describe()}"


def _due_problems(rule: Rule, params: Mapping[str, ParamSpec]) -> Iterator[str]:
    if rule.due is None:
        return
    for what, operand in (("within", rule.due.within), ("every", rule.due.every)):
        if operand is None or operand.param is None:
            continue
        spec = params.get(operand.param)
        if spec is None:
            yield f"due {what}: unknown param 'params.{operand.param}'{did_you_mean(operand.param, params)}"
        elif spec.kind != "duration":
            yield f"due {what}: params.{operand.param} is a {spec.kind}, not a duration"


def _check_conditions(
    parsed: list[ParsedFile],
    rulesets: Mapping[str, Ruleset],
    base: Mapping[str, FieldType],
    params: Mapping[str, ParamSpec],
    problems: Problems,
) -> None:
    for part in parsed:
        if part.ruleset is None:
            continue
        schema = dict(base)
        schema |= {
            f"decisions.{name}": rulesets[name].decision_type()
            for name in part.ruleset.uses
            if name in rulesets
        }
        for rule, condition, node, file in part.conditions:
            if condition is rule.condition:
                for message in _due_problems(rule, params):
                    problems.add(rule.source.file, None, message, rule.source.line, 1)
            for test in leaves(condition):
                problem = _type_check(test, schema, params, rulesets, part.ruleset.is_gate)
                if problem and isinstance(node, yaml.ScalarNode):
                    line, col = file.expression_position(node, test.line, test.col)
                    problems.add(file.name, None, problem, line, col)


def _unique(items: Iterable[tuple[str, str, int]], what: str, problems: Problems) -> None:
    """Report every repeat of a name at the repeat, naming where it was first seen."""
    seen: dict[str, str] = {}
    for name, file, line in items:
        if name in seen:
            problems.add(file, None, f"duplicate {what} {name!r} (first at {seen[name]})", line, 1)
        seen.setdefault(name, f"{file}:{line}")


def check(
    parsed: list[ParsedFile], schema: Mapping[str, FieldType], problems: Problems
) -> tuple[tuple[Ruleset, ...], dict[str, ParamSpec]]:
    """The rulesets in dependency order and the declared params; problems are added as found."""
    rulesets = {part.ruleset.name: part.ruleset for part in parsed if part.ruleset is not None}
    specs = [spec for part in parsed for spec in part.params]
    params = {spec.name: spec for spec in specs}
    _unique(((s.name, s.source, s.line) for s in specs), "param", problems)
    _unique(((r.name, r.file, 1) for p in parsed if (r := p.ruleset)), "ruleset", problems)
    all_rules = [rule for part in parsed if part.ruleset for rule in part.ruleset.rules]
    _unique(((rule.id, rule.source.file, rule.source.line) for rule in all_rules), "rule id", problems)
    _check_revisions(rulesets, problems)
    ordered = _order(rulesets, problems)
    _check_conditions(parsed, rulesets, schema, params, problems)
    return tuple(ordered), params
