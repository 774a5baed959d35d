"""How the output data shows in a notebook: a one-line repr and escaped HTML tables."""

from __future__ import annotations

import copy
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import attrs
import pytest

from incident_rules import Assessment, Decision, Engine
from incident_rules._decisions import display
from incident_rules.render import html

ROOT = Path(__file__).resolve().parent.parent
SEED = json.loads((ROOT / "examples" / "inc-2025-0142.json").read_text(encoding="utf-8"))
SEED_AT = "2025-06-15T14:30:00Z"
HOSTILE = "<script>alert('x')</script>&"


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The shipped rules on the native backend."""
    return Engine.default(backend="native")


@pytest.fixture(scope="module")
def assessment(engine: Engine) -> Assessment:
    """The seed example at 14:30."""
    return engine.assess(SEED, at=SEED_AT)


def hostile_seed() -> dict[str, Any]:
    document = copy.deepcopy(SEED)
    document["id"] = HOSTILE
    return document


class _Tags(HTMLParser):
    """The start tags of an HTML fragment, and the text between them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attributes: object) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(fragment: str) -> _Tags:
    tags = _Tags()
    tags.feed(fragment)
    return tags


class TestRepr:
    """``repr`` of the output classes: one short line."""

    def test_an_assessment_reads_as_its_id_instant_and_values(self, assessment: Assessment) -> None:
        """The repr names the incident, the instant and each decision's value."""
        shown = repr(assessment)
        assert shown.startswith("<Assessment INC-2025-0142 at 2025-06-15T14:30Z: severity=SEV1, ")
        assert "mitigation=rollback" in shown

    def test_an_assessment_repr_is_one_short_line(self, assessment: Assessment) -> None:
        """The repr is one line of at most 300 characters, not the explanations."""
        shown = repr(assessment)
        assert ("\n" not in shown, len(shown) <= 300) == (True, True)

    def test_a_collected_ruleset_shows_its_values_as_a_list(self, assessment: Assessment) -> None:
        """A collect ruleset's decisions appear as ``[a, b]``."""
        values = ", ".join(decision.value for decision in assessment.communication)
        assert f"communication=[{values}]" in repr(assessment)

    def test_a_decision_reads_as_its_value_and_rule(self, assessment: Assessment) -> None:
        """A decision's repr names ruleset, value, rule and source."""
        assert repr(assessment.severity) == (
            "<Decision severity=SEV1 by severity.widespread-outage (rules/severity.yaml:8)>"
        )

    def test_a_gate_result_names_the_checks_that_failed(self, engine: Engine) -> None:
        """A failing gate's repr says failed and lists the failed checks."""
        document = copy.deepcopy(SEED)
        del document["postmortem"]
        result = engine.check(document)
        failed = ", ".join(finding.check for finding in result.failed)
        counts = f"{len(result.failed)} of {len(result.findings)}"
        assert repr(result).endswith(f"{counts} checks failed ({failed})>")

    def test_a_policy_diff_counts_the_incidents_that_change(self, engine: Engine) -> None:
        """A diff's repr counts changed incidents and the changes per decision."""
        strict = Engine.default(params={"significant_fraction": 0.9}, backend="native")
        document = copy.deepcopy(SEED)
        document["impact"].update(scope="partial", affected_fraction=0.5, workaround=True)
        diff = engine.compare(strict, [document], at=SEED_AT)
        assert repr(diff) == "<PolicyDiff 1 of 1 incidents change a decision: severity 1, communication 1>"

    def test_an_instant_with_an_offset_keeps_it(self, engine: Engine) -> None:
        """An instant written with an offset shows with it, to the second when it has seconds."""
        shown = repr(engine.assess(SEED, at="2025-06-15T16:30:05+02:00"))
        assert " at 2025-06-15T16:30:05+02:00: " in shown


class TestEquality:
    """Writing the repr by hand leaves equality as attrs made it."""

    def test_assessments_of_the_same_facts_are_equal(self, engine: Engine, assessment: Assessment) -> None:
        """Two assessments of one document at one instant compare equal."""
        assert engine.assess(SEED, at=SEED_AT) == assessment

    def test_decisions_that_differ_in_value_are_not_equal(self, assessment: Assessment) -> None:
        """A decision with another value is not equal to the original."""
        decision = assessment.severity
        assert decision is not None
        assert attrs.evolve(decision, value="SEV2") != decision


class TestHtml:
    """``_repr_html_``: the decisions as a table a notebook shows."""

    def test_an_assessment_has_a_row_per_decision_with_value_rule_and_facts(
        self, assessment: Assessment
    ) -> None:
        """The table holds the severity's value, its rule and the tests it read."""
        text = " ".join(parsed(assessment._repr_html_() or "").text)
        assert "SEV1" in text
        assert "severity.widespread-outage" in text
        assert '[holds] impact.scope == "widespread"' in text

    def test_a_decision_displays_as_a_table(self, assessment: Assessment) -> None:
        """One decision shows as a table of its own."""
        assert "table" in parsed(html(assessment.severity)).tags  # type: ignore[arg-type]

    def test_a_gate_result_has_a_row_per_finding(self, engine: Engine) -> None:
        """Each finding of the gate is one table row (plus the header row)."""
        result = engine.check(SEED)
        assert parsed(result._repr_html_() or "").tags.count("tr") == len(result.findings) + 1

    def test_a_hostile_incident_id_is_escaped_in_an_assessment(self, engine: Engine) -> None:
        """A ``<script>`` in the document's id shows as text, never as a tag."""
        fragment = engine.assess(hostile_seed(), at=SEED_AT)._repr_html_() or ""
        assert ("script" in parsed(fragment).tags, HOSTILE in "".join(parsed(fragment).text)) == (False, True)

    def test_a_hostile_incident_id_is_escaped_in_a_policy_diff(self, engine: Engine) -> None:
        """A ``<script>`` in a changed incident's id shows as text in the diff's table."""
        strict = Engine.default(params={"significant_fraction": 0.9}, backend="native")
        document = hostile_seed()
        document["impact"].update(scope="partial", affected_fraction=0.5, workaround=True)
        fragment = engine.compare(strict, [document], at=SEED_AT)._repr_html_() or ""
        assert ("script" in parsed(fragment).tags, HOSTILE in "".join(parsed(fragment).text)) == (False, True)

    def test_anything_else_is_refused(self) -> None:
        """``html`` of an object it does not render raises TypeError naming its type."""
        with pytest.raises(TypeError, match="got object"):
            html(object())  # type: ignore[arg-type]

    def test_without_a_renderer_a_notebook_falls_back_to_repr(
        self, assessment: Assessment, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With no HTML renderer installed, ``_repr_html_`` is None (the repr shows instead)."""
        monkeypatch.setattr(display, "_renderer", [])
        assert assessment._repr_html_() is None

    def test_reading_a_public_name_installs_the_renderer(
        self, assessment: Assessment, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The package root connects the HTML when a public name is first read from it."""
        import incident_rules

        monkeypatch.setattr(display, "_renderer", [])
        incident_rules.__getattr__("Engine")
        assert "<table>" in (assessment._repr_html_() or "")

    def test_a_hand_built_decision_displays(self) -> None:
        """A decision built by hand (no explanation) still renders its value and rule."""
        decision = Decision("SEV3", "mine.rule", "mine", "A title", "mine.yaml:1")
        assert "mine.rule" in " ".join(parsed(decision._repr_html_() or "").text)
