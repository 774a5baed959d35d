"""The scalar types of the incident document: bounded numbers and the enums."""

from __future__ import annotations

from typing import Literal, NewType

__all__ = [
    "Audience",
    "ChangeKind",
    "Fraction",
    "Resource",
    "Scope",
    "SeverityLevel",
    "Status",
    "TimelineKind",
]

#: A number between 0 and 1 inclusive; the converter enforces the range.
Fraction = NewType("Fraction", float)

Status = Literal["investigating", "identified", "monitoring", "resolved"]
Scope = Literal["none", "cosmetic", "minor", "partial", "widespread"]
ChangeKind = Literal["deploy", "config", "flag", "migration", "infra"]
Resource = Literal["cpu", "memory", "connections", "disk", "other"]
TimelineKind = Literal[
    "detected",
    "severity_assigned",
    "escalated",
    "mitigation_started",
    "mitigated",
    "resolved",
    "rollback_started",
    "diagnosis_started",
    "note",
]
Audience = Literal["status_page", "stakeholders", "executives", "team"]
SeverityLevel = Literal["SEV1", "SEV2", "SEV3", "SEV4"]
