"""The condition language: a small, strict expression parser and its typed tree.

A condition is parsed with :mod:`ast` and every node is checked against a whitelist; nothing in a
rules file is ever executed. Supported: ``and``, ``or``, ``not``, comparisons of a fact path with
a literal or ``params.*``, ``in`` / ``not in`` with a list, bare boolean paths, ``true``, numbers,
strings, booleans and durations (``15m``, ``2h``, ``1d``, ``30s``; all counted in minutes).
"""

from __future__ import annotations

import ast
import math
import re
import sys
from collections.abc import Iterator
from typing import Any

import attrs

from incident_rules._rulesets.operators import WRITTEN

__all__ = [
    "MAX_DURATION_DAYS",
    "MAX_NESTING",
    "All",
    "Always",
    "AnyOf",
    "Condition",
    "ExprProblem",
    "Not",
    "Operand",
    "Test",
    "leaves",
    "parse",
]

#: How deep ``and``, ``or`` and ``not`` may nest: far beyond any readable rule, and well
#: inside what Python's parser and compiler (the native backend compiles conditions) accept.
MAX_NESTING = 32
_TOO_DEEP = f"nested too deeply (at most {MAX_NESTING} levels of and, or, not)"
#: The longest duration a condition, a param or a rule's ``due`` may hold: ten years. Deadlines
#: add durations to times, and the calendar ends with the year 9999 (a longer span could only
#: overflow); no response policy waits that long, and work-hours deadlines, counted day by day,
#: stay quick to compute.
MAX_DURATION_DAYS = 3650
#: Minutes per duration unit.
DURATION_UNITS = {"s": 1 / 60, "m": 1, "h": 60, "d": 1440}
_DURATION = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?<![\w.])(\d+)([smhd])\b""")


@attrs.frozen
class ExprProblem(Exception):
    """A problem at a position of a condition (1-based line and column within it)."""

    message: str
    line: int
    col: int


@attrs.frozen
class Operand:
    """The right-hand side of a test: a literal, a duration, or a reference to a param."""

    value: Any = None
    param: str | None = None
    is_duration: bool = False


@attrs.frozen
class Test:
    """One comparison of a fact path: the leaf every explanation is made of.

    ``op`` names an operator of :data:`~incident_rules._rulesets.operators.OPERATORS` (``has`` is
    set membership, written ``'cpu' in signals.exhausted_resources``). ``text`` is the test as
    written in the rules file.
    """

    path: str
    op: str
    operand: Operand
    text: str
    line: int
    col: int


@attrs.frozen
class All:
    items: tuple[Condition, ...]


@attrs.frozen
class AnyOf:
    items: tuple[Condition, ...]


@attrs.frozen
class Not:
    item: Condition


@attrs.frozen
class Always:
    """The condition ``true``: an ELSE branch."""


Condition = Test | All | AnyOf | Not | Always


def leaves(condition: Condition) -> Iterator[Test]:
    """Every test of a condition, in source order."""
    if isinstance(condition, Test):
        yield condition
    elif isinstance(condition, (All, AnyOf)):
        for item in condition.items:
            yield from leaves(item)
    elif isinstance(condition, Not):
        yield from leaves(condition.item)


def _mark_durations(text: str) -> tuple[str, set[int]]:
    """Rewrite ``15m`` as the same-length name ``m15`` so :mod:`ast` can parse it.

    Returns the rewritten text and the UTF-8 byte offset of every rewritten duration (the unit
    :mod:`ast` counts columns in), found in one pass over the text.
    """
    marks: set[int] = set()
    position = {"chars": 0, "bytes": 0}  # the last match start, in characters and in bytes

    def rewrite(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(0)
        start = match.start()
        position["bytes"] += len(text[position["chars"] : start].encode("utf-8", "surrogatepass"))
        position["chars"] = start
        marks.add(position["bytes"])
        return match.group(3) + match.group(2)

    return _DURATION.sub(rewrite, text), marks


def parse(text: str) -> Condition:
    """Parse a condition; raises :class:`ExprProblem` at the first syntax or shape error."""
    # Python's parser also ends a line at "\r": one line break keeps the builder's offsets right.
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not body.strip():
        raise ExprProblem("empty condition", 1, 1)
    rewritten, durations = _mark_durations(body)
    try:
        # Parenthesized, so a condition may span lines as YAML block scalars write them.
        tree = ast.parse(f"({rewritten}\n)", mode="eval")
    except (RecursionError, MemoryError):
        raise ExprProblem(_TOO_DEEP, 1, 1) from None
    except SyntaxError as error:
        last_line = body.count("\n") + 1
        line = min(error.lineno or 1, last_line)  # past the end: the added parenthesis
        col = max(1, (error.offset or 1) - (1 if line == 1 else 0))
        raise ExprProblem(f"invalid syntax: {error.msg}", line, col) from None
    return _Builder(f"({body}\n)", durations).condition(tree.body)


def _position(node: ast.AST) -> tuple[int, int]:
    """(line, 0-based col) of a node in the condition as written, without the added parenthesis."""
    line, col = getattr(node, "lineno", 1), getattr(node, "col_offset", 0)
    return line, col - 1 if line == 1 else col


class _Builder:
    """Builds the condition tree; source text is cut from byte offsets computed once, not by
    :func:`ast.get_source_segment`, which splits the whole text again for every node."""

    def __init__(self, wrapped: str, durations: set[int]) -> None:
        self._encoded = wrapped.encode("utf-8", "surrogatepass")
        self._line_starts = [0] + [i + 1 for i, byte in enumerate(self._encoded) if byte == 0x0A]
        self._durations = durations

    def _offset(self, line: int, col: int) -> int:
        return self._line_starts[line - 1] + col

    def _problem(self, node: ast.AST, message: str) -> ExprProblem:
        line, col = _position(node)
        return ExprProblem(message, line, col + 1)

    def _source(self, node: ast.expr) -> str:
        if node.end_lineno is None or node.end_col_offset is None:
            return ""
        start = self._offset(node.lineno, node.col_offset)
        end = self._offset(node.end_lineno, node.end_col_offset)
        return self._encoded[start:end].decode("utf-8", "surrogatepass")

    def _is_duration(self, node: ast.Name) -> bool:
        return self._offset(node.lineno, node.col_offset) - 1 in self._durations  # less "("

    def condition(self, node: ast.expr, depth: int = 0) -> Condition:
        if depth > MAX_NESTING:
            raise self._problem(node, _TOO_DEEP)
        if isinstance(node, ast.BoolOp):
            items = tuple(self.condition(value, depth + 1) for value in node.values)
            return All(items) if isinstance(node.op, ast.And) else AnyOf(items)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return Not(self.condition(node.operand, depth + 1))
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if _literal_bool(node) is True:
            return Always()
        path = self._path(node)
        if path is not None:
            line, col = _position(node)
            return Test(path, "==", Operand(True), self._source(node), line, col + 1)
        raise self._problem(node, f"not a condition: {self._source(node)!r} ({_describe(node)})")

    def _compare(self, node: ast.Compare) -> Test:
        if len(node.ops) != 1:
            raise self._problem(node, "chained comparison: split it with 'and'")
        operator = WRITTEN.get(type(node.ops[0]))
        if operator is None:
            raise self._problem(node, f"operator not allowed: {type(node.ops[0]).__name__}")
        left, right = node.left, node.comparators[0]
        left_path, right_path = self._path(left), self._path(right)
        (line, col), text = _position(node), self._source(node)
        col += 1
        if left_path is not None and not _is_reference(left_path):
            return Test(left_path, operator.name, self._operand(right), text, line, col)
        if right_path is not None and not _is_reference(right_path) and operator.mirrored:
            return Test(right_path, operator.mirrored, self._operand(left), text, line, col)
        raise self._problem(node, "a comparison needs a fact path on one side and a value on the other")

    def _operand(self, node: ast.expr) -> Operand:
        if _literal_bool(node) is not None:
            return Operand(_literal_bool(node))
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return Operand(self._number(node, node.value))
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return Operand(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self._operand(node.operand)
            if isinstance(inner.value, (int, float)) and not isinstance(inner.value, bool):
                return attrs.evolve(inner, value=-inner.value)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self._operand(item) for item in node.elts]
            if any(item.param or isinstance(item.value, tuple) for item in items):
                raise self._problem(node, "a list may hold only literal values")
            return Operand(tuple(item.value for item in items))
        if isinstance(node, ast.Name) and self._is_duration(node):
            return Operand(self._duration(node), is_duration=True)
        path = self._path(node)
        if path is not None and path.startswith("params."):
            return Operand(param=path.removeprefix("params."))
        raise self._problem(node, f"not a value: {self._source(node)!r} ({_describe(node)})")

    def _number(self, node: ast.expr, value: float) -> float:
        """A number literal within float range: ``1e999`` is infinity, which JSON cannot write,
        and a larger integer (``0xfff...``) cannot be written out in an explanation."""
        if isinstance(value, float) and math.isfinite(value):
            return value
        if isinstance(value, int) and abs(value) <= sys.float_info.max:
            return value
        raise self._problem(node, f"number out of range: at most {sys.float_info.max:g} either side of zero")

    def _duration(self, node: ast.Name) -> float:
        """Minutes of a duration literal (``15m``), at most :data:`MAX_DURATION_DAYS` days."""
        digits, unit = node.id[1:], node.id[0]
        # Counted only when short: int() refuses 4,301+ digits, and a float overflows long before.
        minutes = int(digits) * DURATION_UNITS[unit] if len(digits) <= 12 else math.inf
        if minutes > MAX_DURATION_DAYS * DURATION_UNITS["d"]:
            raise self._problem(node, f"duration too long: at most {MAX_DURATION_DAYS}d")
        return minutes

    def _path(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            if self._is_duration(node) or _literal_bool(node) is not None:
                return None
            return node.id
        if isinstance(node, ast.Attribute):
            parent = self._path(node.value)
            return f"{parent}.{node.attr}" if parent is not None else None
        return None


def _literal_bool(node: ast.expr) -> bool | None:
    """``true`` and ``false`` as YAML writes them, or Python's ``True`` and ``False``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Name) and node.id in ("true", "false"):
        return node.id == "true"
    return None


def _is_reference(path: str) -> bool:
    return path.startswith("params.")


def _describe(node: ast.AST) -> str:
    kinds = {
        ast.Call: "calls are not allowed",
        ast.Subscript: "indexing is not allowed",
        ast.Lambda: "lambdas are not allowed",
        ast.BinOp: "arithmetic is not allowed",
    }
    return kinds.get(type(node), f"{type(node).__name__.lower()} is not allowed")
