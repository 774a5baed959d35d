"""The incident document reference, generated from the attrs classes of the fact model.

One section per class of the document (in the order a reader meets them, from ``Incident``
down), each field with its type, whether it is required (or its default), its meaning (the
``#:`` comment above it in the source) and what reads it: the shipped rules reading it directly,
and the features derived from it. Then the derived facts themselves, with what they read and
the rules that read them.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, Literal, Union, get_args, get_origin

import attrs
from sphinx.pycode import ModuleAnalyzer

from incident_docs.markdown import Undocumented, code, codes, prose, ref, table, text
from incident_docs.reads import all_rulesets, document_classes, feature_reads, rule_reads
from incident_rules import Rule, Ruleset
from incident_rules._authoring.layers import fact_schema
from incident_rules._facts.types import Fraction

__all__ = ["class_anchor", "document_markdown", "features_markdown", "rules_reading"]


def class_anchor(cls: type) -> str:
    """The target of a document class's section."""
    return f"document-{cls.__name__.lower()}"


def _type(annotation: Any) -> tuple[str, tuple[str, ...]]:
    """How a field's type reads, and its allowed values where it is an enum."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):
        inner = [arg for arg in args if arg is not type(None)]
        if set(inner) == {date, datetime}:
            return "date or time", ()
        shown, choices = _type(inner[0])
        return f"{shown} or null", choices
    if origin is Literal:
        return "enum", tuple(map(str, args))
    if origin is tuple:
        shown, choices = _type(args[0])
        return f"list of {shown}", choices
    if attrs.has(annotation):
        return ref(annotation.__name__, class_anchor(annotation)), ()
    return _SCALARS[annotation], ()


_SCALARS: dict[Any, str] = {
    str: "string",
    bool: "boolean",
    int: "number",
    float: "number",
    Fraction: "number, 0 to 1",
    datetime: "time",
}


def _presence(field: attrs.Attribute[Any]) -> str:
    """**required**, or the default an absent field takes."""
    if field.default is attrs.NOTHING:
        return "**required**"
    default = field.default
    shown = {None: "null", True: "true", False: "false", (): "[]"}.get(default)
    if attrs.has(type(default)):
        shown = "{}"
    return "default " + code(shown if shown is not None else default)


def rules_reading(rules: list[tuple[Ruleset, Rule]]) -> str:
    """The rules, each linked to its ruleset's section."""
    return ", ".join(ref(rule.id, f"ruleset-{ruleset.name}") for ruleset, rule in rules)


def _feature_link(name: str) -> str:
    return ref(name, "document-features" if name.startswith("features.") else "document-gate-facts")


def _read_by(path: str) -> str:
    readers = rule_reads(all_rulesets())
    features = [name for names, paths in feature_reads() if path in paths for name in names]
    parts = [rules_reading(readers[path])] if path in readers else []
    parts += [", ".join(_feature_link(name) for name in features)] if features else []
    return "; ".join(parts)


def _meaning(cls: type, field: attrs.Attribute[Any], choices: tuple[str, ...]) -> str:
    comments = ModuleAnalyzer.for_module(cls.__module__).find_attr_docs()
    written = comments.get((cls.__name__, field.name))
    if not written:
        raise Undocumented(f"{cls.__name__}.{field.name}: no '#:' comment says what the field means")
    comment = prose(" ".join(written))
    values = "One of " + codes(choices) + "." if choices else ""
    return " ".join(part for part in (comment, values) if part)


def _class_section(cls: type, prefix: str) -> Iterator[str]:
    title = code(prefix.rstrip(".")) if prefix else "The document"
    yield f"({class_anchor(cls)})="
    yield f"## {title}: {cls.__name__}"
    yield ""
    yield prose(inspect.cleandoc(cls.__doc__ or "").split("\n\n")[0])
    yield ""
    rows = []
    for field in attrs.fields(attrs.resolve_types(cls)):
        shown, choices = _type(field.type)
        path = prefix + field.name
        rows.append(
            (code(path), f"{shown}, {_presence(field)}", _meaning(cls, field, choices), _read_by(path))
        )
    yield from table(("field", "type", "meaning", "read by"), rows)


def document_markdown() -> list[str]:
    """A section per class of the incident document."""
    lines: list[str] = []
    for cls, prefix in document_classes().items():
        lines += _class_section(cls, prefix)
    return lines


def features_markdown(prefix: str) -> list[str]:
    """The derived facts under ``prefix`` (``features.`` or ``gate.``): type, what reads them."""
    schema = fact_schema()
    readers = rule_reads(all_rulesets())
    rows = []
    for names, paths in feature_reads():
        for name in names:
            if name.startswith(prefix):
                reads = codes(sorted(paths)) + (
                    " (with " + codes(n for n in names if n != name) + ")" if len(names) > 1 else ""
                )
                rows.append(
                    (code(name), text(schema[name].describe()), reads, rules_reading(readers.get(name, [])))
                )
    return table(("fact", "type", "derived from", "read by"), rows)
