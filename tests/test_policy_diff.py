"""The policy diff: empty against itself, exactly the oracle's changes for one changed param."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incident_rules import Engine, EngineError
from incident_rules._replay.diff import PolicyDiff
from incident_rules._replay.diffviews import render_diff
from oracle import expect
from strategies import assessments

ROOT = Path(__file__).resolve().parent.parent
SEED_AT = "2025-06-15T14:30:00Z"
#: The decisions the oracle makes, as an assessment (and so the diff) names them.
ORACLE_DECISIONS = ("severity", "mitigation", "escalations", "remediation", "communication")


def _partial() -> dict[str, Any]:
    """The seed example as a partial outage of 8 % with a workaround."""
    document: dict[str, Any] = json.loads(
        (ROOT / "examples" / "inc-2025-0142.json").read_text(encoding="utf-8")
    )
    document["impact"] |= {"scope": "partial", "affected_fraction": 0.08, "workaround": True}
    return document


def _at_for(pairs: list[tuple[dict[str, Any], datetime]]) -> Any:
    instants = {id(document): at for document, at in pairs}
    return lambda document: instants[id(document)]


def _oracle_changes(pairs: list[Any], before: Engine, after: Engine) -> set[tuple[str, str]]:
    changed = set()
    for index, (document, at) in enumerate(pairs):
        old, new = expect(document, at, before.params), expect(document, at, after.params)
        changed |= {
            (f"#{index}", name) for name in ORACLE_DECISIONS if getattr(old, name) != getattr(new, name)
        }
    return changed


class TestCompare:
    @given(pairs=st.lists(assessments(), max_size=8))
    def test_an_engine_compared_with_itself_changes_nothing(self, pairs: list[Any]) -> None:
        """Every document is compared and none differs."""
        engine = Engine.default(backend="native")
        diff = engine.compare(engine, [d for d, _ in pairs], at=_at_for(pairs))
        assert (diff.empty, diff.compared, diff.failures) == (True, len(pairs), ())

    @given(
        pairs=st.lists(assessments(), min_size=1, max_size=8), fraction=st.sampled_from([0.0, 0.05, 0.3, 0.9])
    )
    def test_one_changed_param_lists_exactly_the_documents_the_oracle_says_change(
        self, pairs: list[Any], fraction: float
    ) -> None:
        """A new significant_fraction: the diff lists exactly the oracle's changed decisions."""
        before = Engine.default(backend="native")
        after = Engine.default(params={"significant_fraction": fraction}, backend="native")
        diff = before.compare(after, [d for d, _ in pairs], at=_at_for(pairs))
        listed = {(c.source, c.decision) for c in diff.changes if c.decision in ORACLE_DECISIONS}
        assert listed == _oracle_changes(pairs, before, after)

    def test_a_change_names_both_deciding_rules(self) -> None:
        """8 % partial with a workaround: SEV3 by the workaround rule, then SEV2 as significant at 5 %."""
        before = Engine.default(backend="native")
        after = Engine.default(params={"significant_fraction": 0.05}, backend="native")
        (severity,) = [
            c for c in before.compare(after, [_partial()], at=SEED_AT).changes if c.decision == "severity"
        ]
        assert (severity.id, severity.source, severity.before, severity.after) == (
            "INC-2025-0142",
            "#0",
            "SEV3",
            "SEV2",
        )
        assert (severity.rule_before, severity.rule_after) == (
            "severity.minor-with-workaround",
            "severity.significant-degradation",
        )

    def test_a_document_either_engine_cannot_decide_is_counted_apart(self) -> None:
        """A bad document is a failure with its error, not a change."""
        engine = Engine.default(backend="native")
        diff = engine.compare(engine, ["{", {"id": "x"}], at="2025-06-15T14:30:00Z")
        assert diff.compared == 0
        assert [source for source, _ in diff.failures] == ["#0", "#1"]

    def test_comparing_with_something_not_an_engine_is_an_error(self) -> None:
        """The error names the argument and what it got."""
        with pytest.raises(EngineError, match=r"^other: expected an Engine to compare with \(got dict\)$"):
            Engine.default().compare({}, [], at=SEED_AT)  # type: ignore[arg-type]


def _diff() -> PolicyDiff:
    """Two documents whose severity a 5 % threshold raises."""
    before = Engine.default(backend="native")
    return before.compare(
        Engine.default(params={"significant_fraction": 0.05}), [_partial(), _partial()], at=SEED_AT
    )


class TestRenderings:
    def test_text_starts_with_how_many_incidents_change(self) -> None:
        """The headline counts changed incidents out of those compared."""
        assert render_diff(_diff(), "text").startswith("2 of 2 incidents change a decision")

    def test_json_holds_every_change(self) -> None:
        """The JSON form lists the same changes as the diff."""
        diff = _diff()
        data = json.loads(render_diff(diff, "json"))
        assert len(data["changes"]) == len(diff.changes)
        assert data["changed_documents"] == 2

    def test_csv_has_one_row_per_changed_decision(self) -> None:
        """The CSV reads back as one row per change, with both rules."""
        diff = _diff()
        rows = list(csv.DictReader(io.StringIO(render_diff(diff, "csv"))))
        assert [(r["source"], r["decision"], r["rule_after"]) for r in rows] == [
            (c.source, c.decision, c.rule_after) for c in diff.changes
        ]

    def test_markdown_is_a_summary_table_then_the_changes(self) -> None:
        """A pull-request comment: a table of transitions, then one of changed incidents."""
        text = render_diff(_diff(), "markdown")
        assert text.startswith("**Policy replay:** 2 of 2 incidents change a decision.")
        assert "| decision | from | to | incidents |" in text
        assert "| incident | decision | before | after | rule before | rule after |" in text
