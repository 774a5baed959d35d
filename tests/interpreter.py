"""Conditions evaluated and explained by walking the tree: the oracle of the compiled functions.

It shares nothing with the library's evaluation (``_plan.OPERATORS``, ``_compile``): it follows
the explanation semantics as ``_trace.justify`` documents them, written out again plainly.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any

from incident_rules._rulesets import expr as _expr

__all__ = ["Read", "justify", "read"]

#: One test as an explanation lists it: (text as listed, value read, value missing, holds).
Read = tuple[str, Any, bool, bool]

_COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda value, choices: value in choices,
    "not in": lambda value, choices: value not in choices,
}


def read(condition: Any, facts: Mapping[str, Any]) -> tuple[Any, bool, bool]:
    """(value, missing, holds) of a test or ``not`` of a test."""
    negated = isinstance(condition, _expr.Not)
    test = condition.item if negated else condition
    assert isinstance(test, _expr.Test)
    # A set is read one choice at a time: 'cpu' in signals.exhausted_resources reads path:cpu.
    key = f"{test.path}:{test.operand.value}" if test.op == "has" else test.path
    if key not in facts:
        return None, True, negated
    value = facts[key]
    holds = value is True if test.op == "has" else _COMPARE[test.op](value, test.operand.value)
    return value, False, holds != negated


def _one(condition: Any, facts: Mapping[str, Any]) -> tuple[bool, list[Read]]:
    value, missing, holds = read(condition, facts)
    negated = isinstance(condition, _expr.Not)
    text = f"not {condition.item.text}" if negated else condition.text
    return holds, [(text, value, missing, holds)]


def justify(condition: Any, facts: Mapping[str, Any]) -> tuple[bool, list[Read]]:
    """Whether ``condition`` holds, and the tests an explanation lists for it.

    ``and`` that held lists all its parts, that failed its first failing part; ``or`` that held
    its first holding part, that failed all its parts; ``not x`` of a test is one test.
    """
    if isinstance(condition, _expr.Test):
        return _one(condition, facts)
    if isinstance(condition, _expr.Always):
        return True, []
    if isinstance(condition, _expr.Not):
        if isinstance(condition.item, _expr.Test):
            return _one(condition, facts)
        holds, listed = justify(condition.item, facts)
        return not holds, listed
    results = [justify(item, facts) for item in condition.items]
    deciding = isinstance(condition, _expr.AnyOf)  # or: the first part holding decides
    for holds, listed in results:
        if holds == deciding:
            return deciding, listed
    return not deciding, [read for _, listed in results for read in listed]
