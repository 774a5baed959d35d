"""Rulesets in layers: the shipped ones first, then the caller's, which add to or override them.

A later layer replaces a ruleset of an earlier one by name (the whole ruleset) and a param by
name; an ``overrides: <ruleset>`` file changes, disables or adds single rules by id. The
shipped params are always the base layer, so a rules file that declares none still runs.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from incident_rules._authoring.cache import cached
from incident_rules._rulesets.files import read_sources
from incident_rules._rulesets.model import Rule, RulePatch, Ruleset, RulesetPatch
from incident_rules._rulesets.params import ParamSpec
from incident_rules._suggest import did_you_mean
from incident_rules.errors import RulesetError

# Reading and checking YAML (and the gate's fact paths, which only checking reads) are imported
# where rules are read: a process whose shipped rules come from the cache never loads them.
if TYPE_CHECKING:
    from incident_rules._facts.schema import FieldType
    from incident_rules._rulesets.checking import ParsedFile
    from incident_rules._rulesets.yamlfile import Problems

__all__ = [
    "Loaded",
    "default_rules_dir",
    "fact_schema",
    "load_layers",
    "load_rules",
    "read_params_file",
    "shipped_sources",
]

Sources = Sequence[tuple[str, str]]


@attrs.frozen
class Loaded:
    """Rulesets in dependency order, the params they may read, and the files they came from."""

    rulesets: tuple[Ruleset, ...]
    params: Mapping[str, ParamSpec]
    files: tuple[str, ...]


def default_rules_dir() -> Path:
    """The directory of the shipped rulesets, ``rules/`` beside the package or in the checkout.

    A wheel ships them inside the package (``incident_rules/rules``); an editable install from
    the checkout runs the package from ``src/``, so they are the checkout's own ``rules/``.
    Either way the directory is named ``rules``, so decision sources read ``rules/<file>:<line>``.
    """
    return shipped_path("rules")


def shipped_path(name: str) -> Path:
    """``name`` as the package ships it (``rules``, ``examples/...``): inside the installed
    package, or in the checkout an editable install runs from."""
    here = Path(__file__).resolve()
    packaged = here.parents[1] / name  # the package's own copy (importlib.resources is slower)
    checkout = here.parents[3] / name
    if not packaged.exists() and checkout.exists():
        return checkout
    return packaged  # when neither exists, reading it names the place it belongs


@functools.cache
def fact_schema() -> dict[str, FieldType]:
    """Every path a condition may read, but the decisions of other rulesets."""
    from incident_rules._facts.schema import incident_paths
    from incident_rules._features import feature_paths
    from incident_rules._gate.features import gate_paths

    return incident_paths() | feature_paths() | gate_paths()


@functools.cache
def shipped_sources() -> tuple[tuple[str, str], ...]:
    """The shipped rules files as ``(display name, text)``; names read ``rules/...``."""
    directory = default_rules_dir()
    return tuple(read_sources([directory], root=directory.parent))


def _replace_by_name(layers: Sequence[list[ParsedFile]]) -> list[ParsedFile]:
    """Every layer's files, less the rulesets and params a later layer declares again."""
    merged: list[ParsedFile] = []
    for depth, layer in enumerate(layers):
        later = [part for deeper in layers[depth + 1 :] for part in deeper]
        rulesets = {part.ruleset.name for part in later if part.ruleset}
        params = {spec.name for part in later for spec in part.params}
        for part in layer:
            keep = part.ruleset if part.ruleset and part.ruleset.name not in rulesets else None
            kept_params = tuple(spec for spec in part.params if spec.name not in params)
            conditions = part.conditions if keep else ()
            merged.append(attrs.evolve(part, ruleset=keep, params=kept_params, conditions=conditions))
    return merged


def _place(rules: list[Rule], rule: Rule, patch: RulePatch, problems: Problems) -> None:
    """Put ``rule`` where ``patch`` says: before or after a named rule, else last."""
    anchor = patch.before or patch.after
    ids = [existing.id for existing in rules]
    if anchor is None:
        rules.append(rule)
    elif anchor not in ids:
        where = "before" if patch.before else "after"
        message = f"{where}: no rule {anchor!r} in this ruleset{did_you_mean(anchor, ids)}"
        problems.add(patch.source.file, None, message, patch.source.line, 1)
        rules.append(rule)
    else:
        rules.insert(ids.index(anchor) + (0 if patch.before else 1), rule)


def _patched_rule(old: Rule | None, patch: RulePatch, problems: Problems) -> Rule | None:
    """The rule ``patch`` makes of ``old`` (None: a new rule), or None when it cannot."""
    if old is None:
        if patch.condition is None or patch.then is None or patch.when is None:
            message = f"no rule {patch.id!r} to change; a new rule needs 'when' and 'then'"
            problems.add(patch.source.file, None, message, patch.source.line, 1)
            return None
        old = Rule(patch.id, patch.id, patch.when, patch.condition, patch.then, patch.source)
    changes: dict[str, Any] = {"source": patch.source}
    for name in ("then", "title", "description", "due"):
        if getattr(patch, name) is not None:
            changes[name] = getattr(patch, name)
    if patch.condition is not None:
        changes |= {"when": patch.when, "condition": patch.condition}
    return attrs.evolve(old, **changes)


def _apply_rule_patch(
    ruleset: Ruleset, rules: list[Rule], patch: RulePatch, problems: Problems
) -> Rule | None:
    """Apply one rule patch to ``rules`` in place; returns the rule it wrote, if any."""
    ids = [rule.id for rule in rules]
    old = rules[ids.index(patch.id)] if patch.id in ids else None
    if not patch.enabled:
        if old is None:
            message = (
                f"enabled: no rule {patch.id!r} in ruleset {ruleset.name!r}{did_you_mean(patch.id, ids)}"
            )
            problems.add(patch.source.file, None, message, patch.source.line, 1)
        else:
            rules.remove(old)
        return None
    new = _patched_rule(old, patch, problems)
    if new is None:
        return None
    if new.then not in ruleset.values:
        hint = did_you_mean(new.then, ruleset.values)
        message = f"then {new.then!r} is not one of the values of {ruleset.name!r}{hint}"
        problems.add(patch.source.file, None, message, patch.source.line, 1)
    if old is not None and patch.before is None and patch.after is None:
        rules[ids.index(patch.id)] = new
        return new
    if old is not None:
        rules.remove(old)
    _place(rules, new, patch, problems)
    return new


def _apply_patch(target: ParsedFile, patching: ParsedFile, problems: Problems) -> ParsedFile:
    """``target`` with the rule changes of the overrides file ``patching`` applied."""
    assert target.ruleset is not None
    assert patching.patch is not None
    rules = list(target.ruleset.rules)
    nodes = {rule_id: (node, file) for rule_id, node, file in patching.patch_conditions}
    old_nodes = {
        rule.id: (node, file)
        for rule, condition, node, file in target.conditions
        if condition is rule.condition
    }
    conditions = list(target.conditions)
    for patch in patching.patch.rules:
        new = _apply_rule_patch(target.ruleset, rules, patch, problems)
        written = nodes.get(patch.id) or old_nodes.get(patch.id)
        if new is not None and written is not None:
            conditions.append((new, new.condition, *written))  # its condition and due are checked as written
    ruleset = attrs.evolve(target.ruleset, rules=tuple(rules))
    return attrs.evolve(target, ruleset=ruleset, conditions=tuple(conditions))


def _apply_patches(parsed: list[ParsedFile], problems: Problems) -> list[ParsedFile]:
    """Every overrides file applied, in reading order, to the ruleset it names."""
    result = [part for part in parsed if part.patch is None]
    for patching in (part for part in parsed if part.patch is not None):
        patch: RulesetPatch = patching.patch  # type: ignore[assignment]  # filtered just above
        names = [part.ruleset.name for part in result if part.ruleset]
        if patch.target not in names:
            message = f"overrides unknown ruleset {patch.target!r}{did_you_mean(patch.target, names)}"
            problems.add(patch.file, None, message, patch.line, 1)
            continue
        index = next(i for i, part in enumerate(result) if part.ruleset and part.ruleset.name == patch.target)
        result[index] = _apply_patch(result[index], patching, problems)
    return result


@functools.cache
def _parsed_shipped() -> tuple[ParsedFile, ...] | None:
    """The shipped files read once per process (None if they have problems: read them again)."""
    from incident_rules._rulesets.reading import parse_sources
    from incident_rules._rulesets.yamlfile import Problems

    problems = Problems()
    parsed = parse_sources(shipped_sources(), problems)
    return None if problems.lines else tuple(parsed)


def _parse(layer: Sources, problems: Problems) -> list[ParsedFile]:
    # Reading YAML with positions is most of the cost of loading: the shipped layer, read
    # under every custom one, is read once. Checking only adds to the problems it is given.
    from incident_rules._rulesets.reading import parse_sources

    if layer is shipped_sources() and (parsed := _parsed_shipped()) is not None:
        return list(parsed)
    return parse_sources(layer, problems)


def load_layers(
    layers: Sequence[Sources], schema: Mapping[str, FieldType], *, rulesets_from: int = 0
) -> Loaded:
    """Read layers of rules files, each adding to and overriding the layers before it.

    Args:
        layers: Each layer's rules files as ``(display name, text)``, the base first.
        schema: The fact paths conditions may read.
        rulesets_from: Layers before this one contribute only their params.

    Raises:
        RulesetError: With every problem of every file, each as ``file:line:col: message``.
    """
    from incident_rules._rulesets.checking import check
    from incident_rules._rulesets.yamlfile import Problems

    problems = Problems()
    parsed = []
    for depth, layer in enumerate(layers):
        read = _parse(layer, problems)
        if depth < rulesets_from:
            read = [attrs.evolve(part, ruleset=None, conditions=(), patch=None) for part in read]
        parsed.append(read)
    merged = _apply_patches(_replace_by_name(parsed), problems)
    rulesets, params = check(merged, schema, problems)
    if problems.lines:
        raise RulesetError(problems.lines)
    files = tuple(name for layer in layers[rulesets_from:] for name, _ in layer)
    return Loaded(rulesets, params, files)


def load_rules(paths: Iterable[Path | str] = (), *, extend: bool = False) -> Loaded:
    """The shipped rules, or the rules at ``paths`` over the shipped params (or rules, ``extend``).

    Raises:
        RulesetError: With every problem of every file.
    """
    paths = tuple(paths)
    if not paths:
        return _shipped_rules()
    return load_sources(read_sources(paths), extend=extend)


def load_sources(sources: Sources, *, extend: bool = False) -> Loaded:
    """The rules files given as ``(display name, text)``, over the shipped params (or rules, ``extend``).

    Raises:
        RulesetError: With every problem of every file.
    """
    return load_layers([shipped_sources(), sources], fact_schema(), rulesets_from=0 if extend else 1)


@functools.cache
def _shipped_rules() -> Loaded:
    """The shipped rulesets, read and checked once per process (and kept on disk, see ``cache``)."""
    sources = shipped_sources()
    return cached("shipped-rules", sources, lambda: load_layers([sources], fact_schema()), Loaded)


def read_params_file(path: Path | str) -> dict[str, Any]:
    """The param overrides in a YAML file: a mapping of param names to values.

    Raises:
        RulesetError: The file cannot be read or is not such a mapping.
    """
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise RulesetError(f"{path}: cannot read params file: {error}") from None
    except yaml.YAMLError as error:
        raise RulesetError(f"{path}: invalid YAML: {error}") from None
    if not isinstance(data, dict) or not all(isinstance(key, str) for key in data):
        raise RulesetError(f"{path}: expected a mapping of param names to values (got {type(data).__name__})")
    return data
