"""Rules files: YAML into a typed rule model, every condition checked at load time.

A rules file holds one ruleset (and may declare params), or only params. Every problem of every
file is collected and raised at once as :class:`~incident_rules.errors.RulesetError`, each
starting with ``file:line:col``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, get_args

import attrs
import yaml

from incident_rules._expr import Condition, ExprProblem, Operand, Test, leaves, parse
from incident_rules._facts import Audience
from incident_rules._params import KINDS, ParamSpec, coerce
from incident_rules._schema import FieldType
from incident_rules._suggest import did_you_mean
from incident_rules.errors import RulesetError

__all__ = ["Due", "Hit", "Rule", "RuleSource", "Ruleset", "load_files", "read_sources"]

Hit = Literal["first", "collect", "unique"]
_HITS = ("first", "collect", "unique")
_SAFE_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")}
_FILE_KEYS = ("ruleset", "title", "description", "hit", "values", "uses", "revises", "params", "rules")
_RULE_KEYS = ("id", "title", "description", "when", "then", "due")
_DUE_KEYS = ("audience", "within", "every", "work_hours")
_PARAM_KEYS = ("type", "default", "description")
_PARAM_TYPES = {"duration": "number", "fraction": "number", "number": "number", "boolean": "bool"}


@attrs.frozen
class RuleSource:
    """Where a rule is written: ``file:line``."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@attrs.frozen
class Due:
    """When the action a rule concludes is due.

    ``within``: first due that long after detection; ``every``: due again that long after the
    last update to ``audience``. Both are minutes (or a duration param until bound);
    ``work_hours`` counts only working time.
    """

    audience: str | None = None
    within: Operand | None = None
    every: Operand | None = None
    work_hours: bool = False


@attrs.frozen
class Rule:
    """One rule: when its condition holds, its ruleset concludes ``then``."""

    id: str
    title: str
    when: str
    condition: Condition
    then: str
    source: RuleSource
    description: str = ""
    due: Due | None = None


@attrs.frozen
class Ruleset:
    """A named list of rules with a hit policy, the values it may conclude, and what it uses."""

    name: str
    title: str
    hit: Hit
    values: tuple[str, ...]
    uses: tuple[str, ...]
    rules: tuple[Rule, ...]
    file: str
    description: str = ""
    revises: str | None = None

    def decision_type(self) -> FieldType:
        """The type of ``decisions.<name>`` for the rulesets that use this one."""
        if self.hit == "collect":
            return FieldType("set", self.values)
        return FieldType("enum", self.values, optional=True)


class _Problems:
    """Collects ``file:line:col: message`` lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, file: str, node: yaml.Node | None, message: str, line: int = 0, col: int = 0) -> None:
        if node is not None:
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
        self.lines.append(f"{file}:{line}:{col}: {message}")


class _File:
    """One YAML file being read, with the problems found in it."""

    def __init__(self, name: str, text: str, problems: _Problems) -> None:
        self.name = name
        self.text_lines = text.split("\n")
        self.problems = problems

    def problem(self, node: yaml.Node | None, message: str) -> None:
        self.problems.add(self.name, node, message)

    def mapping(self, node: yaml.Node, allowed: tuple[str, ...], what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping")
            return {}
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in result:
                self.problem(key_node, f"duplicate key {key!r} in {what}")
            elif key not in allowed:
                self.problem(key_node, f"unknown key {key!r} in {what}{did_you_mean(key, allowed)}")
            else:
                result[key] = value_node
        return result

    def scalar(self, node: yaml.Node, kind: type | tuple[type, ...], what: str) -> Any:
        value = yaml.SafeLoader("").construct_object(node) if isinstance(node, yaml.ScalarNode) else node
        if (
            isinstance(node, yaml.ScalarNode)
            and isinstance(value, kind)
            and not (isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)))
        ):
            return value
        self.problem(node, f"{what} must be a {getattr(kind, '__name__', 'scalar')} (got {_show(node)})")
        return None

    def strings(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{what} must be a list")
            return ()
        items = (self.scalar(item, str, f"each item of {what}") for item in node.value)
        return tuple(item for item in items if item is not None)

    def expression_position(self, node: yaml.ScalarNode, line: int, col: int) -> tuple[int, int]:
        """The file position of (line, col) inside the expression held by ``node``."""
        start = node.start_mark
        if node.style in ("|", ">"):
            file_line = start.line + 1 + line  # block content starts on the next line
            text = self.text_lines[file_line - 1] if file_line <= len(self.text_lines) else ""
            return file_line, len(text) - len(text.lstrip()) + col
        quote = 1 if node.style in ('"', "'") else 0
        return start.line + line, start.column + quote + col if line == 1 else col


def _show(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return repr(node.value)
    return "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"


def _check_tags(file: _File, node: yaml.Node) -> bool:
    """Reject any YAML tag beyond plain data: no object construction, ever."""
    if node.tag not in _SAFE_TAGS:
        file.problem(node, f"YAML tag {node.tag!r} is not allowed in a rules file")
        return False
    children: Iterable[yaml.Node] = ()
    if isinstance(node, yaml.SequenceNode):
        children = node.value
    elif isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    return all([_check_tags(file, child) for child in children])


def _compose(file: _File, text: str) -> yaml.Node | None:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        file.problems.add(file.name, None, f"invalid YAML: {error.problem}", line, col)
        return None
    except yaml.YAMLError as error:
        file.problems.add(file.name, None, f"invalid YAML: {error}", 1, 1)
        return None
    if node is None:
        file.problems.add(file.name, None, "empty rules file", 1, 1)
        return None
    return node if _check_tags(file, node) else None


@attrs.frozen
class _Parsed:
    ruleset: Ruleset | None
    params: tuple[ParamSpec, ...]
    conditions: tuple[tuple[Rule, yaml.ScalarNode, _File], ...]


def _read_params(file: _File, node: yaml.Node) -> Iterator[ParamSpec]:
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
        yield ParamSpec(key_node.value, kind, default, description or "", file.name)


_AUDIENCES = get_args(Audience)


def _read_duration(file: _File, node: yaml.Node, what: str) -> Operand | None:
    value = file.scalar(node, (str, int, float), what)
    if isinstance(value, str) and value.startswith("params."):
        return Operand(param=value.removeprefix("params."))
    try:
        return Operand(coerce("duration", value), is_duration=True) if value is not None else None
    except ValueError as error:
        file.problem(node, f"{what}: {error}")
        return None


def _read_due(file: _File, node: yaml.Node) -> Due:
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


def _read_rule(file: _File, node: yaml.Node, values: tuple[str, ...]) -> tuple[Rule, yaml.ScalarNode] | None:
    fields = file.mapping(node, _RULE_KEYS, "a rule")
    missing = [key for key in ("id", "when", "then") if key not in fields]
    if missing:
        file.problem(node, f"rule is missing {', '.join(missing)}")
        return None
    rule_id = file.scalar(fields["id"], str, "id")
    when = file.scalar(fields["when"], (str, bool), "when")
    then = file.scalar(fields["then"], str, "then")
    if then is not None and values and then not in values:
        file.problem(
            fields["then"], f"then {then!r} is not one of the ruleset's values{did_you_mean(then, values)}"
        )
    if rule_id is None or when is None or then is None:
        return None
    text = "true" if when is True else "false" if when is False else when
    try:
        condition = parse(text)
    except ExprProblem as problem:
        line, col = file.expression_position(fields["when"], problem.line, problem.col)
        file.problems.add(file.name, None, problem.message, line, col)
        return None
    title = file.scalar(fields["title"], str, "title") if "title" in fields else rule_id
    description = file.scalar(fields["description"], str, "description") if "description" in fields else ""
    source = RuleSource(file.name, node.start_mark.line + 1)
    due = _read_due(file, fields["due"]) if "due" in fields else None
    rule = Rule(rule_id, title or rule_id, text, condition, then, source, description or "", due)
    return rule, fields["when"]


def _read_file(file: _File, node: yaml.Node) -> _Parsed:
    top = file.mapping(node, _FILE_KEYS, "a rules file")
    params = tuple(_read_params(file, top["params"])) if "params" in top else ()
    if "ruleset" not in top:
        if "rules" in top:
            file.problem(node, "a file with rules must name its ruleset")
        return _Parsed(None, params, ())
    name = file.scalar(top["ruleset"], str, "ruleset")
    hit = file.scalar(top["hit"], str, "hit") if "hit" in top else "first"
    if hit not in _HITS:
        file.problem(top.get("hit"), f"hit must be one of {', '.join(_HITS)} (got {hit!r})")
    values = file.strings(top["values"], "values") if "values" in top else ()
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
    read = [_read_rule(file, rule_node, values) for rule_node in rule_nodes.value]
    pairs = [pair for pair in read if pair is not None]
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
    return _Parsed(ruleset, params, tuple((rule, when, file) for rule, when in pairs))


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


def _order(rulesets: Mapping[str, Ruleset], problems: _Problems) -> list[Ruleset]:
    """The rulesets in an order where each comes after every ruleset it depends on."""
    for ruleset in rulesets.values():
        for used in ruleset.uses:
            if used not in rulesets:
                problems.add(
                    ruleset.file, None, f"uses unknown ruleset {used!r}{did_you_mean(used, rulesets)}", 1, 1
                )
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


def _check_revisions(rulesets: Mapping[str, Ruleset], problems: _Problems) -> None:
    for ruleset in rulesets.values():
        target = rulesets.get(ruleset.revises or "")
        if ruleset.revises is None:
            continue
        if target is None:
            problems.add(ruleset.file, None, f"revises unknown ruleset {ruleset.revises!r}", 1, 1)
        elif target.hit == "collect" or set(ruleset.values) - set(target.values):
            problems.add(
                ruleset.file,
                None,
                f"a revision of {target.name!r} must conclude only its values ({', '.join(target.values)}) "
                "and it cannot revise a collect ruleset",
                1,
                1,
            )


def _type_check(
    test: Test, schema: Mapping[str, FieldType], params: Mapping[str, ParamSpec], rulesets: Iterable[str]
) -> str | None:
    """What is wrong with one test, or None."""
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


def _check_param(test: Test, field: FieldType, spec: ParamSpec) -> str | None:
    if test.op in ("in", "not in", "has") or _PARAM_TYPES.get(spec.kind) != field.kind:
        return f"{test.path} is {field.describe()}; cannot compare it with params.{spec.name} ({spec.kind})"
    if field.kind == "bool" and test.op not in ("==", "!="):
        return f"{test.path} is a boolean: use == or !="
    return None


def _check_literal(test: Test, field: FieldType, value: Any) -> str | None:
    if test.op == "has":
        if field.kind != "set":
            return f"'in {test.path}' needs a set field; {test.path} is {field.describe()}"
        return _check_choice(test, field, value)
    if field.kind == "set":
        return f"{test.path} is {field.describe()}: test it with \"'value' in {test.path}\""
    if test.op in ("in", "not in"):
        if not isinstance(value, tuple) or not value:
            return f"'{test.op}' needs a non-empty list of values"
        return next(filter(None, (_check_scalar(test, field, item) for item in value)), None)
    if isinstance(value, tuple):
        return f"a list can only follow 'in' or 'not in' (got {test.op!r})"
    if field.kind in ("bool", "enum") and test.op not in ("==", "!="):
        return f"{test.path} is {field.describe()}: use == or !="
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
    parsed: list[_Parsed],
    rulesets: Mapping[str, Ruleset],
    base: Mapping[str, FieldType],
    params: Mapping[str, ParamSpec],
    problems: _Problems,
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
        for rule, node, file in part.conditions:
            for message in _due_problems(rule, params):
                problems.add(rule.source.file, None, message, rule.source.line, 1)
            for test in leaves(rule.condition):
                problem = _type_check(test, schema, params, rulesets)
                if problem:
                    line, col = file.expression_position(node, test.line, test.col)
                    problems.add(file.name, None, problem, line, col)


def _unique(items: Iterable[tuple[str, str, str]], what: str, problems: _Problems) -> None:
    seen: dict[str, str] = {}
    for name, file, where in items:
        if name in seen:
            problems.add(file, None, f"duplicate {what} {name!r} (also in {seen[name]})", 1, 1)
        seen.setdefault(name, where)


def load_files(
    sources: Iterable[tuple[str, str]], schema: Mapping[str, FieldType]
) -> tuple[tuple[Ruleset, ...], dict[str, ParamSpec]]:
    """Read rules files given as ``(display name, text)``.

    Returns the rulesets in dependency order and the declared params.

    Raises:
        RulesetError: With every problem of every file.
    """
    problems = _Problems()
    parsed: list[_Parsed] = []
    for name, text in sources:
        file = _File(name, text, problems)
        node = _compose(file, text)
        if node is not None:
            parsed.append(_read_file(file, node))
    rulesets = {part.ruleset.name: part.ruleset for part in parsed if part.ruleset is not None}
    specs = [spec for part in parsed for spec in part.params]
    params = {spec.name: spec for spec in specs}
    _unique(((s.name, s.source, s.source) for s in specs), "param", problems)
    _unique(((r.name, r.file, r.file) for p in parsed if (r := p.ruleset)), "ruleset", problems)
    all_rules = [rule for ruleset in rulesets.values() for rule in ruleset.rules]
    _unique(((rule.id, rule.source.file, str(rule.source)) for rule in all_rules), "rule id", problems)
    _check_revisions(rulesets, problems)
    ordered = _order(rulesets, problems)
    _check_conditions(parsed, rulesets, schema, params, problems)
    if problems.lines:
        raise RulesetError(problems.lines)
    return tuple(ordered), params


def read_sources(paths: Iterable[Path | str], root: Path | None = None) -> list[tuple[str, str]]:
    """``(display name, text)`` of every ``.yaml`` file among ``paths`` (directories expanded)."""
    files: list[Path] = []
    for path in map(Path, paths):
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    sources = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise RulesetError(f"{file}: cannot read rules file: {error}") from None
        display = file.relative_to(root).as_posix() if root else str(file)
        sources.append((display, text))
    if not sources:
        raise RulesetError(f"no rules files found in {', '.join(map(str, paths))}")
    return sources
