"""Rules files: YAML into the typed rule model, every condition checked at load time.

A rules file holds one ruleset (and may declare params), or only params. Every problem of every
file is collected and raised at once as :class:`~incident_rules.errors.RulesetError`, each
starting with ``file:line:col``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import get_args

import yaml

from incident_rules._facts.schema import FieldType
from incident_rules._facts.types import Audience
from incident_rules._rulesets.checking import ParsedFile, check
from incident_rules._rulesets.expr import Condition, ExprProblem, Operand, parse
from incident_rules._rulesets.files import read_sources
from incident_rules._rulesets.model import (
    CHECK_STATUSES,
    Due,
    Hit,
    Rule,
    RulePatch,
    Ruleset,
    RulesetPatch,
    RuleSource,
)
from incident_rules._rulesets.params import KINDS, ParamSpec, coerce
from incident_rules._rulesets.yamlfile import Problems, YamlFile, compose
from incident_rules._suggest import did_you_mean
from incident_rules.errors import RulesetError

__all__ = ["load_files", "parse_sources", "read_sources"]

_HITS: tuple[str, ...] = get_args(Hit)
_FILE_KEYS = (
    *("ruleset", "title", "description", "hit", "values", "uses", "revises", "params", "rules"),
    "overrides",
)
_RULE_KEYS = ("id", "title", "description", "when", "then", "due", "applies", "enabled")
# An override changes decision rules: a check's `applies` is not among what it may change.
_PATCH_KEYS = (*(key for key in _RULE_KEYS if key != "applies"), "before", "after")
_DUE_KEYS = ("audience", "within", "every", "work_hours")
#: Rule keys only checks have, and keys only decision rules have.
_CHECK_ONLY, _DECISION_ONLY = ("applies",), ("then", "due")
_PARAM_KEYS = ("type", "default", "description")


def _read_params(file: YamlFile, node: yaml.Node) -> Iterator[ParamSpec]:
    if not isinstance(node, yaml.MappingNode):
        file.problem(node, "params must be a mapping of param names to specs")
        return
    for key_node, spec_node in node.value:
        fields = file.mapping(spec_node, _PARAM_KEYS, f"param {key_node.value!r}")
        kind = file.scalar(fields["type"], str, "type") if "type" in fields else None
        if "type" not in fields or "default" not in fields:
            file.problem(spec_node, f"param {key_node.value!r} needs a type and a default")
            continue
        if kind not in KINDS:
            file.problem(fields["type"], f"unknown param type {kind!r}{did_you_mean(str(kind), KINDS)}")
            continue
        try:
            default = coerce(kind, yaml.SafeLoader("").construct_object(fields["default"], deep=True))
        except ValueError as error:
            file.problem(fields["default"], f"default of param {key_node.value!r}: {error}")
            continue
        description = (
            file.scalar(fields["description"], str, "description") if "description" in fields else ""
        )
        yield ParamSpec(
            key_node.value, kind, default, description or "", file.name, key_node.start_mark.line + 1
        )


_AUDIENCES = get_args(Audience)


def _read_duration(file: YamlFile, node: yaml.Node, what: str) -> Operand | None:
    value = file.scalar(node, (str, int, float), what)
    if isinstance(value, str) and value.startswith("params."):
        return Operand(param=value.removeprefix("params."))
    try:
        return Operand(coerce("duration", value), is_duration=True) if value is not None else None
    except ValueError as error:
        file.problem(node, f"{what}: {error}")
        return None


def _read_due(file: YamlFile, node: yaml.Node) -> Due:
    fields = file.mapping(node, _DUE_KEYS, "due")
    audience = file.scalar(fields["audience"], str, "audience") if "audience" in fields else None
    if audience is not None and audience not in _AUDIENCES:
        file.problem(
            fields["audience"], f"audience must be one of {', '.join(_AUDIENCES)} (got {audience!r})"
        )
    within = _read_duration(file, fields["within"], "within") if "within" in fields else None
    every = _read_duration(file, fields["every"], "every") if "every" in fields else None
    if "every" in fields and audience is None:
        file.problem(node, "due with 'every' needs the audience whose last update it counts from")
    work_hours = file.scalar(fields["work_hours"], bool, "work_hours") if "work_hours" in fields else False
    return Due(audience, within, every, bool(work_hours))


def _condition(file: YamlFile, node: yaml.Node, what: str) -> tuple[str, Condition] | None:
    """A condition as written (``true``/``false`` spelled out) and parsed, or None with a problem."""
    written = file.scalar(node, (str, bool), what)
    if written is None or not isinstance(node, yaml.ScalarNode):
        return None
    text = "true" if written is True else "false" if written is False else written
    try:
        return text, parse(text)
    except ExprProblem as problem:
        line, col = file.expression_position(node, problem.line, problem.col)
        file.problems.add(file.name, None, problem.message, line, col)
        return None


def _read_enabled(file: YamlFile, fields: Mapping[str, yaml.Node]) -> bool:
    return file.scalar(fields["enabled"], bool, "enabled") is not False if "enabled" in fields else True


#: What one rule is read into: the rule, the YAML nodes of its conditions, whether it is enabled.
_ReadRule = tuple[Rule, list[tuple[Condition, yaml.Node]], bool]


def _read_rule(file: YamlFile, node: yaml.Node, values: tuple[str, ...], hit: str) -> _ReadRule | None:
    fields = file.mapping(node, _RULE_KEYS, "a rule")
    # A check concludes passed or failed by itself: it names no value.
    required = ("id", "when") if hit == "check" else ("id", "when", "then")
    missing = [key for key in required if key not in fields]
    if missing:
        file.problem(node, f"rule is missing {', '.join(missing)}")
    for key in _DECISION_ONLY if hit == "check" else _CHECK_ONLY:
        if key in fields:
            kind = "a check (hit: check)" if hit == "check" else f"a decision rule (hit: {hit})"
            file.problem(fields[key], f"{key!r} does not belong in {kind}")
    rule_id = file.scalar(fields["id"], str, "id") if "id" in fields else None
    then = file.scalar(fields["then"], str, "then") if "then" in fields else None
    if then is not None and values and then not in values:
        file.problem(
            fields["then"], f"then {then!r} is not one of the ruleset's values{did_you_mean(then, values)}"
        )
    when = _condition(file, fields["when"], "when") if "when" in fields else None
    applies = _condition(file, fields["applies"], "applies") if "applies" in fields else None
    if hit == "check":
        then = CHECK_STATUSES[0]
    if rule_id is None or when is None or then is None or ("applies" in fields and applies is None):
        return None
    title = file.scalar(fields["title"], str, "title") if "title" in fields else rule_id
    description = file.scalar(fields["description"], str, "description") if "description" in fields else ""
    source = RuleSource(file.name, node.start_mark.line + 1)
    due = _read_due(file, fields["due"]) if "due" in fields else None
    rule = Rule(
        rule_id,
        title or rule_id,
        when[0],
        when[1],
        then,
        source,
        description or "",
        due,
        applies[1] if applies else None,
        applies[0] if applies else None,
    )
    nodes = [(when[1], fields["when"])] + ([(applies[1], fields["applies"])] if applies else [])
    return rule, nodes, _read_enabled(file, fields)


def _read_patch_rule(file: YamlFile, node: yaml.Node) -> tuple[RulePatch, yaml.Node | None] | None:
    fields = file.mapping(node, _PATCH_KEYS, "an override of a rule")
    if "id" not in fields:
        file.problem(node, "an override of a rule needs the id of the rule it changes or adds")
        return None
    read = _condition(file, fields["when"], "when") if "when" in fields else None
    if "when" in fields and read is None:
        return None
    text, condition = read if read else (None, None)
    strings = {
        key: file.scalar(fields[key], str, key) if key in fields else None
        for key in ("id", "then", "title", "description", "before", "after")
    }
    if strings["id"] is None:
        return None
    due = _read_due(file, fields["due"]) if "due" in fields else None
    patch = RulePatch(
        strings["id"],
        RuleSource(file.name, node.start_mark.line + 1),
        text,
        condition,
        strings["then"],
        strings["title"],
        strings["description"],
        due,
        _read_enabled(file, fields),
        strings["before"],
        strings["after"],
    )
    return patch, fields.get("when")


def _read_overrides(file: YamlFile, node: yaml.Node, top: Mapping[str, yaml.Node]) -> ParsedFile:
    """An ``overrides: <ruleset>`` file: changes to rules of a ruleset read before it."""
    for key in ("ruleset", "hit", "values", "uses", "revises", "params"):
        if key in top:
            file.problem(top[key], f"an overrides file changes single rules; {key!r} is not allowed in it")
    target = file.scalar(top["overrides"], str, "overrides")
    rule_nodes = top.get("rules")
    if not isinstance(rule_nodes, yaml.SequenceNode) or not rule_nodes.value:
        file.problem(rule_nodes or node, "an overrides file needs a non-empty list of rules")
        return ParsedFile(None, (), ())
    read = [pair for pair in map(lambda n: _read_patch_rule(file, n), rule_nodes.value) if pair]
    patch = RulesetPatch(
        target or "", tuple(p for p, _ in read), file.name, top["overrides"].start_mark.line + 1
    )
    nodes = tuple((p.id, when, file) for p, when in read if isinstance(when, yaml.ScalarNode))
    return ParsedFile(None, (), (), patch, nodes)


def _read_file(file: YamlFile, node: yaml.Node) -> ParsedFile:
    top = file.mapping(node, _FILE_KEYS, "a rules file")
    if "overrides" in top:
        return _read_overrides(file, node, top)
    params = tuple(_read_params(file, top["params"])) if "params" in top else ()
    if "ruleset" not in top:
        if "rules" in top:
            file.problem(node, "a file with rules must name its ruleset")
        return ParsedFile(None, params, ())
    name = file.scalar(top["ruleset"], str, "ruleset")
    hit = file.scalar(top["hit"], str, "hit") if "hit" in top else "first"
    if hit not in _HITS:
        file.problem(top.get("hit"), f"hit must be one of {', '.join(_HITS)} (got {hit!r})")
    values = file.strings(top["values"], "values") if "values" in top else ()
    if hit == "check":
        values = values or CHECK_STATUSES
    if not values:
        file.problem(top.get("values", node), "a ruleset must list the values it may conclude")
    uses = file.strings(top["uses"], "uses") if "uses" in top else ()
    revises = file.scalar(top["revises"], str, "revises") if "revises" in top else None
    if revises is not None and revises not in uses:
        uses = (*uses, revises)  # a revision reads the decision it revises
    if revises is not None and hit != "first":
        file.problem(top["revises"], "a ruleset that revises another must use hit: first")
    rule_nodes = top.get("rules")
    if not isinstance(rule_nodes, yaml.SequenceNode) or not rule_nodes.value:
        file.problem(rule_nodes or node, "a ruleset needs a non-empty list of rules")
        rule_nodes = yaml.SequenceNode("tag:yaml.org,2002:seq", [])
    read = [_read_rule(file, rule_node, values, hit) for rule_node in rule_nodes.value]
    triples = [triple for triple in read if triple is not None]
    # A disabled rule is read and checked like any other, then left out of its ruleset.
    pairs = [(rule, nodes) for rule, nodes, enabled in triples if enabled]
    title = file.scalar(top["title"], str, "title") if "title" in top else name
    description = file.scalar(top["description"], str, "description") if "description" in top else ""
    ruleset = Ruleset(
        name=name or "",
        title=title or name or "",
        hit=hit if hit in _HITS else "first",  # type: ignore[arg-type]  # checked just above
        values=values,
        uses=uses,
        rules=tuple(rule for rule, _ in pairs),
        file=file.name,
        description=description or "",
        revises=revises,
    )
    conditions = tuple(
        (rule, condition, node, file) for rule, nodes, _ in triples for condition, node in nodes
    )
    return ParsedFile(ruleset, params, conditions)


def load_files(
    sources: Iterable[tuple[str, str]], schema: Mapping[str, FieldType]
) -> tuple[tuple[Ruleset, ...], dict[str, ParamSpec]]:
    """Read rules files given as ``(display name, text)``.

    Returns the rulesets in dependency order and the declared params.

    Raises:
        RulesetError: With every problem of every file.
    """
    problems = Problems()
    ordered, params = check(parse_sources(sources, problems), schema, problems)
    if problems.lines:
        raise RulesetError(problems.lines)
    return ordered, params


def parse_sources(sources: Iterable[tuple[str, str]], problems: Problems) -> list[ParsedFile]:
    """Read rules files given as ``(display name, text)``, not yet checked against each other."""
    parsed: list[ParsedFile] = []
    for name, text in sources:
        file = YamlFile(name, text, problems)
        node = compose(file, text)
        if node is not None:
            parsed.append(_read_file(file, node))
    return parsed
