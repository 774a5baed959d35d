"""Shared inputs of the rule-authoring tests: a small partial degradation, and rules files."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from incident_rules import Engine

__all__ = ["AT", "PARTIAL", "shipped_engine", "write"]

#: Ten minutes after PARTIAL was detected.
AT = "2025-06-15T14:10:00Z"
#: 8 % of users, partial, with a workaround: SEV3 under the shipped rules (below the 10 % mark).
PARTIAL: dict[str, Any] = {
    "id": "INC-1",
    "title": "Checkout slow",
    "detected_at": "2025-06-15T14:00:00Z",
    "impact": {"user_facing": True, "scope": "partial", "affected_fraction": 0.08, "workaround": True},
}


def write(directory: Path, name: str, text: str) -> Path:
    """Write ``text`` (dedented) to ``directory/name``; returns the path."""
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def shipped_engine() -> Engine:
    """The shipped rules on the native backend, built anew (cheaply: compiled code is cached).

    Not kept in a module global: a test that drops the compiled-code caches expects the code
    to be garbage afterwards.
    """
    return Engine.default(backend="native")
