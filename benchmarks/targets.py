"""The targets of issue 4, gathered from the families that measured them: reported, not asserted.

A family states its targets with a ``targets(result)`` function; this step runs after every
family it reads and before the profile, which profiles the backends that miss one.
"""

from __future__ import annotations

from typing import Any

import report
from context import Run

NAME = "targets"


def measure(run: Run) -> list[dict[str, Any]]:
    """Each target with what was measured and whether it is met (None: not measured)."""
    found = []
    for family in run.families:
        state = getattr(family, "targets", None)
        if state is not None and family.NAME in run.results:
            found += state(run.results[family.NAME])
    return found


def tables(result: list[dict[str, Any]]) -> list[str]:
    if not result:
        return []
    rows = [[t["target"], t["measured"], t.get("verdict"), t["met"]] for t in result]
    return [
        report.table(
            "Targets of issue 4 (reported, not asserted)", ["target", "measured", "shape", "met"], rows
        )
    ]
