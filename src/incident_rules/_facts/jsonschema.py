"""JSON Schema (draft 2020-12) generated from the attrs classes, so it cannot drift from them.

One walker over attrs classes serves the incident document (what :meth:`Incident.from_dict`
accepts) and the output data (what ``to_dict()`` writes). The keys are the converter's: an
attrs class's fields, or its ``__json_keys__`` (properties included, typed by their return
annotation). The enums are the ``Literal`` types of :mod:`incident_rules._facts.types`.

The incident schema accepts a superset of what the converter accepts, by two rules JSON Schema
cannot state: a time or date whose day does not exist in its month (``2025-02-30``,
``2025-02-29``) matches the pattern but is rejected by the parser, and text holding a lone
surrogate (which UTF-8 cannot encode) is a string to the schema but refused by the converter.
Everything else (unknown keys, types, enums, fractions in 0..1, finite numbers, the offset a
time must have, the digits of a time) the schema checks as the converter does.
"""

from __future__ import annotations

import inspect
import re
import sys
import types
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import attrs

from incident_rules._facts.model import Incident
from incident_rules._facts.types import Fraction

__all__ = ["DATE_PATTERN", "DIALECT", "TIME_PATTERN", "SchemaBuilder", "incident_schema"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

# The text isotime.parse_iso_datetime reads, with the ranges it refuses written into the
# pattern (a schema has no parser): ASCII digits only, year 0001 up, month 01-12, day 01-31,
# hours 00-23, minutes and seconds 00-59, and an offset under 24 hours, which is required.
_DAY = r"(?!0000)[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_CLOCK = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.,][0-9]{1,9})?)?"
_OFFSET = r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
# The end of the text: Python's ``$`` (which validators written in Python run) also matches
# before a final line break, which the parser refuses; this lookahead means the same everywhere.
_END = r"(?![\s\S])"
#: A time as documents write it: ISO 8601 extended, with an offset.
TIME_PATTERN = f"^{_DAY}[Tt ]{_CLOCK}{_OFFSET}{_END}"
#: A calendar date, as an action item's ``due`` may be.
DATE_PATTERN = f"^{_DAY}{_END}"

_STRING = {"type": "string"}
# JSON integers have no bound; the converter refuses numbers beyond a float's range.
_NUMBER = {"type": "number", "minimum": -sys.float_info.max, "maximum": sys.float_info.max}
_SCALARS: dict[Any, dict[str, Any]] = {
    str: _STRING,
    bool: {"type": "boolean"},
    int: {"type": "integer"},
    float: _NUMBER,
    Fraction: {**_NUMBER, "minimum": 0, "maximum": 1},
    datetime: {"type": "string", "pattern": TIME_PATTERN},
    date: {"type": "string", "pattern": DATE_PATTERN},
}


def _summary(text: str | None) -> str | None:
    """A docstring as a description: its text before any ``Attributes:``/``Args:`` section."""
    if not text:
        return None
    cleaned = inspect.cleandoc(text)
    return re.split(r"\n\s*(?:Attributes|Args|Returns|Raises):\n", cleaned)[0].strip() or None


def _attribute_docs(cls: type) -> dict[str, str]:
    """The ``Attributes:`` entries of a Google-style class docstring, by name."""
    cleaned = inspect.cleandoc(cls.__doc__ or "")
    section = cleaned.partition("\nAttributes:\n")[2]
    entries = re.findall(r"^    (\w+): (.+(?:\n {8}.+)*)", section, re.MULTILINE)
    return {name: " ".join(text.split()) for name, text in entries}


class SchemaBuilder:
    """Schemas of attrs classes, each class once under ``$defs``.

    Args:
        output: Describe what ``to_dict()`` writes (an absent value is left out, so a key whose
            type may be None is optional and never null) instead of what ``from_dict`` reads
            (a key with a default is optional, and an optional value may be null).
    """

    def __init__(self, *, output: bool) -> None:
        self.output = output
        self.defs: dict[str, dict[str, Any]] = {}

    def ref(self, cls: type) -> dict[str, Any]:
        """A ``$ref`` to the schema of ``cls``, built on first use."""
        if cls.__name__ not in self.defs:
            self.defs[cls.__name__] = {}  # a placeholder, so a class that holds itself stops here
            self.defs[cls.__name__] = self._object(cls)
        return {"$ref": f"#/$defs/{cls.__name__}"}

    def document(self, root: dict[str, Any], *, title: str, description: str) -> dict[str, Any]:
        """A whole schema: the dialect, a title and description, ``root``, and the ``$defs``."""
        return {"$schema": DIALECT, "title": title, "description": description, **root, "$defs": self.defs}

    def _keys(self, cls: type) -> dict[str, Any]:
        """Every JSON key of ``cls`` with its type, in the converter's order."""
        fields = {field.name: field for field in attrs.fields(attrs.resolve_types(cls))}
        names = getattr(cls, "__json_keys__", None) or list(fields)
        typed = {}
        for name in names:
            if name in fields:
                typed[name] = fields[name].type
            else:
                typed[name] = get_type_hints(getattr(cls, name).fget)["return"]
        return typed

    def _required(self, cls: type, name: str, annotation: Any) -> bool:
        if self.output:
            return not _may_be_none(annotation)
        field = attrs.fields_dict(cls).get(name)
        return field is not None and field.default is attrs.NOTHING

    def _object(self, cls: type) -> dict[str, Any]:
        docs = _attribute_docs(cls)
        keys = self._keys(cls)
        properties = {}
        for name, annotation in keys.items():
            schema = self.of(annotation)
            description = docs.get(name) or _property_doc(cls, name)
            properties[name] = {**schema, "description": description} if description else schema
        required = [name for name, annotation in keys.items() if self._required(cls, name, annotation)]
        result: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            result["required"] = required
        result["additionalProperties"] = False
        description = _summary(cls.__doc__)
        return {"description": description, **result} if description else result

    def of(self, annotation: Any) -> dict[str, Any]:
        """The schema of a value of type ``annotation``."""
        if annotation is Any:
            return {}
        if annotation in _SCALARS:
            return dict(_SCALARS[annotation])
        origin, args = get_origin(annotation), get_args(annotation)
        if origin in (Union, types.UnionType):
            return self._union(args)
        if origin is Literal:
            return {"type": "string", "enum": list(args)}
        if origin is tuple:
            return {"type": "array", "items": self.of(args[0])}
        if origin in (dict, Mapping):
            return {"type": "object", "additionalProperties": self.of(args[1]) if args else {}}
        if attrs.has(annotation):
            return self.ref(annotation)
        raise TypeError(f"no JSON Schema for the type {annotation!r}")

    def _union(self, args: tuple[Any, ...]) -> dict[str, Any]:
        # Written out, None is left out: an output never holds null for a field.
        options = [self.of(arg) for arg in args if arg is not type(None)]
        if type(None) in args and not self.output:
            options.append({"type": "null"})
        return options[0] if len(options) == 1 else {"anyOf": options}


def _may_be_none(annotation: Any) -> bool:
    return annotation is Any or type(None) in get_args(annotation)


def _property_doc(cls: type, name: str) -> str | None:
    member = getattr(cls, name, None)
    return _summary(member.__doc__) if isinstance(member, property) else None


def incident_schema() -> dict[str, Any]:
    """The JSON Schema of the incident document v1, as :meth:`Incident.from_dict` reads it.

    Returns:
        A draft 2020-12 schema; it accepts a superset of the valid documents (see the module).
    """
    builder = SchemaBuilder(output=False)
    root = builder.ref(Incident)
    description = (
        "The incident document v1, as incident_rules.Incident.from_dict reads it. Times are "
        "ISO 8601 with an explicit UTC offset. The schema accepts one thing the library refuses: "
        "a date whose day does not exist in its month (2025-02-30)."
    )
    return builder.document(root, title="incident document v1", description=description)
