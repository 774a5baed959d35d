"""The exceptions incident-rules raises, and the problem records they carry.

Every error the library raises derives from :class:`IncidentRulesError`, so a caller can catch
one class.  Errors about a document or a rules file carry every problem found, not only the
first, as :attr:`IncidentRulesError.problems`: one :class:`Problem` record each, with where it
is (a JSON path, or ``file:line:column``), the value found and what was expected, for a
frontend to show as it likes.  ``str()`` of a problem is the line it has always been.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

__all__ = [
    "EngineError",
    "IncidentRulesError",
    "InvalidIncident",
    "Problem",
    "RulesetError",
]


def _location(path: str | None, file: str | None, line: int | None, column: int | None) -> str:
    if file is not None:
        return ":".join(str(part) for part in (file, line, column) if part is not None)
    return path or ""


# A problem is also the ``str`` of its line: callers that read problems as text (joined, split,
# compared with a string) keep working, and the line is computed once, when the record is made.
@attrs.frozen(slots=False, eq=False)
class Problem(str):
    """One problem found in an incident document, a rules file or an argument.

    A problem is a string, its line: ``impact.scope: must be one of none, cosmetic, minor,
    partial, widespread (got 'global')``, or ``rules/x.yaml:3:7: unknown field ...``; two
    problems are equal when their lines are. Its fields hold the same facts as data.

    Attributes:
        message: What is wrong, without the location.
        path: Where in the document (``impact.scope``, ``timeline[2].at``), or in the rules
            file (``rules[0].when``), or which argument (``at``, ``params.change_window``);
            ``None`` where not known.
        value: The value found there (for an unknown key, the key), where known; else ``None``.
        expected: What a valid value looks like, where known.
        file: The rules file at fault, for rules problems.
        line: Its 1-based line, where known.
        column: Its 1-based column, where known.
    """

    message: str
    path: str | None = attrs.field(default=None, kw_only=True)
    value: Any = attrs.field(default=None, kw_only=True)
    expected: str | None = attrs.field(default=None, kw_only=True)
    file: str | None = attrs.field(default=None, kw_only=True)
    line: int | None = attrs.field(default=None, kw_only=True)
    column: int | None = attrs.field(default=None, kw_only=True)

    def __new__(cls, message: str, **fields: Any) -> Problem:
        where = _location(fields.get("path"), fields.get("file"), fields.get("line"), fields.get("column"))
        return super().__new__(cls, f"{where}: {message}" if where else message)

    def to_dict(self) -> dict[str, Any]:
        """The problem as JSON-ready data: its fields, and its line under ``text``.

        A value JSON cannot hold (a datetime, a set) is given as its ``repr``.
        """
        return {
            "text": str(self),
            "message": self.message,
            "path": self.path,
            "value": _plain(self.value),
            "expected": self.expected,
            "file": self.file,
            "line": self.line,
            "column": self.column,
        }


#: How deep :func:`_plain` copies a value: deeper than a document ever is, well short of the stack.
_PLAIN_DEPTH = 64


def _plain(value: object, depth: int = 0) -> object:
    """``value`` as JSON would hold it, or its ``repr`` where JSON cannot, or what it is where
    even that cannot be written (nested too deeply, or an integer Python will not print)."""
    if depth > _PLAIN_DEPTH:
        return f"a {type(value).__name__} nested too deeply to show"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 13_000:
        return f"an integer of {value.bit_length()} bits"
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(item, depth + 1) for item in value]
    if isinstance(value, Mapping) and all(isinstance(key, str) for key in value):
        return {key: _plain(item, depth + 1) for key, item in value.items()}
    return shown(value)


def shown(value: object) -> str:
    """``repr(value)`` for an error message, or what it is where Python refuses to write it:
    an integer of 4,301 digits or more, or a value nested deeper than the recursion limit."""
    try:
        return repr(value)
    except ValueError:
        return f"an integer of {value.bit_length() if isinstance(value, int) else '?'} bits"
    except RecursionError:
        return f"a {type(value).__name__} nested too deeply to show"


def _as_problem(problem: str) -> Problem:
    return problem if isinstance(problem, Problem) else Problem(problem)


class IncidentRulesError(Exception):
    """Root of every error incident-rules raises.

    Args:
        problems: One problem or several: :class:`Problem` records, or plain strings (each
            becomes a record with only a message).

    Attributes:
        problems: Every problem found, each naming where, what and what was expected.
    """

    def __init__(self, problems: str | Sequence[str]) -> None:
        found = (problems,) if isinstance(problems, str) else problems
        self.problems: tuple[Problem, ...] = tuple(_as_problem(problem) for problem in found)
        super().__init__(self._message())

    def _message(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems:"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled with its records, so an error crossing a process (replay) keeps them.
        return type(self), (self.problems,)

    def to_dict(self) -> dict[str, Any]:
        """The error as JSON-ready data.

        Returns:
            ``{"type": <class name>, "message": <str(error)>, "problems": [<Problem.to_dict()>...]}``.
        """
        return {
            "type": type(self).__name__,
            "message": str(self),
            "problems": [problem.to_dict() for problem in self.problems],
        }


class InvalidIncident(IncidentRulesError, ValueError):
    """An incident document, or an argument describing one, is not valid.

    Each problem names the JSON path, the bad value and what was expected, for example
    ``impact.scope: must be one of none, cosmetic, minor, partial, widespread (got 'global')``.
    """


class RulesetError(IncidentRulesError, ValueError):
    """A rules file or a parameter override is not valid.

    Each problem starts with ``file:line:col`` where the rules file is at fault.
    """


class EngineError(IncidentRulesError, RuntimeError):
    """The rule engine failed, or cannot be used on this interpreter."""
