"""What would make a rule fire: the fewest fact changes that make its condition hold.

Exact over the cells of :mod:`~incident_rules._authoring.space` (the same partition as lint):
every fact the rule reads is cut at the values its tests compare with, so trying each other
cell of one fact, then of each pair, and so on, finds a smallest change. Among the smallest,
one under which the rule would also decide is preferred.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from incident_rules._authoring.space import MISSING, Axis, Cell, axes_of, facts_of, stage_of, stage_schema
from incident_rules._backends.codegen import holding_function
from incident_rules._backends.plan import BoundRule, Plan, Stage
from incident_rules._decisions.whynot import FactChange, WhyNot
from incident_rules._facts.schema import FieldType

__all__ = ["WhyNotFinder", "why_not"]

Holds = Callable[[Mapping[str, Any]], bool]


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _range(axis: Axis, run: Sequence[int]) -> str:
    """The values of the consecutive number cells ``run`` of ``axis``, in words."""
    present = [i for i, cell in enumerate(axis.cells) if cell.value is not MISSING]
    low, high = axis.cells[run[0]], axis.cells[run[-1]]
    has_low, has_high = run[0] != present[0], run[-1] != present[-1]
    if low is high and low.low == low.high:
        return f"exactly {_number(low.value)}"
    above = f"{'at least' if low.low_closed else 'above'} {_number(low.low)}" if has_low else ""
    below = f"{'at most' if high.high_closed else 'below'} {_number(high.high)}" if has_high else ""
    return " and ".join(filter(None, (above, below))) or "any value"


def _becomes(axis: Axis, target: int, holding_cells: set[int]) -> str:
    """The cells around ``target`` of ``axis`` that make the rule hold, in words."""
    cell = axis.cells[target]
    if cell.value is MISSING:
        return "missing"
    if axis.kind == "number":
        run = [target]
        while run[0] - 1 in holding_cells and axis.cells[run[0] - 1].value is not MISSING:
            run.insert(0, run[0] - 1)
        while run[-1] + 1 in holding_cells and axis.cells[run[-1] + 1].value is not MISSING:
            run.append(run[-1] + 1)
        return _range(axis, run)
    if axis.kind == "enum":
        choices = [
            repr(axis.cells[i].value) for i in sorted(holding_cells) if axis.cells[i].value is not MISSING
        ]
        return choices[0] if len(choices) == 1 else "one of " + ", ".join(choices)
    return "true" if cell.value else "false"


def _changes(
    axes: Sequence[Axis], current: Sequence[int | None], size: int, holds: Holds, facts: Mapping[str, Any]
) -> Iterator[dict[int, int]]:
    """Every way to move exactly ``size`` facts to other cells so that ``holds``."""
    for chosen in itertools.combinations(range(len(axes)), size):
        options = [[c for c in range(len(axes[i].cells)) if c != current[i]] for i in chosen]
        for targets in itertools.product(*options):
            moved = facts_of(
                [axes[i] for i in chosen],
                [axes[i].cells[c] for i, c in zip(chosen, targets, strict=True)],
                facts,
            )
            if holds(moved):
                yield dict(zip(chosen, targets, strict=True))


def _applied(axes: Sequence[Axis], move: Mapping[int, int], facts: Mapping[str, Any]) -> dict[str, Any]:
    return facts_of([axes[i] for i in move], [axes[i].cells[c] for i, c in move.items()], facts)


def _describe(
    axes: Sequence[Axis], move: Mapping[int, int], holds: Holds, facts: Mapping[str, Any]
) -> tuple[FactChange, ...]:
    changes = []
    for index, target in move.items():
        axis = axes[index]
        others = {i: c for i, c in move.items() if i != index}
        holding_cells = {
            c for c in range(len(axis.cells)) if holds(_applied(axes, {**others, index: c}, facts))
        }
        cell: Cell = axis.cells[target]
        example = None if cell.value is MISSING else cell.value
        changes.append(
            FactChange(axis.key, facts.get(axis.key), _becomes(axis, target, holding_cells), example)
        )
    return tuple(changes)


def _decider(stage: Stage, bound: BoundRule, facts: Mapping[str, Any]) -> str | None:
    """None if ``bound`` would decide on ``facts``; else the rule that decides (or also holds)."""
    holding = holding_function(stage_of(stage.rules, stage))(facts)
    others = [other for other in holding if other.index != bound.index]
    if stage.ruleset.hit == "collect" or not others:
        return None
    if stage.ruleset.hit == "first" and holding[0].index == bound.index:
        return None
    return others[0].rule.id


def why_not(
    stage: Stage, bound: BoundRule, facts: Mapping[str, Any], schema: Mapping[str, FieldType]
) -> WhyNot:
    """What it would take for ``bound`` to hold on ``facts`` (the facts its ruleset read).

    Args:
        stage: The rule's ruleset as the engine runs it.
        bound: The rule.
        facts: The flat facts the ruleset read, decisions of earlier rulesets included.
        schema: The types of every path the rule reads.

    Returns:
        The answer; ``changes`` is empty when the rule holds already or cannot hold.
    """
    one = holding_function(stage_of([bound], stage))

    def holds(candidate: Mapping[str, Any]) -> bool:
        return bool(one(candidate))

    rule = bound.rule
    if holds(facts):
        taken_by = _decider(stage, bound, facts)
        return WhyNot(rule.id, stage.ruleset.name, bound.source, True, True, (), taken_by is None, taken_by)
    axes = axes_of([bound], schema)
    current = [axis.cell_of(facts.get(axis.key, MISSING)) for axis in axes]
    for size in range(1, len(axes) + 1):
        moves = list(_changes(axes, current, size, holds, facts))
        if moves:
            deciding = [m for m in moves if _decider(stage, bound, _applied(axes, m, facts)) is None]
            move = (deciding or moves)[0]
            taken_by = _decider(stage, bound, _applied(axes, move, facts))
            changes = _describe(axes, move, holds, facts)
            return WhyNot(
                rule.id, stage.ruleset.name, bound.source, False, True, changes, taken_by is None, taken_by
            )
    return WhyNot(rule.id, stage.ruleset.name, bound.source, False, False)


class WhyNotFinder:
    """Why-not answers for the rules of one plan: what an engine gives its decisions."""

    def __init__(self, plan: Plan) -> None:
        self._plan = plan

    def __call__(self, stage: Stage, bound: BoundRule, facts: Mapping[str, Any]) -> WhyNot:
        # The schema is built when first asked for: most engines never answer a why-not.
        return why_not(stage, bound, facts, stage_schema(stage, self._plan))
