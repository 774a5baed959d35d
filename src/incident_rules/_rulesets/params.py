"""Policy parameters: every threshold of the practice, typed, with defaults and overrides."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from incident_rules._rulesets.expr import DURATION_UNITS
from incident_rules._suggest import did_you_mean
from incident_rules.errors import RulesetError

__all__ = ["KINDS", "WEEKDAYS", "ParamSpec", "coerce", "resolve_params"]

_DURATION_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")


def _duration(value: object) -> float:
    """Minutes, from ``'15m'``, a :class:`~datetime.timedelta` or a number of minutes."""
    if isinstance(value, timedelta):
        minutes = value.total_seconds() / 60
    elif isinstance(value, str) and (match := _DURATION_TEXT.match(value)):
        minutes = float(match.group(1)) * DURATION_UNITS[match.group(2)]
    else:
        minutes = _number(value)
    if minutes < 0:
        raise ValueError
    return minutes


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError
    return value


def _fraction(value: object) -> float:
    number = _number(value)
    if not 0 <= number <= 1:
        raise ValueError
    return number


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError
    return value


def _time_of_day(value: object) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        value = f"{value // 60:02d}:{value % 60:02d}"  # YAML 1.1 reads an unquoted 09:00 as 540
    if not isinstance(value, str) or not re.fullmatch(r"\d\d:\d\d", value):
        raise ValueError
    return time.fromisoformat(value)


def _weekdays(value: object) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not value or any(day not in WEEKDAYS for day in value):
        raise ValueError
    return tuple(sorted(set(value), key=WEEKDAYS.index))


def _timezone(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError from None
    return value


#: Day names for the ``weekdays`` kind, Monday first as in :meth:`datetime.weekday`.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Each param kind: how to read a value of it, and what a valid value looks like.
KINDS: dict[str, tuple[Callable[[object], Any], str]] = {
    "duration": (_duration, "a duration like '15m', '2h' or a number of minutes"),
    "fraction": (_fraction, "a number between 0 and 1"),
    "number": (_number, "a finite number"),
    "boolean": (_boolean, "true or false"),
    "time": (_time_of_day, "a time of day like '09:00'"),
    "weekdays": (_weekdays, "a non-empty list of days from " + ", ".join(WEEKDAYS)),
    "timezone": (_timezone, "an IANA time zone name like 'Europe/Berlin'"),
}


@attrs.frozen
class ParamSpec:
    """One declared policy parameter."""

    name: str
    kind: str
    default: Any
    description: str
    source: str
    line: int = 1


def coerce(kind: str, value: object) -> Any:
    """The value read as ``kind``; raises :class:`ValueError` naming what was expected."""
    read, expected = KINDS[kind]
    try:
        return read(value)
    except (ValueError, TypeError):
        raise ValueError(f"expected {expected} (got {value!r})") from None


def resolve_params(specs: Mapping[str, ParamSpec], overrides: Mapping[str, object]) -> dict[str, Any]:
    """Defaults with the caller's overrides applied; unknown or mistyped overrides are errors."""
    if not isinstance(overrides, Mapping):
        raise RulesetError(f"params: expected a mapping of param names to values (got {overrides!r})")
    problems = []
    values = {name: spec.default for name, spec in specs.items()}
    for name, value in overrides.items():
        spec = specs.get(name)
        if spec is None:
            problems.append(f"params.{name}: unknown param{did_you_mean(str(name), specs)}")
            continue
        try:
            values[name] = coerce(spec.kind, value)
        except ValueError as error:
            problems.append(f"params.{name}: {error}")
    if problems:
        raise RulesetError(problems)
    return values
