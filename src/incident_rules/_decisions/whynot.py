"""What would have made a rule fire: the answer as frozen data."""

from __future__ import annotations

from typing import Any

import attrs

from incident_rules._facts.convert import unstructure

__all__ = ["FactChange", "WhyNot"]


@attrs.frozen
class FactChange:
    """One fact changed so that a rule holds.

    Attributes:
        fact: The fact as rules read it: a path (``impact.affected_fraction``), or for set
            membership ``path:value`` (``signals.exhausted_resources:cpu``).
        was: Its value now (None: the record has none).
        becomes: The values that make the rule hold, other changes made: ``above 0.1``,
            ``true``, ``one of 'minor', 'partial'``, ``missing``.
        example: One such value (None: absent).
    """

    fact: str
    was: Any
    becomes: str
    example: Any


@attrs.frozen
class WhyNot:
    """Why a rule did not fire, and the smallest change of facts that makes it hold.

    Attributes:
        rule: The rule asked about.
        ruleset: Its ruleset.
        source: Where it is written, ``file:line``.
        holds: Whether it holds already (then ``changes`` is empty).
        possible: Whether any input makes it hold at all.
        changes: The fewest fact changes that make it hold.
        decides: Whether, with those changes, the rule would decide (under ``first`` an
            earlier rule may still take the input; under ``unique`` another may hold too).
        taken_by: The rule that would decide instead (or hold too, under ``unique``).
    """

    rule: str
    ruleset: str
    source: str
    holds: bool
    possible: bool
    changes: tuple[FactChange, ...] = ()
    decides: bool = False
    taken_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data, one key per attribute."""
        result: dict[str, Any] = unstructure(self)
        return result
