"""Condition trees and fact views for the tests of compiled conditions."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from incident_rules._rulesets import expr as _expr
from incident_rules._rulesets.expr import All, Always, AnyOf, Condition, Not, Operand
from incident_rules._rulesets.operators import OPERATORS

__all__ = [
    "HOSTILE",
    "comparing_operators",
    "comparison",
    "condition_facts",
    "conditions",
    "rule_conditions",
    "small_integers",
    "value_operators",
]

#: Text no Python source may hold unquoted: if a value were spelled into the source, it would run.
HOSTILE = ['"); raise SystemExit("injected") #', "'''\nimport os\n'''", "\\", "{0}", "\x00"]

_texts = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8))
_numbers = st.integers(-3, 3)


def comparison(path: str, op: str, value: Any) -> _expr.Test:
    """The test ``path op value`` as the parser would build it, at line 1, column 1."""
    return _expr.Test(path, op, Operand(value), f"{path} {op} {value!r}", 1, 1)


_tests = st.one_of(
    st.builds(comparison, st.just("n"), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), _numbers),
    st.builds(comparison, st.just("s"), st.sampled_from(["==", "!="]), _texts),
    st.builds(comparison, st.just("s"), st.sampled_from(["in", "not in"]), st.tuples(_texts, _texts)),
    st.builds(comparison, st.just("flag"), st.just("=="), st.booleans()),
    st.builds(comparison, st.just("set"), st.just("has"), st.sampled_from(["x", "y"])),
)

#: Conditions of up to 12 tests, nested in and / or / not.
conditions: st.SearchStrategy[Condition] = st.recursive(
    st.one_of(_tests, st.just(Always())),
    lambda parts: st.one_of(
        st.builds(Not, parts),
        st.builds(All, st.lists(parts, min_size=1, max_size=4).map(tuple)),
        st.builds(AnyOf, st.lists(parts, min_size=1, max_size=4).map(tuple)),
    ),
    max_leaves=12,
)

#: The conditions of a ruleset: one to six rules.
rule_conditions = st.lists(conditions, min_size=1, max_size=6)

#: Facts where every key may be missing, and values of the wrong type sit beside the right ones.
condition_facts = st.fixed_dictionaries(
    {},
    optional={
        "n": st.one_of(_numbers, st.floats(-4, 4)),
        "s": _texts,
        "flag": st.one_of(st.booleans(), st.just(1)),
        "set:x": st.booleans(),
        "set:y": st.one_of(st.booleans(), st.just("yes")),
    },
)

#: Entries of the operator table that compare with one value.
value_operators = st.sampled_from([op for op in OPERATORS.values() if op.operand == "value"])
#: Entries that compare with one value or with a list of them.
comparing_operators = st.sampled_from([op for op in OPERATORS.values() if op.operand in ("value", "list")])
#: Integers close enough together that comparisons often tie.
small_integers = st.integers(-2, 2)
