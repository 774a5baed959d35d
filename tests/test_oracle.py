"""The engine decides what our practice says, as the plain-Python oracle in tests/oracle.py reads it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import attrs
from hypothesis import given

from incident_rules import Assessment, Engine
from oracle import Expected, classified, expect
from strategies import cases

#: Engines by backend and param overrides (the ``engines`` fixture).
Engines = Callable[[str, Mapping[str, object] | None], Engine]


def decided(assessment: Assessment) -> dict[str, Any]:
    """What the engine decided, in the terms of :class:`oracle.Expected`."""
    values = {
        name: decision.value if decision is not None else None
        for name, decision in (
            ("severity", assessment.severity),
            ("mitigation", assessment.mitigation),
            ("remediation", assessment.remediation),
        )
    }
    features = ("change_correlated", "rollback_safe_and_fast", "blast_radius_growing")
    return {
        **values,
        "classified": classified(assessment),
        "escalations": frozenset(decision.value for decision in assessment.escalations),
        "communication": frozenset(decision.value for decision in assessment.communication),
        "due": {action.action: action.due_at for action in assessment.due},
        "overdue": frozenset(action.action for action in assessment.due if action.overdue),
        **{name: assessment.features[name].value for name in features},
    }


def expected(oracle: Expected) -> dict[str, Any]:
    """What the oracle decided, in the same terms."""
    return attrs.asdict(oracle, recurse=False)


@given(case=cases(drawn_params=True))
def test_the_engine_decides_what_the_oracle_decides(
    engines: Engines, backend: str, case: tuple[Mapping[str, object], dict[str, Any], datetime]
) -> None:
    """Every decision, the features it rests on and every deadline match the oracle's, under any params."""
    overrides, document, at = case
    engine = engines(backend, overrides)
    assert decided(engine.assess(document, at=at)) == expected(expect(document, at, engine.params))
