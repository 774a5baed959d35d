"""A fast path for structuring valid incident documents, with the strict converter behind it.

For each attrs class of the document a structure function is generated once from its fields: the
same checks as the strict converter of :mod:`incident_rules._facts.convert` (exact types, no bool
for a number, no lone surrogate in a text, finite numbers, fractions in 0..1, enum values, times
with an offset, no unknown or missing keys), written inline as plain Python, without cattrs'
per-field dispatch and without collecting errors. The first failed check gives up, and the
document goes to the strict converter, which reports every problem with its path: a valid
document costs a few checks per field, an invalid one costs both passes. A property test holds
the two paths to the same accepted documents and equal results.

The generated source is registered in :mod:`linecache`, so a traceback inside it shows real lines.
"""

from __future__ import annotations

import functools
import itertools
import linecache
import math
import operator
import re
import sys
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

import attrs

from incident_rules._diskcache import COMPILED
from incident_rules._facts.convert import has_lone_surrogate, parse_date_or_time, parse_time, structure
from incident_rules._facts.model import Incident, values_checked
from incident_rules._facts.types import Fraction

__all__ = ["fast_path_only", "incident_from_document", "structure_fast"]

T = TypeVar("T")


#: The shape nearly every document writes its times in, which ``datetime.fromisoformat`` (in C,
#: about 15x faster than the strict parser here) reads as the strict parser does on every
#: supported Python once ``Z`` is spelled ``+00:00`` (3.10 knows no ``Z``): no hour 24, no
#: second 60, three or six digits of fraction (all 3.10 reads), an offset under 24 hours.
_COMMON_TIME = re.compile(
    r"\d{4}-\d\d-\d\dT(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{3}|\.\d{6})?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)
_from_iso = datetime.fromisoformat


class _GiveUp(Exception):
    """A check of the fast path failed: the strict converter decides and explains."""


#: Whether ``datetime.fromisoformat`` reads a trailing ``Z`` (3.11+): then no text is rebuilt.
_READS_Z = sys.version_info >= (3, 11)


class _Generator:
    """Writes one structure function per attrs class into a shared namespace."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "GiveUp": _GiveUp,
            "Mapping": Mapping,
            "isfinite": math.isfinite,
            "has_lone_surrogate": has_lone_surrogate,
            "common_time": _COMMON_TIME.fullmatch,
            "from_iso": _from_iso,
            "parse_time": parse_time,
            "parse_date_or_time": parse_date_or_time,
        }
        self.functions: dict[type, str] = {}
        self.lines: list[str] = []
        self._names = itertools.count()

    def constant(self, value: object) -> str:
        name = f"c{next(self._names)}"
        self.namespace[name] = value
        return name

    def function_for(self, cls: type) -> str:
        if cls not in self.functions:
            self.functions[cls] = f"structure_{cls.__name__}"
            self._write_class(cls)
        return self.functions[cls]

    def _write_class(self, cls: type) -> None:
        hints = typing.get_type_hints(cls)
        fields = attrs.fields(cls)
        body = [
            # A dict is checked by type first: the ABC check alone costs more than the rest.
            "if type(d) is not dict and not isinstance(d, Mapping): raise GiveUp",
            f"if not {self.constant(frozenset(f.name for f in fields))}.issuperset(d): raise GiveUp",
        ]
        for field in fields:
            body += self._field(field, hints[field.name])
        arguments = ", ".join(f"f_{field.name}" for field in fields)
        self.namespace[cls.__name__] = cls
        self.lines += [f"def {self.functions[cls]}(d):", *(f"    {line}" for line in body)]
        self.lines += [f"    return {cls.__name__}({arguments})", ""]

    def _field(self, field: attrs.Attribute[Any], annotation: Any) -> list[str]:
        target = f"f_{field.name}"
        if field.default is attrs.NOTHING:
            return [f"{target} = d[{field.name!r}]", *self.check(annotation, target)]
        assert not isinstance(field.default, attrs.Factory)  # type: ignore[arg-type]  # shared defaults only
        if field.default is None and _allows_none(annotation):
            # Absent and null are the same None: one get, no sentinel.
            return [f"{target} = d.get({field.name!r})", *self.check(annotation, target)]
        if field.default is False and annotation is bool:
            return [f"{target} = d.get({field.name!r}, False)", *self.check(bool, target)]
        default = self.constant(field.default)
        inner = self.check(annotation, target)
        return [
            f"{target} = d.get({field.name!r}, {default})",
            f"if {target} is not {default}:",
            *(f"    {line}" for line in inner or ["pass"]),
        ]

    def check(self, annotation: Any, var: str) -> list[str]:
        """Lines that check ``var`` against ``annotation``, converting it in place."""
        if _allows_none(annotation):
            lines = self.check(_without_none(annotation), var)
            return [f"if {var} is not None:", *(f"    {line}" for line in lines)] if lines else []
        if get_origin(annotation) is tuple:
            return self._tuple(get_args(annotation)[0], var)
        if get_origin(annotation) is Literal:
            # Only a str equals a choice; a value that cannot be hashed (a list) raises TypeError,
            # which gives up like any failed check.
            return [f"if {var} not in {self.constant(frozenset(get_args(annotation)))}: raise GiveUp"]
        if attrs.has(annotation):
            return [f"{var} = {self.function_for(annotation)}({var})"]
        return _SCALARS[annotation](var)

    def _tuple(self, item_type: Any, var: str) -> list[str]:
        item = f"x{next(self._names)}"
        head = f"if not isinstance({var}, (list, tuple)): raise GiveUp"
        if attrs.has(item_type):  # each item becomes an object: one call per item, no appends
            return [head, f"{var} = tuple([{self.function_for(item_type)}({item}) for {item} in {var}])"]
        checks = self.check(item_type, item)
        if any(re.search(rf"\b{item} = ", line) for line in checks):  # an item converted, not kept
            raise TypeError(
                f"fast structuring: tuple items of {item_type!r} are converted; give it a function"
            )
        return [head, f"for {item} in {var}:", *(f"    {line}" for line in checks), f"{var} = tuple({var})"]


def _allows_none(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)


def _number(var: str) -> list[str]:
    return [
        f"if isinstance({var}, bool) or not isinstance({var}, (int, float)) or not isfinite({var}):",
        "    raise GiveUp",
    ]


#: Where ``2025-06-15T14:23:00Z``, the shape nearly every time is written in, has its separators:
#: every third character from the fifth, ``--T::Z``.
_UTC_SEPARATORS = "--T::Z"


def _time(var: str) -> list[str]:
    # First the twenty characters of 2025-06-15T14:23:00Z, told by their length and separators
    # alone (a slice and a compare, a third of the regex's time): between those separators
    # fromisoformat takes only ASCII digits and checks the ranges as the strict parser does.
    # Then the other common shapes (fractions, offsets) by the regex; the rest by the strict
    # parser. A common shape naming no real day (02-30) raises ValueError: that gives up. Hour
    # 24 goes to the regex (which refuses it): fromisoformat reads 24:00 as the next midnight
    # on newer Pythons, and the strict parser does not.
    # The property test of the times holds all three to the strict parser on every Python.
    utc = var if _READS_Z else f"{var}[:-1] + '+00:00'"
    text = var if _READS_Z else f"{var}[:-1] + '+00:00' if {var}[-1] == 'Z' else {var}"
    return [
        f"if type({var}) is str and len({var}) == 20 and {var}[4::3] == {_UTC_SEPARATORS!r} "
        f"and {var}[11:13] < '24':",
        f"    {var} = from_iso({utc})",
        f"elif type({var}) is str and common_time({var}): {var} = from_iso({text})",
        f"else: {var} = parse_time({var})",
    ]


_SCALARS: dict[Any, Callable[[str], list[str]]] = {
    # Only a text that is not ASCII can hold a surrogate: most skip the scan.
    str: lambda var: [
        f"if not isinstance({var}, str) or not {var}.isascii() and has_lone_surrogate({var}): raise GiveUp"
    ],
    # A bool is exactly one of two objects: no call needed.
    bool: lambda var: [f"if {var} is not True and {var} is not False: raise GiveUp"],
    int: lambda var: [f"if isinstance({var}, bool) or not isinstance({var}, int): raise GiveUp"],
    float: _number,
    Fraction: lambda var: [*_number(var), f"if not 0 <= {var} <= 1: raise GiveUp"],
    # The strict converter's own parsers, so both paths read exactly the same times.
    datetime: _time,
    date | datetime: lambda var: [f"{var} = parse_date_or_time({var})"],
}


def _without_none(annotation: Any) -> Any:
    """``X`` of ``X | None``; ``X | Y`` of ``X | Y | None``."""
    inner = [arg for arg in get_args(annotation) if arg is not type(None)]
    return inner[0] if len(inner) == 1 else functools.reduce(operator.or_, inner)


def _compile(cls: type) -> Any:
    generator = _Generator()
    entry = generator.function_for(cls)
    source = "\n".join(generator.lines)
    filename = f"<incident_rules fast structure of {cls.__name__}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(COMPILED.code(source, filename), generator.namespace)  # noqa: S102 -- our own generated code
    return generator.namespace[entry]


_STRUCTURE: dict[type, Any] = {}


def fast_path_only(document: object, cls: type[T]) -> T | None:
    """``document`` as ``cls`` by the fast path alone; None where it gives up."""
    function = _STRUCTURE.get(cls)
    if function is None:
        function = _STRUCTURE[cls] = _compile(cls)
    try:
        # The generated checks are the converter's (property-tested): not checked again.
        with values_checked():
            result: T = function(document)
    except MemoryError:
        raise  # out of memory is no failed check: the strict path would only run out again
    except Exception:  # noqa: BLE001 -- any failed check: the caller asks the strict path
        return None
    return result


def structure_fast(document: object, cls: type[T]) -> T:
    """``document`` as ``cls``: the fast path, or the strict converter's answer or error report.

    Raises:
        InvalidIncident: With every problem of the document, from the strict converter.
    """
    result = fast_path_only(document, cls)
    return structure(document, cls) if result is None else result


def incident_from_document(document: Incident | Mapping[str, Any]) -> Incident:
    """An :class:`Incident` as it is, or one structured from a document by the fast path."""
    if isinstance(document, Incident):
        return document
    return structure_fast(document, Incident)
