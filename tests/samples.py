"""The seed example and small rules files more than one test module uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["ROOT", "SEED_PATH", "UNIQUE_BOTH", "seed"]

#: The repository's root.
ROOT = Path(__file__).resolve().parent.parent
#: The seed example, INC-2025-0142.
SEED_PATH = ROOT / "examples" / "inc-2025-0142.json"


def seed() -> dict[str, Any]:
    """The seed example INC-2025-0142, fresh for each use."""
    data: dict[str, Any] = json.loads(SEED_PATH.read_text(encoding="utf-8"))
    return data


#: A unique ruleset whose two rules both hold on the seed example (user facing and widespread).
UNIQUE_BOTH = """\
ruleset: pick
hit: unique
values: [outage, broad]
rules:
  - id: pick.outage
    when: impact.user_facing
    then: outage
  - id: pick.broad
    when: impact.scope == "widespread"
    then: broad
"""
