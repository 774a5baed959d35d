"""A policy diff: two engines over the same documents, and the decisions that differ.

Each document is read and structured once and decided by both engines at the same instant. A
decision is compared by its value as a flat record holds it (a collected decision by its values
in order); a document either engine cannot decide is counted apart, with its error.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from typing import Any

import attrs

from incident_rules._decisions.display import html_of
from incident_rules._replay.instants import instant_spec
from incident_rules._replay.records import record
from incident_rules._replay.runner import CHUNK, Engine, Progress, jobs_of, loaded, structured
from incident_rules._replay.sources import items_of
from incident_rules.errors import EngineError, IncidentRulesError

__all__ = ["DecisionChange", "DecisionDiff", "PolicyDiff", "compare"]


@attrs.frozen
class DecisionChange:
    """One decision of one document that the two engines decide differently."""

    id: str
    source: str
    decision: str
    before: str | None
    after: str | None
    rule_before: str | None
    rule_after: str | None


@attrs.frozen
class DecisionDiff:
    """How one decision changed over the batch: ``(before, after, documents)``, most first."""

    decision: str
    changed: int
    transitions: tuple[tuple[str | None, str | None, int], ...]


@attrs.frozen
class PolicyDiff:
    """What a candidate policy would have decided differently.

    Attributes:
        compared: Documents both engines decided.
        decisions: One :class:`DecisionDiff` per decision either engine makes.
        changes: Every decision that differs, document by document, in batch order.
        failures: ``(source, error)`` of each document either engine could not decide.
    """

    compared: int
    decisions: tuple[DecisionDiff, ...]
    changes: tuple[DecisionChange, ...]
    failures: tuple[tuple[str, str], ...] = ()

    def __repr__(self) -> str:
        changed = ", ".join(f"{diff.decision} {diff.changed}" for diff in self.decisions if diff.changed)
        failed = f", {len(self.failures)} failed" if self.failures else ""
        return (
            f"<PolicyDiff {self.changed_documents} of {self.compared} incidents change a decision"
            f"{': ' + changed if changed else ''}{failed}>"
        )

    def _repr_html_(self) -> str | None:
        return html_of(self)

    @property
    def changed_documents(self) -> int:
        """How many documents have at least one decision that differs."""
        return len({change.source for change in self.changes})

    @property
    def empty(self) -> bool:
        """True when no decision of any document differs."""
        return not self.changes

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: the counts, the per-decision transitions and every change."""
        return {
            "compared": self.compared,
            "changed_documents": self.changed_documents,
            "decisions": [
                {
                    "decision": diff.decision,
                    "changed": diff.changed,
                    "transitions": [
                        {"before": b, "after": a, "documents": n} for b, a, n in diff.transitions
                    ],
                }
                for diff in self.decisions
            ],
            "changes": [attrs.asdict(change) for change in self.changes],
            "failures": [{"source": source, "error": error} for source, error in self.failures],
        }


def _changes(before: dict[str, Any], after: dict[str, Any], names: list[str]) -> Iterator[DecisionChange]:
    for name in names:
        if before.get(name) != after.get(name):
            yield DecisionChange(
                before["id"],
                before["source"],
                name,
                before.get(name),
                after.get(name),
                before.get(f"{name}_rule"),
                after.get(f"{name}_rule"),
            )


def _summary(changes: list[DecisionChange], names: list[str]) -> tuple[DecisionDiff, ...]:
    by_decision = {name: collections.Counter[tuple[Any, Any]]() for name in names}
    for change in changes:
        by_decision[change.decision][change.before, change.after] += 1
    return tuple(
        DecisionDiff(name, counts.total(), tuple((b, a, n) for (b, a), n in counts.most_common()))
        for name, counts in by_decision.items()
    )


def compare(
    engine: Engine, other: Engine, documents: object, *, at: object, progress: Progress | None
) -> PolicyDiff:
    """The body of :meth:`Engine.compare`."""
    if not isinstance(other, type(engine)):
        raise EngineError(f"other: expected an Engine to compare with (got {type(other).__name__})")
    names = list(dict.fromkeys((*engine.decision_names, *other.decision_names)))
    spec = instant_spec(at)
    items, total = items_of(documents)
    jobs = jobs_of(items, spec)
    changes: list[DecisionChange] = []
    failures: list[tuple[str, str]] = []
    compared = done = 0
    for job in jobs:
        try:
            incident, instant = structured(job, loaded(job))
            before = record(engine.assess(incident, at=instant), job.item.source)
            after = record(other.assess(incident, at=instant), job.item.source)
        except IncidentRulesError as error:
            failures.append((job.item.source, "; ".join(error.problems)))
        else:
            compared += 1
            changes += _changes(before, after, names)
        done += 1
        if progress is not None and (done % CHUNK == 0 or done == total):
            progress(done, total)
    if progress is not None and done % CHUNK and done != total:
        progress(done, total)
    return PolicyDiff(compared, _summary(changes, names), tuple(changes), tuple(failures))
