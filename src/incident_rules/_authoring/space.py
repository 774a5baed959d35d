"""The fact space a ruleset reads, cut into finitely many cells on which every test is constant.

Exact, not sampled: a boolean has its two values, an enum its choices, a set membership
(``'cpu' in signals.exhausted_resources``) is a boolean per choice, and a number is cut at the
constants and bound params its tests compare it with: each constant is a cell of its own and so
is each open interval between them. An optional fact also has the cell "missing". Within a cell
no test changes outcome, so a ruleset's behaviour on the whole space is its behaviour on one
representative per cell, and enumerating the product of the facts it reads decides gaps,
overlaps and shadowing exactly. Facts are treated as independent of each other: features are
derived from the document, and a combination the document cannot produce still counts.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from incident_rules._authoring.layers import fact_schema
from incident_rules._backends.plan import BoundRule, Plan, Stage, fact_key
from incident_rules._facts.schema import FieldType
from incident_rules._rulesets.expr import Test, leaves
from incident_rules._rulesets.operators import OPERATORS

__all__ = [
    "MAX_CELLS",
    "MISSING",
    "Axis",
    "Cell",
    "Domains",
    "TooLarge",
    "axes_of",
    "every_cell",
    "facts_of",
    "size",
    "stage_of",
    "stage_schema",
]

#: The most cells one ruleset is enumerated over; beyond it lint says so instead of guessing.
MAX_CELLS = 250_000


class _Missing:
    """The cell of an optional fact that has no value."""

    def __repr__(self) -> str:
        return "missing"


MISSING: Any = _Missing()

#: What the document allows a number to be, beyond its type: (lowest, highest, whole numbers).
#: Without these a test such as ``dependencies_down == 1`` would show a "gap" at -1 or 0.5.
_NUMBER_DOMAINS: dict[str, tuple[float, float, bool]] = {
    "impact.affected_fraction": (0, 1, False),
    "rollback.estimated_minutes": (0, math.inf, False),
    "features.dependencies_down": (0, math.inf, True),
    "features.responders_blocked": (0, math.inf, True),
    "features.updates_posted": (0, math.inf, True),
    "features.minutes_since_detection": (0, math.inf, False),
    "features.minutes_unmitigated": (0, math.inf, False),
}
_ANY_NUMBER = (-math.inf, math.inf, False)

#: The values a decision can take, by fact key, as found by analysing its ruleset first: for a
#: first-hit or unique decision (``decisions.<name>``) its values (None: no rule held); for a
#: collect decision, per ``decisions.<name>:<value>`` key, the booleans it can be.
Domains = Mapping[str, tuple[Any, ...]]


class TooLarge(Exception):
    """The space of a ruleset has more than :data:`MAX_CELLS` cells."""


@attrs.frozen
class Cell:
    """A set of values of one fact on which every test reading it is constant.

    A number cell is an interval (a point when ``low == high``); any other cell is one value.
    """

    value: Any
    low: float = 0
    high: float = 0
    low_closed: bool = True
    high_closed: bool = True

    def contains(self, value: Any) -> bool:
        if not isinstance(self.value, (int, float)) or isinstance(self.value, bool):
            return bool(value == self.value and type(value) is type(self.value))
        if value is MISSING or isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        above = value > self.low or (self.low_closed and value == self.low)
        below = value < self.high or (self.high_closed and value == self.high)
        return above and below


@attrs.frozen
class Axis:
    """One fact a ruleset reads (a fact key), with its cells in order."""

    key: str
    kind: str
    cells: tuple[Cell, ...]

    def cell_of(self, value: Any) -> int | None:
        """The index of the cell holding ``value``, or None if no cell does."""
        return next((i for i, cell in enumerate(self.cells) if cell.contains(value)), None)


def _interval(low: float, high: float, whole: bool) -> Cell | None:
    """The open interval (low, high) as a cell, or None when it holds no value."""
    if whole:
        first = math.floor(low) + 1 if math.isfinite(low) else math.ceil(high) - 1
        return Cell(first, low, high, False, False) if first < high else None
    if math.isfinite(low) and math.isfinite(high):
        return Cell((low + high) / 2, low, high, False, False) if low < high else None
    return Cell(
        high - 1 if math.isfinite(high) else low + 1 if math.isfinite(low) else 0, low, high, False, False
    )


def _number_cells(key: str, constants: Iterable[float]) -> list[Cell]:
    low, high, whole = _NUMBER_DOMAINS.get(key, _ANY_NUMBER)
    points = sorted({c for c in constants if low <= c <= high} | {b for b in (low, high) if math.isfinite(b)})
    bounds = [low if not math.isfinite(low) else None, *points, high if not math.isfinite(high) else None]
    cells: list[Cell] = []
    for index, point in enumerate(points):
        before = bounds[index] if index == 0 else points[index - 1]
        if before is not None and (interval := _interval(before, point, whole)) is not None:
            cells.append(interval)
        if not whole or float(point).is_integer():
            cells.append(Cell(point, point, point))
    last = points[-1] if points else -math.inf
    if not math.isfinite(high) and (interval := _interval(last, high, whole)) is not None:
        cells.append(interval)
    return cells


def _constants(tests: Iterable[Test]) -> list[float]:
    found: list[float] = []
    for test in tests:
        value = test.operand.value
        items = value if OPERATORS[test.op].operand == "list" else (value,)
        found += [item for item in items if _is_number(item)]
    return found


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _choices(key: str, field: FieldType | None, domains: Domains) -> tuple[Any, ...]:
    if key in domains:
        return domains[key]
    if field is None or field.kind in ("bool", "set") or ":" in key:
        return (True, False) if field is None or not field.optional or ":" in key else (True, False, None)
    return (*field.choices, None) if field.optional else field.choices


def _axis(key: str, tests: list[Test], field: FieldType | None, domains: Domains) -> Axis:
    if field is not None and field.kind == "number" and ":" not in key:
        cells = _number_cells(key, _constants(tests))
        if field.optional:
            cells.append(Cell(MISSING))
        return Axis(key, "number", tuple(cells))
    kind = "enum" if field is not None and field.kind == "enum" else "bool"
    values = _choices(key, field, domains)
    return Axis(key, kind, tuple(Cell(MISSING if value is None else value) for value in values))


def axes_of(
    rules: Sequence[BoundRule], schema: Mapping[str, FieldType], domains: Domains | None = None
) -> tuple[Axis, ...]:
    """The facts ``rules`` read, each cut into cells, in the order the rules first read them.

    ``schema`` must hold the types of the ``decisions.*`` paths the rules read.
    """
    by_key: dict[str, list[Test]] = {}
    for bound in rules:
        for test in leaves(bound.condition):
            by_key.setdefault(fact_key(test), []).append(test)
    return tuple(_axis(key, tests, schema.get(tests[0].path), domains or {}) for key, tests in by_key.items())


def size(axes: Sequence[Axis]) -> int:
    """How many cells the product of ``axes`` has."""
    return math.prod(len(axis.cells) for axis in axes)


def facts_of(
    axes: Sequence[Axis], cells: Sequence[Cell], base: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The flat facts with each axis at its cell's representative (missing: absent)."""
    facts = dict(base or {})
    for axis, cell in zip(axes, cells, strict=True):
        if cell.value is MISSING:
            facts.pop(axis.key, None)
        else:
            facts[axis.key] = cell.value
    return facts


def every_cell(axes: Sequence[Axis]) -> Iterator[tuple[Cell, ...]]:
    """Every cell of the product of ``axes``.

    Raises:
        TooLarge: The product has more than :data:`MAX_CELLS` cells.
    """
    if size(axes) > MAX_CELLS:
        raise TooLarge(f"{size(axes)} cells, more than the {MAX_CELLS} lint enumerates")
    return itertools.product(*(axis.cells for axis in axes))


def stage_of(rules: Sequence[BoundRule], template: Stage) -> Stage:
    """``rules`` as a collect stage: its holding function gives every rule that holds."""
    return Stage(attrs.evolve(template.ruleset, hit="collect"), tuple(rules))


def stage_schema(stage: Stage, plan: Plan) -> dict[str, FieldType]:
    """The types of every path the rules of ``stage`` may read, decisions of ``uses`` included."""
    by_name = {other.ruleset.name: other.ruleset for other in plan.stages}
    schema = dict(fact_schema())
    schema |= {
        f"decisions.{name}": by_name[name].decision_type() for name in stage.ruleset.uses if name in by_name
    }
    return schema
