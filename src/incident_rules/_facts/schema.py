"""What a rule condition may read: every fact path with its type.

Paths come from three places: the incident document (scalars of ``impact``, ``signals``,
``rollback`` and ``status``, derived from the attrs classes so they cannot drift), the derived
``features``, and ``decisions.<ruleset>`` of the rulesets a ruleset ``uses``.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any, Literal, Union, get_args, get_origin

import attrs

from incident_rules._facts.model import Incident
from incident_rules._facts.types import Fraction

__all__ = ["FieldType", "incident_paths", "paths_of"]

Kind = Literal["bool", "number", "enum", "set"]


@attrs.frozen
class FieldType:
    """The type of one fact path: a kind, and for enums and sets the allowed values."""

    kind: Kind
    choices: tuple[str, ...] = ()
    optional: bool = False

    def describe(self) -> str:
        """A short human name for the type, for error messages."""
        if self.kind == "enum":
            return "one of " + ", ".join(self.choices)
        if self.kind == "set":
            return "a set of " + ", ".join(self.choices)
        return {"bool": "a boolean", "number": "a number"}[self.kind]


# Times, strings and lists of records are not compared by rules directly: features derive
# what the policy needs from them, with evidence.
def _field_type(annotation: Any, optional: bool) -> FieldType | None:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        (inner,) = [arg for arg in get_args(annotation) if arg is not type(None)]
        return _field_type(inner, optional=True)
    if annotation is bool:
        return FieldType("bool", optional=optional)
    if annotation in (int, float, Fraction):
        return FieldType("number", optional=optional)
    if origin is Literal:
        return FieldType("enum", get_args(annotation), optional=optional)
    if origin is tuple and get_origin(get_args(annotation)[0]) is Literal:
        return FieldType("set", get_args(get_args(annotation)[0]), optional=optional)
    return None


def _nested_class(annotation: Any) -> tuple[type | None, bool]:
    """The attrs class a field holds directly (maybe optionally), and whether it is optional."""
    if attrs.has(annotation):
        return annotation, False
    if get_origin(annotation) in (Union, types.UnionType):
        args = get_args(annotation)
        classes = [arg for arg in args if attrs.has(arg)]
        if classes:
            return classes[0], type(None) in args
    return None, False


def paths_of(cls: type, prefix: str = "", optional: bool = False) -> Iterator[tuple[str, FieldType]]:
    """Every scalar path of an attrs class, nested single objects included."""
    for field in attrs.fields(attrs.resolve_types(cls)):
        path = f"{prefix}{field.name}"
        nested, nested_optional = _nested_class(field.type)
        if nested is not None:
            yield from paths_of(nested, f"{path}.", optional or nested_optional)
            continue
        field_type = _field_type(field.type, optional)
        if field_type is not None:
            yield path, field_type


def incident_paths() -> dict[str, FieldType]:
    """The paths of the incident document that conditions may read."""
    return dict(paths_of(Incident))
