"""Example inputs as incident documents: what lint shows a finding with.

A cell of the fact space names the facts a ruleset reads. When all of them are fields of the
document (no features, no decisions), they are written into a small valid document, so the
example can be assessed as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from incident_rules._facts.model import Incident
from incident_rules._facts.schema import incident_paths
from incident_rules.errors import InvalidIncident

__all__ = ["BASE_DOCUMENT", "example_document"]

#: The smallest valid document: what every example is written over.
BASE_DOCUMENT: Mapping[str, Any] = {
    "id": "LINT-EXAMPLE",
    "title": "Example input from lint",
    "detected_at": "2025-01-01T00:00:00Z",
    "impact": {"user_facing": False, "scope": "none"},
}


def _set(document: dict[str, Any], key: str, value: Any) -> None:
    path, _, choice = key.partition(":")
    *parents, leaf = path.split(".")
    record = document
    for parent in parents:
        record = record.setdefault(parent, {})
    if choice:  # set membership: the list holds the choice or not
        members = record.setdefault(leaf, [])
        if value:
            members.append(choice)
    else:
        record[leaf] = value


def example_document(facts: Mapping[str, Any]) -> dict[str, Any] | None:
    """A valid incident document with ``facts`` (None: absent), or None if none can be written.

    A record (``rollback``) whose every fact is absent is left out as a whole.
    """
    paths = incident_paths()
    if any(key.partition(":")[0] not in paths for key in facts):
        return None
    document: dict[str, Any] = {
        key: dict(value) if isinstance(value, Mapping) else value for key, value in BASE_DOCUMENT.items()
    }
    absent_records = {
        key.split(".")[0]
        for key in facts
        if all(v is None for k, v in facts.items() if k.split(".")[0] == key.split(".")[0])
    } - {"impact", "signals"}
    for key, value in facts.items():
        if key.split(".")[0] not in absent_records:
            _set(document, key, value)
    try:
        Incident.from_dict(document)
    except InvalidIncident:
        return None
    return document
