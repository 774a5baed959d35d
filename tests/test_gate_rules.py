"""Rules files with ``hit: check``: what a quality gate may say, and the errors when it may not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_rules import Engine, RulesetError

ROOT = Path(__file__).parent.parent
SEED = json.loads((ROOT / "examples" / "inc-2025-0142.json").read_text(encoding="utf-8"))
PARAMS = (ROOT / "rules" / "params.yaml").read_text(encoding="utf-8")


def engine_for(tmp_path: Path, rules: str) -> Engine:
    (tmp_path / "params.yaml").write_text(PARAMS, encoding="utf-8")
    (tmp_path / "gate.yaml").write_text(rules, encoding="utf-8")
    return Engine.from_path(tmp_path, backend="native")


def problems(tmp_path: Path, rules: str) -> tuple[str, ...]:
    with pytest.raises(RulesetError) as caught:
        engine_for(tmp_path, rules)
    return caught.value.problems


class TestCheckRulesets:
    """A gate of one's own is read, checked and run like the shipped one."""

    def test_a_custom_gate_runs_with_applies(self, tmp_path: Path) -> None:
        """A check that applies passes or fails on its condition; one that does not is not applicable."""
        engine = engine_for(
            tmp_path,
            "ruleset: mine\nhit: check\nrules:\n"
            "  - id: mine.has-updates\n    when: gate.updates > 3\n"
            "  - id: mine.never\n    applies: impact.internal_only\n    when: gate.updates > 100\n",
        )
        result = engine.check(SEED)
        assert [(f.check, f.status) for f in result.findings] == [
            ("mine.has-updates", "passed"),
            ("mine.never", "not_applicable"),
        ]

    def test_a_check_that_does_not_hold_fails_the_gate(self, tmp_path: Path) -> None:
        """One failing check makes the result not passed."""
        engine = engine_for(
            tmp_path, "ruleset: mine\nhit: check\nrules:\n  - id: mine.x\n    when: gate.updates > 100\n"
        )
        assert not engine.check(SEED).passed

    def test_assess_does_not_run_the_gate(self, tmp_path: Path) -> None:
        """A gate's findings are not among an assessment's decisions."""
        engine = engine_for(
            tmp_path, "ruleset: mine\nhit: check\nrules:\n  - id: mine.x\n    when: gate.updates > 1\n"
        )
        assert "mine" not in engine.assess(SEED, at="2025-06-15T14:30:00Z").decisions


class TestCheckErrors:
    """Misplaced keys and paths are load-time errors with file:line:col."""

    def test_a_check_names_no_value(self, tmp_path: Path) -> None:
        """'then' in a check is refused where it is written."""
        (problem,) = problems(
            tmp_path, "ruleset: mine\nhit: check\nrules:\n  - id: mine.x\n    when: true\n    then: passed\n"
        )
        assert problem.endswith("gate.yaml:6:11: 'then' does not belong in a check (hit: check)")

    def test_applies_belongs_to_checks_only(self, tmp_path: Path) -> None:
        """'applies' in a decision rule is refused."""
        rules = (
            "ruleset: mine\nvalues: [a]\nrules:\n  - id: mine.x\n    when: true\n"
            "    applies: true\n    then: a\n"
        )
        (problem,) = problems(tmp_path, rules)
        assert problem.endswith("gate.yaml:6:14: 'applies' does not belong in a decision rule (hit: first)")

    def test_a_decision_rule_cannot_read_gate_facts(self, tmp_path: Path) -> None:
        """gate.* is about the whole record: a decision ruleset reading it is refused."""
        rules = (
            "ruleset: mine\nvalues: [a]\nrules:\n  - id: mine.x\n    when: gate.updates > 1\n    then: a\n"
        )
        (problem,) = problems(tmp_path, rules)
        assert "gate.updates is about the whole record: only a quality gate (hit: check) reads it" in problem

    def test_an_unknown_path_in_applies_is_named_with_its_position(self, tmp_path: Path) -> None:
        """A typo in applies is found at load time, with a suggestion."""
        rules = (
            "ruleset: mine\nhit: check\nrules:\n  - id: mine.x\n"
            "    applies: impact.internal_onl\n    when: true\n"
        )
        (problem,) = problems(tmp_path, rules)
        assert problem.endswith(
            "gate.yaml:5:14: unknown field 'impact.internal_onl' (did you mean 'impact.internal_only'?)"
        )

    def test_no_ruleset_may_use_a_gate(self, tmp_path: Path) -> None:
        """A gate's findings are not decisions: 'uses' of a gate is refused."""
        (tmp_path / "other.yaml").write_text(
            "ruleset: other\nvalues: [a]\nuses: [mine]\nrules:\n"
            "  - id: other.x\n    when: true\n    then: a\n",
            encoding="utf-8",
        )
        (problem,) = problems(tmp_path, "ruleset: mine\nhit: check\nrules:\n  - id: mine.x\n    when: true\n")
        assert "uses 'mine', a quality gate (hit: check): its findings are not decisions" in problem
