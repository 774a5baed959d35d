"""Policy parameters: every threshold of the practice, typed, with defaults and overrides."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from incident_rules._rulesets.expr import DURATION_UNITS, MAX_DURATION_DAYS
from incident_rules._suggest import did_you_mean
from incident_rules.errors import Problem, RulesetError, shown

__all__ = ["KINDS", "MAX_DURATION_DAYS", "WEEKDAYS", "BadParamValue", "ParamSpec", "coerce", "resolve_params"]

_DURATION_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")


class BadParamValue(ValueError):
    """A param value that is not of its kind; says what was expected and what was given."""

    def __init__(self, expected: str, value: object) -> None:
        super().__init__(f"expected {expected} (got {shown(value)})")
        self.expected = expected
        self.value = value


class _Narrower(ValueError):
    """Raised by a reader with a narrower statement of what is expected than its kind's."""


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
    if minutes > MAX_DURATION_DAYS * DURATION_UNITS["d"]:
        raise _Narrower(f"a duration of at most {MAX_DURATION_DAYS}d")
    return minutes


def _number(value: object) -> float:
    # math.isfinite raises OverflowError for an integer beyond float's range; coerce reads
    # that as not a finite number.
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
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file name
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
    """The value read as ``kind``; raises :class:`BadParamValue` naming what was expected."""
    read, expected = KINDS[kind]
    try:
        return read(value)
    except _Narrower as error:
        expected = str(error)
    except (ValueError, TypeError, OverflowError):
        pass
    raise BadParamValue(expected, value)


def resolve_params(specs: Mapping[str, ParamSpec], overrides: Mapping[str, object]) -> dict[str, Any]:
    """Defaults with the caller's overrides applied; unknown or mistyped overrides are errors."""
    if not isinstance(overrides, Mapping):
        expected = "a mapping of param names to values"
        raise RulesetError(
            Problem(
                f"expected {expected} (got {shown(overrides)})",
                path="params",
                value=overrides,
                expected=expected,
            )
        )
    problems = []
    values = {name: spec.default for name, spec in specs.items()}
    for name, value in overrides.items():
        spec = specs.get(name)
        # A name that is not text (an integer beyond what Python writes, say) is shown, not formatted.
        written = name if isinstance(name, str) else shown(name)
        path = f"params.{written}"
        if spec is None:
            message, expected = f"unknown param{did_you_mean(written, specs)}", f"one of {', '.join(specs)}"
            problems.append(Problem(message, path=path, value=name, expected=expected))
            continue
        try:
            values[name] = coerce(spec.kind, value)
        except BadParamValue as error:
            problems.append(Problem(str(error), path=path, value=value, expected=error.expected))
    if problems:
        raise RulesetError(problems)
    return values
