"""The Markdown artifacts: golden files for the seed, any record renders, the Markdown holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from incident_rules import Engine, Incident, InvalidIncident, RulesetError, render
from incident_rules._gate.review import record_end
from strategies import incident_documents
from strategies.records import gate_records

ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden"
SEED = Incident.from_dict(json.loads((ROOT / "examples" / "inc-2025-0142.json").read_text(encoding="utf-8")))
ENGINE = Engine.default(backend="native")
MARKDOWN = MarkdownIt("commonmark").enable("table")


def at_end(incident: Incident) -> Any:
    return ENGINE.assess(incident, at=record_end(incident))


def tokens(text: str) -> list[Token]:
    return MARKDOWN.parse(text)


def table_rows(text: str) -> list[int]:
    """The number of cells of each body row of the document's tables."""
    rows, cells, in_body = [], 0, False
    for token in tokens(text):
        if token.type in ("tbody_open", "tbody_close"):
            in_body = token.type == "tbody_open"
        elif in_body and token.type == "tr_open":
            cells = 0
        elif in_body and token.type == "td_open":
            cells += 1
        elif in_body and token.type == "tr_close":
            rows.append(cells)
    return rows


def headings(text: str) -> list[str]:
    found = tokens(text)
    return [found[i + 1].content for i, t in enumerate(found) if t.type == "heading_open"]


def with_changes(**changes: Any) -> Incident:
    """The seed with top-level fields replaced."""
    document = SEED.to_dict() | changes
    return Incident.from_dict(document)


class TestGolden:
    """The seed's three artifacts, byte for byte."""

    def test_the_incident_report_is_the_golden_one(self) -> None:
        """The report of the seed at its end matches tests/golden/inc-2025-0142.report.md."""
        expected = (GOLDEN / "inc-2025-0142.report.md").read_text(encoding="utf-8")
        assert render.report(SEED, at_end(SEED)) == expected

    def test_the_postmortem_is_the_golden_one(self) -> None:
        """The postmortem of the seed matches tests/golden/inc-2025-0142.postmortem.md."""
        expected = (GOLDEN / "inc-2025-0142.postmortem.md").read_text(encoding="utf-8")
        assert render.postmortem(SEED) == expected

    def test_the_stakeholder_update_is_the_golden_one(self) -> None:
        """The 15:00 stakeholder update of the seed matches tests/golden/inc-2025-0142.update.md."""
        expected = (GOLDEN / "inc-2025-0142.update.md").read_text(encoding="utf-8")
        assert render.update(SEED, ENGINE.assess(SEED, at="2025-06-15T15:00:00Z")) == expected


class TestReport:
    """The incident report takes what a rule decides from the record and the assessment."""

    def test_the_severity_is_the_assessments(self) -> None:
        """A SEV4 assessment of the same record shows SEV4, not what a human typed."""
        cosmetic = with_changes(impact={"user_facing": False, "scope": "cosmetic"})
        assert "**Severity:** SEV4\n" in render.report(cosmetic, at_end(cosmetic))

    def test_the_timeline_has_one_row_per_entry(self) -> None:
        """Thirteen timeline entries give thirteen two-cell rows."""
        assert table_rows(render.report(SEED, at_end(SEED))) == [2] * len(SEED.timeline)

    def test_an_unresolved_incident_is_ongoing(self) -> None:
        """With no resolved entry, the duration runs from detection and says ongoing."""
        ongoing = with_changes(timeline=[e for e in SEED.to_dict()["timeline"] if e["kind"] != "resolved"])
        assert "**Duration:** 2025-06-15 14:23 UTC → ongoing\n" in render.report(ongoing, at_end(ongoing))

    def test_missing_sections_render_placeholders(self) -> None:
        """No impact summary, timeline or postmortem: each section says so."""
        bare = Incident.from_dict(
            {
                "id": "X",
                "title": "T",
                "detected_at": "2025-06-15T14:23:00Z",
                "impact": {"user_facing": True, "scope": "minor"},
            }
        )
        text = render.report(bare, at_end(bare))
        for placeholder in (
            "No impact summary",
            "No timeline",
            "No root cause",
            "No mitigation",
            "No action items",
        ):
            assert f"_{placeholder} recorded._" in text

    def test_an_assessment_of_another_incident_is_refused(self) -> None:
        """Rendering INC-2025-0142 with another incident's assessment is an error naming both."""
        other = with_changes(id="INC-1")
        with pytest.raises(InvalidIncident, match="'INC-1', not of 'INC-2025-0142'"):
            render.report(SEED, at_end(other))

    def test_a_document_renders_like_its_incident(self) -> None:
        """An incident document (a dict) gives the same report as the Incident built from it."""
        assert render.report(SEED.to_dict(), at_end(SEED)) == render.report(SEED, at_end(SEED))

    def test_something_else_than_an_assessment_is_refused(self) -> None:
        """Passing the incident twice is an error naming the assessment argument."""
        with pytest.raises(InvalidIncident, match="assessment: expected an Assessment"):
            render.report(SEED, SEED)  # type: ignore[arg-type]


HOSTILE = st.sampled_from(
    [
        "a | b",
        "| x | y |",
        "line\n| 1 | 2 |\n",
        "# heading",
        "```",
        "\\",
        "- item",
        "1. one",
        "> quote",
        "<b>|</b>",
    ]
)


class TestHostileText:
    """Text from the record cannot break the Markdown structure."""

    @given(texts=st.lists(st.one_of(HOSTILE, st.text(max_size=20)), min_size=1, max_size=6))
    def test_timeline_text_cannot_add_rows_or_columns(self, texts: list[str]) -> None:
        """Pipes, line breaks and block markers in entries leave one two-cell row per entry."""
        timeline = [{"at": "2025-06-15T14:23:00Z", "kind": "note", "text": text} for text in texts]
        incident = with_changes(timeline=timeline)
        assert table_rows(render.report(incident, at_end(incident))) == [2] * len(texts)

    @given(text=st.one_of(HOSTILE, st.text(max_size=20)))
    def test_a_title_or_root_cause_cannot_add_headings(self, text: str) -> None:
        """The report has exactly its own seven headings whatever the title and root cause say."""
        document = SEED.to_dict()
        document["title"] = text
        document["postmortem"]["root_cause"] = text
        incident = Incident.from_dict(document)
        found = headings(render.report(incident, at_end(incident)))
        assert found[1:] == ["Impact", "Timeline", "Root Cause", "Mitigation", "Action Items"]
        assert len(found) == 6


class TestAnyRecord:
    """Rendering never fails on a valid record, and the Markdown holds its structure."""

    @given(document=st.one_of(incident_documents(), gate_records()))
    def test_every_artifact_renders_and_parses(self, document: dict[str, Any]) -> None:
        """Report, postmortem and update render and parse with all their sections, one row per entry."""
        incident = Incident.from_dict(document)
        assessment = at_end(incident)
        report = render.report(incident, assessment)
        assert table_rows(report) == [2] * len(incident.timeline)
        assert headings(report)[1:] == ["Impact", "Timeline", "Root Cause", "Mitigation", "Action Items"]
        sections = ["5 Whys Analysis", "Contributing Factors (not root causes)", "What Went Well"]
        assert headings(render.postmortem(incident))[1:] == [*sections, "Lessons Learned", "Action Items"]
        assert [t.type for t in tokens(render.update(incident, assessment))].count("paragraph_open") == 6


class TestUpdate:
    """The stakeholder update: number, severity and next update from the record and the plan."""

    def test_the_number_counts_the_audiences_updates_posted_by_then(self) -> None:
        """At 15:30 the seed has posted five stakeholder updates: this is #5."""
        assert "— Update #5 (15:30 UTC)**" in render.update(
            SEED, ENGINE.assess(SEED, at="2025-06-15T15:30:00Z")
        )

    def test_before_the_first_update_it_is_number_one_to_be_written(self) -> None:
        """At 14:25 no stakeholder update was posted: #1, its text still to be written."""
        text = render.update(SEED, ENGINE.assess(SEED, at="2025-06-15T14:25:00Z"))
        assert "Update #1 (14:25 UTC)" in text
        assert "**What happened:** _not written_" in text

    def test_the_next_update_is_the_plans_deadline(self) -> None:
        """At 15:00 the SEV1 plan wants the next stakeholder update at 15:15."""
        text = render.update(SEED, ENGINE.assess(SEED, at="2025-06-15T15:00:00Z"))
        assert "**Next update:** 15:15 UTC or sooner if status changes" in text

    def test_once_resolved_no_next_update_is_planned(self) -> None:
        """After resolution the plan has no recurring update."""
        text = render.update(SEED, ENGINE.assess(SEED, at="2025-06-15T16:00:00Z"))
        assert "**Next update:** none planned" in text

    def test_another_audience_is_numbered_on_its_own(self) -> None:
        """At 15:00 the status page has had two updates."""
        text = render.update(SEED, ENGINE.assess(SEED, at="2025-06-15T15:00:00Z"), audience="status_page")
        assert "Update #2 (15:00 UTC)" in text

    def test_an_unknown_audience_is_refused(self) -> None:
        """audience='press' names the audiences there are."""
        with pytest.raises(InvalidIncident, match="audience: must be one of status_page, stakeholders"):
            render.update(SEED, ENGINE.assess(SEED, at="2025-06-15T15:00:00Z"), audience="press")


class TestTemplates:
    """Templates come from the package, or from a directory that overrides them by name."""

    def test_a_users_template_replaces_the_shipped_one(self, tmp_path: Path) -> None:
        """report.md.j2 in the directory is used; the other artifacts stay the shipped ones."""
        (tmp_path / "report.md.j2").write_text("{{ id }} is {{ severity }}\n", encoding="utf-8")
        assert render.report(SEED, at_end(SEED), templates=tmp_path) == "INC-2025-0142 is SEV1\n"
        assert render.postmortem(SEED, templates=tmp_path) == render.postmortem(SEED)

    def test_a_missing_directory_is_refused(self, tmp_path: Path) -> None:
        """templates= must be a directory."""
        with pytest.raises(RulesetError, match="templates: expected a directory"):
            render.postmortem(SEED, templates=tmp_path / "nope")

    def test_a_broken_template_names_its_line(self, tmp_path: Path) -> None:
        """A syntax error in a user's template is a RulesetError with file and line."""
        (tmp_path / "postmortem.md.j2").write_text("ok\n{% for %}\n", encoding="utf-8")
        with pytest.raises(RulesetError, match=r"postmortem\.md\.j2:2: template error"):
            render.postmortem(SEED, templates=tmp_path)

    def test_an_unknown_name_in_a_template_is_refused(self, tmp_path: Path) -> None:
        """A template reading a value the renderer does not give fails clearly, not silently."""
        (tmp_path / "postmortem.md.j2").write_text("{{ nothing }}\n", encoding="utf-8")
        with pytest.raises(RulesetError, match="'nothing' is undefined"):
            render.postmortem(SEED, templates=tmp_path)
