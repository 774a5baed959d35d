"""Flat records: one row per document that a DataFrame, CSV or JSON lines takes as it is.

A row has the same keys whether the document was decided or failed: ``id``, ``source``, ``at``,
then per decision its value and rule (``severity``, ``severity_rule``, ...; a collected decision
lists its values and rules comma-separated), then ``due``, ``overdue`` and ``error``. Only what the
engine settled is read: building a row never works out an explanation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from incident_rules._backends.plan import Stage
from incident_rules._decisions.data import Assessment, DueAction, Outcome
from incident_rules._decisions.trace import SettledRules, Stood
from incident_rules.errors import IncidentRulesError

__all__ = ["columns", "error_record", "record", "settled_record"]

Record = dict[str, Any]


def columns(decisions: Iterable[str]) -> tuple[str, ...]:
    """The keys of every record of an engine deciding ``decisions``, in order."""
    per_decision = [key for name in decisions for key in (name, f"{name}_rule")]
    return ("id", "source", "at", *per_decision, "due", "overdue", "error")


def _joined(pairs: tuple[tuple[str, str], ...]) -> tuple[str | None, str | None]:
    """The value and rule columns of a decision's ``(value, rule)`` pairs (a collected one joined)."""
    return ",".join(value for value, _ in pairs), ",".join(rule for _, rule in pairs)


def _value_and_rule(outcome: Outcome) -> tuple[str | None, str | None]:
    if outcome is None:
        return None, None
    if isinstance(outcome, tuple):
        return _joined(tuple((d.value, d.rule) for d in outcome))
    return outcome.value, outcome.rule


def _counts(row: Record, due: tuple[DueAction, ...]) -> Record:
    row["due"] = len(due)
    row["overdue"] = sum(action.overdue for action in due)
    row["error"] = None
    return row


def record(assessment: Assessment, source: str) -> Record:
    """The flat record of one assessment."""
    row: Record = {"id": assessment.incident_id, "source": source, "at": assessment.at.isoformat()}
    for name, outcome in assessment.decisions.items():
        row[name], row[f"{name}_rule"] = _value_and_rule(outcome)
    return _counts(row, assessment.due)


def _stood_value_and_rule(outcome: Stood | tuple[Stood, ...] | None) -> tuple[str | None, str | None]:
    if outcome is None:
        return None, None
    if outcome and isinstance(outcome[0], Stage):
        rule = outcome[1].rule
        return rule.then, rule.id
    return _joined(tuple((bound.rule.then, bound.rule.id) for _, bound in outcome))


def settled_record(
    incident_id: str,
    at: datetime,
    conclusions: tuple[SettledRules, tuple[DueAction, ...]],
    decision_names: tuple[str, ...],
    source: str,
) -> Record:
    """The record :func:`record` gives, from what ``Engine._conclusions`` concluded: no
    :class:`~incident_rules.Assessment` and no explained decision is built for it."""
    settled, due = conclusions
    row: Record = {"id": incident_id, "source": source, "at": at.isoformat()}
    for name in decision_names:
        row[name], row[f"{name}_rule"] = _stood_value_and_rule(settled[name])
    return _counts(row, due)


def _document_id(document: object) -> str | None:
    value = document.get("id") if isinstance(document, Mapping) else getattr(document, "id", None)
    return value if isinstance(value, str) else None


def error_record(keys: tuple[str, ...], source: str, document: object, error: IncidentRulesError) -> Record:
    """The record of a document that could not be decided: its problems under ``error``."""
    row: Record = dict.fromkeys(keys)
    row |= {"id": _document_id(document), "source": source, "error": "; ".join(error.problems)}
    return row
