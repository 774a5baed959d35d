"""The comparisons a condition may make: one table, read by every stage that handles a test.

Each :class:`Operator` says how it is written (the parser), which fields and operands it takes
(the checker), what Python it runs (code generation), what durable_rules runs (the durable
backend) and how it is negated (durable_rules has no ``not``). A new operator is one entry here;
explanations report a test by this name (``Check.op``), so a reader can recompute it.
"""

from __future__ import annotations

import ast
from typing import Literal

import attrs

__all__ = ["OPERATORS", "WRITTEN", "Operator"]

#: What the right-hand side of a test is: one value, a list of values, or one choice of a set.
OperandShape = Literal["value", "list", "member"]


@attrs.frozen
class Operator:
    """One comparison of a fact path with an operand.

    Attributes:
        name: The operator as tests, checks and JSON spell it.
        written: The comparison it is written as with the path on the left, if any.
        mirrored: The operator a comparison means when written with the path on the right
            (``3 < x`` is ``x > 3``; ``"cpu" in signals.exhausted_resources`` is ``has``).
        operand: What it compares with.
        kinds: The field kinds it may test.
        python: A Python expression over the value read ``v`` and the operand ``{c}``.
        opposite: The operator holding on a present value exactly when this one does not
            (None for ``has``, which durable_rules runs as ``==`` on the choice's fact).
        durable: durable_rules' comparison (None: plain equality); for a list, how the
            comparisons of its items join (``$or`` / ``$and``).
        each: For a list, the operator each item is compared with.
    """

    name: str
    written: type[ast.cmpop] | None
    mirrored: str | None
    operand: OperandShape
    kinds: frozenset[str]
    python: str
    opposite: str | None
    durable: str | None
    each: str | None = None


_SCALARS = frozenset({"bool", "number", "enum"})
_NUMBERS = frozenset({"number"})


def _ordering(name: str, written: type[ast.cmpop], mirrored: str, opposite: str, durable: str) -> Operator:
    return Operator(name, written, mirrored, "value", _NUMBERS, f"v {name} {{c}}", opposite, durable)


_TABLE = (
    Operator("==", ast.Eq, "==", "value", _SCALARS, "v == {c}", opposite="!=", durable=None),
    Operator("!=", ast.NotEq, "!=", "value", _SCALARS, "v != {c}", opposite="==", durable="$neq"),
    _ordering("<", ast.Lt, mirrored=">", opposite=">=", durable="$lt"),
    _ordering("<=", ast.LtE, mirrored=">=", opposite=">", durable="$lte"),
    _ordering(">", ast.Gt, mirrored="<", opposite="<=", durable="$gt"),
    _ordering(">=", ast.GtE, mirrored="<=", opposite="<", durable="$gte"),
    Operator("in", ast.In, "has", "list", _SCALARS, "v in {c}", opposite="not in", durable="$or", each="=="),
    Operator("not in", ast.NotIn, None, "list", _SCALARS, "v not in {c}", "in", durable="$and", each="!="),
    # Set membership reads one boolean fact per choice (``path:choice``), true when the set holds
    # it; durable_rules tests that fact with ``==`` (and its opposite) like any boolean.
    Operator("has", None, None, "member", frozenset({"set"}), "v is True", opposite=None, durable=None),
)

#: Every operator by name.
OPERATORS: dict[str, Operator] = {operator.name: operator for operator in _TABLE}
#: The operator each written comparison means with the fact path on its left.
WRITTEN: dict[type[ast.cmpop], Operator] = {op.written: op for op in _TABLE if op.written is not None}
