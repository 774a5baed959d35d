"""incident_rules.testing: assertions for teams testing their own rulesets."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from authoring_samples import AT, PARTIAL, shipped_engine
from incident_rules.testing import assert_decides, assert_lints_clean, assert_policy_tests_pass

SHIPPED_TESTS = Path(__file__).parent.parent / "rules" / "tests" / "shipped.yaml"


class TestAssertDecides:
    """assert_decides passes on the deciding rule and explains any other outcome."""

    def test_it_returns_the_decision_of_the_expected_rule(self) -> None:
        """The rule that decided is returned as the decision."""
        decision = assert_decides(
            shipped_engine(), PARTIAL, at=AT, rule="severity.minor-with-workaround", value="SEV3"
        )
        assert decision.value == "SEV3"

    def test_a_rule_that_did_not_decide_fails_with_the_explanation_and_why_not(self) -> None:
        """The message names what decided, the tests it read, and the change the rule needs."""
        with pytest.raises(AssertionError) as caught:
            assert_decides(shipped_engine(), PARTIAL, at=AT, rule="severity.significant-degradation")
        message = str(caught.value)
        assert "SEV3 by severity.minor-with-workaround" in message
        assert "impact.affected_fraction: 0.08 -> above 0.1" in message

    def test_a_wrong_value_fails_even_when_the_rule_decided(self) -> None:
        """Expecting SEV2 from the SEV3 rule fails."""
        with pytest.raises(AssertionError, match=r"to decide severity = 'SEV2'"):
            assert_decides(
                shipped_engine(), PARTIAL, at=AT, rule="severity.minor-with-workaround", value="SEV2"
            )

    def test_an_unknown_rule_fails_naming_the_rules_there_are(self) -> None:
        """A rule id the engine lacks fails the assertion at once."""
        with pytest.raises(AssertionError, match=r"no rule 'severity\.nope' in this engine"):
            assert_decides(shipped_engine(), PARTIAL, at=AT, rule="severity.nope")

    def test_a_collected_decision_is_found_among_the_others(self) -> None:
        """An escalation rule is found in a collect ruleset's decisions."""
        document = {**PARTIAL, "impact": {**PARTIAL["impact"], "pii_exposed": True}}
        assert assert_decides(shipped_engine(), document, at=AT, rule="escalation.legal").value == "legal"


class TestOtherAssertions:
    """assert_lints_clean and assert_policy_tests_pass."""

    def test_the_shipped_rules_lint_clean(self) -> None:
        """No error on the shipped rules."""
        assert_lints_clean()

    def test_a_gap_fails_the_lint_assertion(self, tmp_path: Path) -> None:
        """A first-hit ruleset with a gap fails with the finding."""
        rules = "ruleset: g\nvalues: [v]\nrules:\n  - {id: g.r, when: impact.data_loss, then: v}\n"
        (tmp_path / "g.yaml").write_text(rules)
        with pytest.raises(AssertionError, match=r"g.yaml:1:1: error: gap"):
            assert_lints_clean(tmp_path)

    def test_the_shipped_policy_tests_pass(self) -> None:
        """The shipped cases pass on the shipped engine."""
        assert_policy_tests_pass(SHIPPED_TESTS, shipped_engine())

    def test_a_failing_case_fails_the_assertion_with_its_line(self, tmp_path: Path) -> None:
        """The failure names the case's file:line and what decided instead."""
        path = tmp_path / "t.yaml"
        path.write_text(
            textwrap.dedent("""
            at: "2025-06-15T14:10:00Z"
            cases:
              - name: wrong
                document:
                  id: I
                  title: t
                  detected_at: "2025-06-15T14:00:00Z"
                  impact: {user_facing: false, scope: none}
                expect: {severity: SEV1}
        """)
        )
        with pytest.raises(
            AssertionError, match=r"t.yaml:4: wrong\n  severity: expected value 'SEV1', got 'SEV4'"
        ):
            assert_policy_tests_pass(path, shipped_engine())
