"""Lint: load errors all at once, and exact gaps, shadowed rules, overlaps and dead conditions."""

from __future__ import annotations

import itertools
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from authoring_samples import write
from incident_rules import Engine, RulesetError, lint
from incident_rules._authoring import space
from incident_rules._rulesets.expr import parse
from interpreter import justify

AT = "2025-01-01T00:10:00Z"


def codes(report: Any) -> list[tuple[str, int, str]]:
    return [(Path(f.file).name, f.line, f.code) for f in report.findings]


class TestShippedRules:
    """The shipped rules lint clean."""

    def test_the_shipped_rules_have_no_findings(self) -> None:
        """No error and no warning on rules/."""
        assert lint().findings == ()

    def test_every_shipped_ruleset_is_enumerated(self) -> None:
        """Each shipped ruleset is checked on at least one cell."""
        names = {ruleset.name for ruleset in Engine.default(backend="native").rulesets}
        assert set(lint().cells) == names


class TestPlantedProblems:
    """A directory with a planted gap, a shadowed rule, an overlap and dead code."""

    @pytest.fixture
    def planted(self, tmp_path: Path) -> Path:
        write(
            tmp_path,
            "triage.yaml",
            """
            ruleset: triage
            values: [page, ticket, ignore]
            params:
              big_share: {type: fraction, default: 0.3, description: never read}
            rules:
              - {id: triage.page, when: 'impact.scope == "widespread" and impact.user_facing', then: page}
              - id: triage.page-again
                when: 'impact.scope == "widespread" and impact.user_facing and not impact.workaround'
                then: page
              - id: triage.ticket
                when: 'impact.scope == "partial" and impact.affected_fraction > 0.2'
                then: ticket
              - {id: triage.ignore, when: 'impact.scope in ["none", "cosmetic"]', then: ignore}
        """,
        )
        write(
            tmp_path,
            "owner.yaml",
            """
            ruleset: owner
            hit: unique
            values: [platform, product, a]
            rules:
              - {id: owner.platform, when: impact.data_loss or impact.internal_only, then: platform}
              - {id: owner.product, when: impact.user_facing or not impact.data_loss, then: product}
              - id: owner.never
                when: impact.affected_fraction > 0.5 and impact.affected_fraction < 0.2
                then: a
              - {id: owner.always, when: impact.internal_only or not impact.internal_only, then: a}
        """,
        )
        return tmp_path

    def test_each_planted_problem_is_found_at_its_line(self, planted: Path) -> None:
        """Gap, unreachable, overlaps, never-true, always-true and the unused param, nothing else."""
        found = codes(lint(planted))
        assert ("triage.yaml", 1, "gap") in found
        assert ("triage.yaml", 7, "unreachable") in found
        assert ("triage.yaml", 4, "unused-param") in found
        assert ("owner.yaml", 6, "overlap") in found
        assert ("owner.yaml", 7, "never-true") in found
        assert ("owner.yaml", 10, "always-true") in found
        assert {code for _, _, code in found} == {
            "gap",
            "unreachable",
            "unused-param",
            "overlap",
            "never-true",
            "always-true",
        }

    def test_a_gap_example_decides_nothing_when_assessed(self, planted: Path) -> None:
        """The gap's example document, assessed, gets no triage decision."""
        (gap,) = [f for f in lint(planted).findings if f.code == "gap" and f.file.endswith("triage.yaml")]
        engine = Engine.from_path(planted / "triage.yaml", backend="native")
        assert engine.assess(gap.document, at=AT).decisions["triage"] is None

    def test_an_unreachable_example_is_taken_by_the_earlier_rule(self, planted: Path) -> None:
        """The shadowed rule holds on its example, but the earlier rule decides."""
        (finding,) = [f for f in lint(planted).findings if f.code == "unreachable"]
        assessment = Engine.from_path(planted / "triage.yaml", backend="native").assess(
            finding.document, at=AT
        )
        assert assessment.decisions["triage"].rule == "triage.page"
        assert assessment.why_not("triage.page-again").holds

    def test_an_overlap_example_makes_the_unique_ruleset_fail(self, planted: Path) -> None:
        """Assessing the overlap's example raises: two rules of a unique ruleset hold."""
        overlap = next(f for f in lint(planted).findings if f.code == "overlap")
        engine = Engine.from_path(planted / "owner.yaml", backend="native")
        with pytest.raises(RulesetError, match="is unique, but rules"):
            engine.assess(overlap.document, at=AT)

    def test_errors_come_with_a_file_line_and_severity(self, planted: Path) -> None:
        """Each finding prints as file:line:col: severity: message [code]."""
        text = lint(planted).text()
        assert f"{planted / 'triage.yaml'}:7:1: error: rule 'triage.page-again' is unreachable" in text


class TestDecisionDomains:
    """A ruleset reading another's decision is enumerated over the values it can really take."""

    def test_a_revised_decision_counts_each_value_once(self, tmp_path: Path) -> None:
        """A reader of a revised decision sees each of its values in one cell each, plus none."""
        write(
            tmp_path,
            "a.yaml",
            "ruleset: a\nvalues: [x, y]\nrules:\n  - {id: a.x, when: impact.data_loss, then: x}\n",
        )
        write(
            tmp_path,
            "b.yaml",
            """
            ruleset: b
            revises: a
            values: [x]
            rules:
              - {id: b.x, when: decisions.a == "y" and impact.workaround, then: x}
        """,
        )
        write(
            tmp_path,
            "c.yaml",
            """
            ruleset: c
            hit: collect
            uses: [a]
            values: [z]
            rules:
              - {id: c.z, when: decisions.a == "x", then: z}
        """,
        )
        report = lint(tmp_path)
        assert report.cells["c"] == len(["x", "none"])


class TestLoadErrors:
    """What the loader rejects is reported by lint, every problem at once."""

    def test_every_load_problem_is_a_finding(self, tmp_path: Path) -> None:
        """A misspelled field, an unknown value and a cycle are all reported."""
        write(
            tmp_path,
            "a.yaml",
            """
            ruleset: a
            values: [x]
            uses: [b]
            rules:
              - {id: a.one, when: impact.scoep == "minor", then: y}
        """,
        )
        write(
            tmp_path,
            "b.yaml",
            "ruleset: b\nvalues: [x]\nuses: [a]\nrules:\n  - {id: b.one, when: true, then: x}\n",
        )
        report = lint(tmp_path)
        messages = " | ".join(f.message for f in report.findings)
        assert {f.code for f in report.findings} == {"load"}
        assert "unknown field 'impact.scoep'" in messages
        assert "then 'y' is not one of the ruleset's values" in messages
        assert "cycle" in messages

    def test_a_load_problem_keeps_its_position(self, tmp_path: Path) -> None:
        """The finding carries the loader's line and column."""
        path = write(
            tmp_path,
            "a.yaml",
            "ruleset: a\nvalues: [x]\nrules:\n  - {id: a.one, when: impact.scoep, then: x}\n",
        )
        (finding,) = lint(path).findings
        assert (finding.file, finding.line, finding.col, finding.severity) == (str(path), 4, 23, "error")


# Generated rulesets over a few impact fields, checked against an independent brute force:
# every combination of the fields, the fraction at each threshold and between them.
_ATOMS = [
    "impact.user_facing",
    "not impact.workaround",
    'impact.scope == "partial"',
    'impact.scope in ["minor", "partial"]',
    'impact.scope != "widespread"',
    "impact.affected_fraction > 0.2",
    "impact.affected_fraction <= 0.5",
    "not impact.affected_fraction > 0.2",
]
_GRID = [
    {"impact.user_facing": uf, "impact.workaround": wa, "impact.scope": scope, **fraction}
    for uf, wa, scope, fraction in itertools.product(
        (True, False),
        (True, False),
        ("none", "cosmetic", "minor", "partial", "widespread"),
        [{}] + [{"impact.affected_fraction": f} for f in (0, 0.1, 0.2, 0.3, 0.5, 0.7, 1)],
    )
]

conditions = st.lists(st.sampled_from(_ATOMS), min_size=1, max_size=2, unique=True).map(" and ".join)


def _yaml(hit: str, whens: list[str]) -> str:
    rules = "".join(f"  - id: g.r{i}\n    when: '{when}'\n    then: v\n" for i, when in enumerate(whens))
    return f"ruleset: g\nhit: {hit}\nvalues: [v]\nrules:\n{rules}"


def _truth(whens: list[str]) -> list[list[int]]:
    """For each grid point, the rules that hold there (by the test interpreter)."""
    parsed = [parse(when) for when in whens]
    return [[i for i, c in enumerate(parsed) if justify(c, point)[0]] for point in _GRID]


def _lint(hit: str, whens: list[str]) -> list[tuple[str, int, str]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "g.yaml"
        path.write_text(_yaml(hit, whens), encoding="utf-8")
        return [(f.code, f.line, f.message) for f in lint(path).findings]


def _rule_line(index: int) -> int:
    return 5 + 3 * index


class TestGeneratedRulesets:
    """Generated rulesets: lint finds exactly what a brute force over the inputs finds."""

    @given(st.lists(conditions, min_size=1, max_size=4))
    def test_a_gap_is_reported_exactly_when_some_input_matches_no_rule(self, whens: list[str]) -> None:
        """Under first, 'gap' appears if and only if some grid input matches no rule."""
        has_gap = any(not held for held in _truth(whens))
        assert any(code == "gap" for code, _, _ in _lint("first", whens)) == has_gap

    @given(st.lists(conditions, min_size=2, max_size=4))
    def test_shadowed_rules_are_exactly_those_never_first(self, whens: list[str]) -> None:
        """Under first, the unreachable rules are those that hold somewhere but are never first."""
        truth = _truth(whens)
        holds = {i for held in truth for i in held}
        first = {held[0] for held in truth if held}
        expected = {_rule_line(i) for i in holds - first}
        assert {line for code, line, _ in _lint("first", whens) if code == "unreachable"} == expected

    @given(conditions, st.lists(conditions, max_size=2))
    def test_a_planted_copy_of_an_earlier_rule_is_shadowed(self, when: str, between: list[str]) -> None:
        """A rule repeated later (and holding somewhere) is reported unreachable at the copy."""
        whens = [when, *between, when]
        assume(any(0 in held for held in _truth(whens)))
        found = _lint("first", whens)
        assert ("unreachable", _rule_line(len(whens) - 1)) in {(code, line) for code, line, _ in found}

    @given(st.lists(conditions, min_size=2, max_size=4))
    def test_overlaps_are_exactly_the_pairs_that_hold_together(self, whens: list[str]) -> None:
        """Under unique, each reported overlap is a pair holding together on some input, and all are."""
        pairs = {pair for held in _truth(whens) for pair in itertools.combinations(held, 2)}
        found = {line for code, line, _ in _lint("unique", whens) if code == "overlap"}
        assert found == {_rule_line(b) for _, b in pairs}

    @given(st.lists(conditions, min_size=1, max_size=3))
    def test_a_ruleset_closed_by_a_catch_all_has_no_gap(self, whens: list[str]) -> None:
        """Appending 'when: true' removes every gap finding."""
        assert all(code != "gap" for code, _, _ in _lint("first", [*whens, "true"]))

    @given(st.lists(conditions, min_size=1, max_size=3))
    def test_gap_examples_match_no_rule_when_assessed(self, whens: list[str]) -> None:
        """The gap's example, assessed by the engine, gets no decision from the ruleset."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "g.yaml"
            path.write_text(_yaml("first", whens), encoding="utf-8")
            gaps = [f for f in lint(path).findings if f.code == "gap"]
            assume(gaps)
            engine = Engine.from_path(path, backend="native")
            assert engine.assess(gaps[0].document, at=AT).decisions["g"] is None


def test_a_ruleset_past_the_cell_cap_is_reported_not_guessed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the cap severity is not enumerated (a warning); its readers see every value it has."""
    monkeypatch.setattr(space, "MAX_CELLS", 900)
    report = lint()
    assert {finding.code for finding in report.findings} == {"too-large"}
    assert "rules/severity.yaml" in {finding.file for finding in report.findings}
    assert "more than the 900 lint enumerates" in report.findings[0].message
    assert "communication" in report.cells


def test_findings_serialize_to_json() -> None:
    """A report's dict form is JSON data."""
    assert json.loads(json.dumps(lint().to_dict()))["findings"] == []
