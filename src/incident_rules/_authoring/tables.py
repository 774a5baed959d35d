"""Rulesets and params as plain-text tables, for ``incident-rules rules list|show|params``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from incident_rules._authoring.layers import Loaded, shipped_sources
from incident_rules._rulesets.model import Rule, Ruleset
from incident_rules._rulesets.params import ParamSpec

__all__ = ["params_table", "resolved_condition", "ruleset_table", "rulesets_table", "table"]

_PARAM = re.compile(r"params\.(\w+)")


def resolved_condition(rule: Rule, params: Mapping[str, Any]) -> str:
    """The condition as written on one line, each param followed by the value it has here."""
    text = " ".join(rule.when.split())
    return _PARAM.sub(lambda m: f"{m.group(0)} ({_shown(params.get(m.group(1), '?'))})", text)


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns padded to their widest cell; the last column is not padded."""
    cells = [list(header), *[[_shown(cell) for cell in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header) - 1)]
    lines = [
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]]).rstrip()
        for row in cells
    ]
    return "\n".join(lines) + "\n"


def _origin(ruleset: Ruleset) -> str:
    shipped = {name for name, _ in shipped_sources()}
    if ruleset.file not in shipped:
        return "custom"
    return "shipped" if all(rule.source.file in shipped for rule in ruleset.rules) else "shipped, overridden"


def rulesets_table(loaded: Loaded) -> str:
    """Every ruleset: name, hit policy, rules, what it uses, where it lives, shipped or custom."""
    rows = [
        (
            r.name,
            r.hit + (f", revises {r.revises}" if r.revises else ""),
            len(r.rules),
            ", ".join(u for u in r.uses if u != r.revises) or "-",
            _origin(r),
            r.file,
        )
        for r in loaded.rulesets
    ]
    return table(("ruleset", "hit", "rules", "uses", "origin", "file"), rows)


def ruleset_table(ruleset: Ruleset, params: Mapping[str, Any]) -> str:
    """One ruleset's rules in order: id, outcome, source, condition with params resolved."""
    head = f"{ruleset.name}: {ruleset.title} (hit: {ruleset.hit}; values: {', '.join(ruleset.values)})\n"
    # The condition goes last: it is the long column, and the others stay aligned before it.
    rows = [
        (number, rule.id, rule.then, str(rule.source), resolved_condition(rule, params))
        for number, rule in enumerate(ruleset.rules, 1)
    ]
    return head + table(("#", "rule", "then", "source", "when"), rows)


def params_table(specs: Mapping[str, ParamSpec], values: Mapping[str, Any]) -> str:
    """Every param: type, default, the value in use (marked when overridden), where, what."""
    rows = [
        (
            spec.name,
            spec.kind,
            spec.default,
            _shown(values[name]) + (" (overridden)" if values[name] != spec.default else ""),
            f"{spec.source}:{spec.line}",
            " ".join(spec.description.split()),
        )
        for name, spec in sorted(specs.items())
    ]
    return table(("param", "type", "default", "value", "declared", "description"), rows)
