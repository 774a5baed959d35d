"""Strict structuring of incident documents, with errors that name the path, and plain data out.

One converter of our own (never cattrs' global one): unknown keys, wrong types, unknown enum
values, fractions outside 0..1 and naive times are all errors, and every error of a document is
reported at once as :class:`~incident_rules.errors.InvalidIncident`. The same converter turns
facts and decisions back into JSON-ready data: an attrs class lists its keys in field order, or
in the order of its ``__json_keys__`` where it has one (properties included).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any, Literal, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn

from incident_rules._facts.isotime import parse_iso_datetime
from incident_rules._facts.types import Fraction
from incident_rules._suggest import did_you_mean
from incident_rules.errors import InvalidIncident, Problem, shown

__all__ = [
    "ENCODABLE",
    "BadValue",
    "has_lone_surrogate",
    "parse_date_or_time",
    "parse_instant",
    "parse_time",
    "structure",
    "unstructure",
]

T = TypeVar("T")


class BadValue(Exception):
    """A leaf value that is not what the document format expects."""

    def __init__(self, expected: str, value: object) -> None:
        super().__init__(f"{expected} (got {shown(value)})")
        self.expected = expected
        self.value = value

    @property
    def valid(self) -> str:
        """What a valid value looks like: ``expected`` without a leading "expected" or "must be"."""
        return self.expected.removeprefix("expected ").removeprefix("must be ")


def parse_time(value: object) -> datetime:
    """An ISO 8601 time with an explicit UTC offset; anything else raises :class:`BadValue`."""
    expected = "an ISO 8601 time with a UTC offset, like '2025-06-15T14:23:00Z'"
    if not isinstance(value, str):
        raise BadValue(f"expected {expected}", value)
    try:
        parsed = parse_iso_datetime(value)
    except ValueError:
        raise BadValue(f"expected {expected}", value) from None
    if parsed.utcoffset() is None:
        raise BadValue(f"time has no UTC offset; expected {expected}", value)
    return parsed


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_instant(at: object) -> datetime:
    """The instant ``at`` (an aware datetime, or ISO 8601 text with an offset) to decide at.

    Raises:
        InvalidIncident: At ``at``, naming the value and what was expected.
    """
    if isinstance(at, datetime):
        if at.utcoffset() is None:
            expected = "a timezone-aware datetime"
            message = f"expected {expected} (got naive {at.isoformat()!r})"
            raise InvalidIncident(Problem(message, path="at", value=at.isoformat(), expected=expected))
        return at
    try:
        return parse_time(at)
    except BadValue as error:
        raise InvalidIncident(
            Problem(str(error), path="at", value=error.value, expected=error.valid)
        ) from None


def parse_date_or_time(value: object) -> date | datetime:
    """A calendar date (``2025-06-22``) or an ISO 8601 time with an offset; else :class:`BadValue`."""
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise BadValue("expected a real calendar date like '2025-06-22'", value) from None
    try:
        return parse_time(value)
    except BadValue:
        expected = "a date like '2025-06-22' or an ISO 8601 time with a UTC offset"
        raise BadValue(f"expected {expected}", value) from None


#: Any surrogate code point: in a ``str`` one is always alone (a pair would be one character).
_SURROGATE = re.compile("[\ud800-\udfff]")
#: What a text must be; JSON's ``"\ud800"`` escape writes what no UTF-8 output can hold.
ENCODABLE = "text UTF-8 can encode, without lone surrogates"


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate, which no UTF-8 output (a terminal, a file) can write."""
    return not text.isascii() and _SURROGATE.search(text) is not None


def _strict(kind: type, expected: str) -> Any:
    def structure(value: object, _: object) -> object:
        # bool is an int subclass: a JSON true must never pass for a number.
        if isinstance(value, bool) and kind is not bool:
            raise BadValue(f"expected {expected}", value)
        if not isinstance(value, kind):
            raise BadValue(f"expected {expected}", value)
        if isinstance(value, str) and has_lone_surrogate(value):
            raise BadValue(f"expected {ENCODABLE}", value)
        return value

    return structure


def _number(value: object, _: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not _finite(value):
        raise BadValue("expected a finite number", value)
    return value


def _finite(number: float) -> bool:
    """Whether ``number`` is a finite float; JSON's integers have no bound, floats do."""
    try:
        return math.isfinite(number)
    except OverflowError:
        return False


def _fraction(value: object, _: object) -> float:
    number = _number(value, None)
    if not 0 <= number <= 1:
        raise BadValue("must be a fraction between 0 and 1", value)
    return number


def _literal(value: object, type_: Any) -> object:
    choices = get_args(type_)
    if value not in choices or not isinstance(value, str):
        raise BadValue(f"must be one of {', '.join(choices)}", value)
    return value


def _is_literal(type_: Any) -> bool:
    return get_origin(type_) is Literal


def _is_tuple(type_: Any) -> bool:
    return get_origin(type_) is tuple


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    converter.register_structure_hook(str, _strict(str, "a string"))
    converter.register_structure_hook(bool, _strict(bool, "a boolean"))
    converter.register_structure_hook(int, _strict(int, "an integer"))
    converter.register_structure_hook(float, _number)
    converter.register_structure_hook(Fraction, _fraction)
    converter.register_structure_hook(datetime, lambda value, _: parse_time(value))
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook_func(
        lambda type_: type_ == (datetime | date | None),
        lambda value, _: None if value is None else parse_date_or_time(value),
    )
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_structure_hook_func(_is_literal, _literal)
    converter.register_structure_hook_factory(_is_tuple, lambda t: _tuple_hook(converter, t))
    converter.register_structure_hook_factory(
        attrs.has, lambda t: _mapping_hook(make_dict_structure_fn(t, converter))
    )
    converter.register_unstructure_hook_factory(attrs.has, lambda t: _unstructure_without_none(converter, t))
    return converter


def _mapping_hook(structure: Any) -> Any:
    def structure_mapping(value: object, type_: Any) -> object:
        if not isinstance(value, Mapping):
            raise BadValue("expected an object", value)
        return structure(value, type_)

    return structure_mapping


#: Invalid items of one list reported; the items after them are not checked, only counted.
MAX_ITEM_PROBLEMS = 20


class _Unchecked(Exception):
    """How many items of a list were not checked after the first invalid ones."""

    def __init__(self, count: int, reported: int) -> None:
        super().__init__(f"{count} more items not checked after the first {reported} invalid ones")


def _tuple_hook(converter: cattrs.Converter, type_: Any) -> Any:
    (item_type, _ellipsis) = get_args(type_)

    def structure_list(value: object, _: object) -> tuple[Any, ...]:
        if not isinstance(value, (list, tuple)):
            raise BadValue("expected a list", value)
        items: list[Any] = []
        errors: list[Exception] = []
        for index, item in enumerate(value):
            if len(errors) == MAX_ITEM_PROBLEMS:  # a bounded report, in bounded time
                errors.append(_Unchecked(len(value) - index, MAX_ITEM_PROBLEMS))
                break
            try:
                items.append(converter.structure(item, item_type))
            except MemoryError:
                raise  # not a problem of the item: collecting more would only fail worse
            except Exception as error:  # noqa: BLE001 -- collected and reported with its path
                error.__notes__ = [
                    *getattr(error, "__notes__", []),
                    IterableValidationNote(f"@ index {index}", index, item_type),
                ]
                errors.append(error)
        if errors:
            raise IterableValidationError("invalid list items", errors, type_)
        return tuple(items)

    return structure_list


def _unstructure_without_none(converter: cattrs.Converter, type_: Any) -> Any:
    # Absent optional fields stay absent, so dict -> Incident -> dict gives the same keys.
    names = getattr(type_, "__json_keys__", None) or [field.name for field in attrs.fields(type_)]
    return _keys_without_none(converter, list(names))


def _keys_without_none(converter: cattrs.Converter, names: list[str]) -> Any:
    def unstructure_object(value: Any) -> dict[str, Any]:
        result = {}
        for name in names:
            item = getattr(value, name)
            if item is not None:
                result[name] = converter.unstructure(item)
        return result

    return unstructure_object


_CONVERTER = _make_converter()


def unstructure(value: object) -> Any:
    """Plain JSON-ready data for any fact or decision object."""
    return _CONVERTER.unstructure(value)


def structure(document: object, cls: type[T]) -> T:
    """Strictly structure ``document`` as ``cls``; every problem is raised at once."""
    try:
        return _CONVERTER.structure(document, cls)
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001 -- translated into our own error below
        if _out_of_memory(error):  # cattrs collects a field's MemoryError like a bad value
            raise MemoryError from None
        raise InvalidIncident(sorted(set(_problems(error, "")))) from None


def _out_of_memory(error: BaseException) -> bool:
    """Whether a MemoryError is among the errors cattrs collected in ``error``."""
    if isinstance(error, MemoryError):
        return True
    groups = (ClassValidationError, IterableValidationError)  # exception groups, also on 3.10
    return isinstance(error, groups) and any(_out_of_memory(inner) for inner in error.exceptions)


def _join(path: str, step: str | int) -> str:
    if isinstance(step, int):
        return f"{path}[{step}]"
    return f"{path}.{step}" if path else step


def _problems(error: BaseException, path: str) -> Iterator[Problem]:
    where = path or "document"
    if isinstance(error, (ClassValidationError, IterableValidationError)):
        with_notes, without_notes = error.group_exceptions()
        for inner, note in with_notes:
            step = note.index if isinstance(note, IterableValidationNote) else note.name
            yield from _problems(inner, _join(path, step))
        for inner in without_notes:
            yield from _problems(inner, path)
    elif isinstance(error, ForbiddenExtraKeysError):
        known = [field.name for field in attrs.fields(error.cl)]
        for key in sorted(error.extra_fields, key=repr):
            at = _join(path, key) if isinstance(key, str) else f"{where}[{key!r}]"
            message = f"unknown key{did_you_mean(str(key), known)}"
            yield Problem(message, path=at, value=key, expected=f"one of the keys {', '.join(known)}")
    elif isinstance(error, BadValue):
        yield Problem(str(error), path=where, value=error.value, expected=error.valid)
    elif isinstance(error, KeyError):
        yield Problem("required key is missing", path=where, expected="a value")
    else:
        yield Problem(str(error), path=where)
