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

from incident_rules._decisions.data import Assessment, DueAction, Outcome
from incident_rules.errors import IncidentRulesError

__all__ = ["columns", "decided_record", "error_record", "record"]

Record = dict[str, Any]


def columns(decisions: Iterable[str]) -> tuple[str, ...]:
    """The keys of every record of an engine deciding ``decisions``, in order."""
    per_decision = [key for name in decisions for key in (name, f"{name}_rule")]
    return ("id", "source", "at", *per_decision, "due", "overdue", "error")


def _value_and_rule(outcome: Outcome) -> tuple[str | None, str | None]:
    if outcome is None:
        return None, None
    if isinstance(outcome, tuple):
        return ",".join(d.value for d in outcome), ",".join(d.rule for d in outcome)
    return outcome.value, outcome.rule


def record(assessment: Assessment, source: str) -> Record:
    """The flat record of one assessment."""
    return decided_record(assessment.incident_id, assessment.at, assessment.decisions, assessment.due, source)


def decided_record(
    incident_id: str,
    at: datetime,
    decisions: Mapping[str, Outcome],
    due: tuple[DueAction, ...],
    source: str,
    names: Iterable[str] | None = None,
) -> Record:
    """The flat record of the decisions about one incident: those ``names`` (by default all)."""
    row: Record = {"id": incident_id, "source": source, "at": at.isoformat()}
    for name in decisions if names is None else names:
        row[name], row[f"{name}_rule"] = _value_and_rule(decisions[name])
    row["due"] = len(due)
    row["overdue"] = sum(action.overdue for action in due)
    row["error"] = None
    return row


def _document_id(document: object) -> str | None:
    value = document.get("id") if isinstance(document, Mapping) else getattr(document, "id", None)
    return value if isinstance(value, str) else None


def error_record(keys: tuple[str, ...], source: str, document: object, error: IncidentRulesError) -> Record:
    """The record of a document that could not be decided: its problems under ``error``."""
    row: Record = dict.fromkeys(keys)
    row |= {"id": _document_id(document), "source": source, "error": "; ".join(error.problems)}
    return row
