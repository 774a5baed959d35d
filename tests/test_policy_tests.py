"""Policy tests: YAML cases, failures explained, coverage, JUnit, and the shipped file in CI."""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from authoring_samples import shipped_engine
from incident_rules import Engine, RulesetError
from incident_rules._authoring.junit import junit_xml
from incident_rules._authoring.layers import load_rules
from incident_rules._authoring.policy import read_cases, run_cases
from incident_rules._features import FEATURE_PARAMS
from incident_rules._rulesets import expr
from incident_rules._rulesets.expr import All, AnyOf, Condition, Not, leaves
from incident_rules._rulesets.model import Ruleset

SHIPPED = Path(__file__).parent.parent / "rules" / "tests" / "shipped.yaml"
HEADER = """
base:
  id: T
  title: t
  detected_at: "2025-06-15T14:00:00Z"
  impact: {user_facing: true, scope: minor, workaround: true}
at: "2025-06-15T14:10:00Z"
cases:
"""


def cases_file(directory: Path, cases: str) -> Path:
    path = directory / "cases.yaml"
    path.write_text(
        textwrap.dedent(HEADER).lstrip() + textwrap.indent(textwrap.dedent(cases).strip(), "  ") + "\n"
    )
    return path


def run(path: Path, engine: Any = None) -> Any:
    return run_cases(read_cases(path), engine or shipped_engine(), str(path))


class TestShippedPolicyTests:
    """rules/tests/shipped.yaml passes and covers every shipped rule."""

    def test_every_shipped_case_passes(self) -> None:
        """No case of the shipped policy tests fails."""
        report = run(SHIPPED)
        assert [result.failures for result in report.failed] == []

    def test_every_shipped_rule_decides_in_some_case(self) -> None:
        """Rule coverage of the shipped policy tests is complete."""
        assert run(SHIPPED).coverage.never_decided() == []

    def test_every_test_outcome_is_seen(self) -> None:
        """Each test of each shipped rule is seen true and false where its rule is evaluated."""
        assert run(SHIPPED).coverage.missing_outcomes() == []

    def test_the_loader_does_not_read_the_tests_folder_as_rules(self) -> None:
        """The shipped rulesets are the files of rules/, not rules/tests/."""
        assert all("tests" not in ruleset.file for ruleset in shipped_engine().rulesets)


class TestFailures:
    """A failing case says what decided instead and what the expected rule lacked."""

    def test_a_wrong_value_names_the_rule_that_decided_and_its_tests(self, tmp_path: Path) -> None:
        """Expecting SEV2 for the base case reports the SEV3 rule with the values it read."""
        path = cases_file(tmp_path, "- {name: wrong, merge: {}, expect: {severity: SEV2}}")
        (result,) = run(path).failed
        (failure,) = result.failures
        assert failure.startswith(
            "severity: expected value 'SEV2', got 'SEV3': SEV3 by severity.minor-with-workaround"
        )
        assert "impact.workaround (read True)" in failure

    def test_a_wrong_rule_comes_with_its_why_not(self, tmp_path: Path) -> None:
        """Expecting the data-loss rule shows the change that would make it hold."""
        path = cases_file(
            tmp_path,
            "- {name: r, merge: {}, expect: {severity: SEV3}, rules: {severity: severity.data-loss}}",
        )
        (result,) = run(path).failed
        assert "impact.data_loss: false -> true" in "\n".join(result.failures)

    def test_a_case_whose_document_is_invalid_fails_with_the_error(self, tmp_path: Path) -> None:
        """A bad scope is a failed case naming the path, not a crash."""
        path = cases_file(
            tmp_path, "- {name: bad, merge: {impact: {scope: global}}, expect: {severity: SEV1}}"
        )
        (result,) = run(path).failed
        assert "impact.scope" in result.failures[0]

    def test_an_unknown_ruleset_in_expect_is_a_failure(self, tmp_path: Path) -> None:
        """expect: {severty: ...} fails, listing the rulesets there are."""
        path = cases_file(tmp_path, "- {name: typo, merge: {}, expect: {severty: SEV3}}")
        (result,) = run(path).failed
        assert result.failures[0].startswith("severty: no such ruleset in this engine (severity, ")

    def test_the_base_is_not_changed_by_a_merge(self, tmp_path: Path) -> None:
        """Two cases merging different scopes each see the base's own values."""
        path = cases_file(
            tmp_path,
            """
            - {name: one, merge: {impact: {scope: cosmetic}}, expect: {severity: SEV4}}
            - {name: two, merge: {}, expect: {severity: SEV3}}
        """,
        )
        assert run(path).failed == ()


class TestFileErrors:
    """A policy-tests file with mistakes reports every one with file:line:col."""

    def test_a_case_with_both_document_and_merge_is_refused(self, tmp_path: Path) -> None:
        """document and merge together are an error at the case."""
        path = cases_file(tmp_path, "- {name: both, document: {}, merge: {}, expect: {severity: SEV1}}")
        with pytest.raises(
            RulesetError, match=r"cases.yaml:8:\d+: case 'both': give either a document or a merge"
        ):
            read_cases(path)

    def test_every_problem_is_reported_at_once(self, tmp_path: Path) -> None:
        """A case without expectations and one with an unknown key are both reported."""
        path = cases_file(
            tmp_path,
            """
            - {name: nothing, merge: {}}
            - {name: typo, merge: {}, expcet: {severity: SEV1}}
        """,
        )
        with pytest.raises(RulesetError) as caught:
            read_cases(path)
        messages = " | ".join(caught.value.problems)
        assert "case 'nothing': expects nothing" in messages
        assert "unknown key 'expcet' in a case (did you mean 'expect'?)" in messages

    def test_a_missing_file_is_a_ruleset_error(self, tmp_path: Path) -> None:
        """Reading a file that is not there names it."""
        with pytest.raises(RulesetError, match="cannot read policy tests"):
            read_cases(tmp_path / "nope.yaml")


class TestCoverageAndJunit:
    """Coverage counts what the cases exercised; JUnit XML lists each case."""

    def test_one_case_leaves_the_other_rules_uncovered(self, tmp_path: Path) -> None:
        """A single SEV3 case does not make the SEV1 rules decide."""
        path = cases_file(tmp_path, "- {name: one, merge: {}, expect: {severity: SEV3}}")
        coverage = run(path).coverage
        assert "severity.widespread-outage" in coverage.never_decided()
        assert "severity.minor-with-workaround" not in coverage.never_decided()

    def test_junit_has_one_testcase_per_case_and_the_failures(self, tmp_path: Path) -> None:
        """Two cases, one failing: tests=2 failures=1, the failure text inside."""
        path = cases_file(
            tmp_path,
            """
            - {name: good, merge: {}, expect: {severity: SEV3}}
            - {name: bad, merge: {}, expect: {severity: SEV1}}
        """,
        )
        suite = ET.fromstring(junit_xml(run(path)))
        assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
        failure = suite.find("testcase[@name='bad']/failure")
        assert failure is not None
        assert "expected value 'SEV1'" in (failure.text or "")


def _replace(condition: Condition, target: expr.Test, value: Any) -> Condition:
    if condition is target:
        return attrs.evolve(target, operand=attrs.evolve(target.operand, value=value))
    if isinstance(condition, (All, AnyOf)):
        return type(condition)(tuple(_replace(item, target, value) for item in condition.items))
    if isinstance(condition, Not):
        return Not(_replace(condition.item, target, value))
    return condition


def _nudged(value: float) -> tuple[float, float]:
    return (1.0, -1.0) if value == 0 else (value * 1.5, value * 0.5)


def _mutations() -> list[tuple[str, Callable[[], Engine]]]:
    """Every threshold of the shipped decisions moved up and down: params and numbers in rules.

    The quality gate's thresholds are held by its own passing and failing records
    (``test_gate``); the policy tests are about decisions.
    """
    loaded = load_rules()
    deciding = [r for r in loaded.rulesets if not r.is_gate]
    read = {t.operand.param for r in deciding for rule in r.rules for t in leaves(rule.condition)}
    numeric = {"duration", "fraction", "number"}
    mutations: list[tuple[str, Callable[[], Engine]]] = []
    for name in sorted((read | set(FEATURE_PARAMS)) - {None}):
        spec = loaded.params[str(name)]
        for value in _nudged(spec.default) if spec.kind in numeric else ():
            moved = min(value, 1.0) if spec.kind == "fraction" else value
            overrides = {spec.name: moved}
            mutations.append(
                (f"{name}={moved:g}", lambda o=overrides: Engine.default(params=o, backend="native"))
            )
    for index, ruleset in enumerate(loaded.rulesets):
        if ruleset.is_gate:
            continue
        for number, rule in enumerate(ruleset.rules):
            for test in leaves(rule.condition):
                if isinstance(test.operand.value, (int, float)) and not isinstance(test.operand.value, bool):
                    for value in _nudged(test.operand.value):
                        changed = attrs.evolve(rule, condition=_replace(rule.condition, test, value))
                        rules = (*ruleset.rules[:number], changed, *ruleset.rules[number + 1 :])
                        rulesets: tuple[Ruleset, ...] = (
                            *loaded.rulesets[:index],
                            attrs.evolve(ruleset, rules=rules),
                            *loaded.rulesets[index + 1 :],
                        )
                        label = f"{rule.id}:{test.text}->{value:g}"
                        mutations.append(
                            (label, lambda r=rulesets: Engine(r, loaded.params, backend="native"))
                        )
    return mutations


MUTATIONS = _mutations()


@pytest.mark.parametrize(("label", "engine"), MUTATIONS, ids=[label for label, _ in MUTATIONS])
def test_moving_any_threshold_makes_a_shipped_policy_test_fail(
    label: str, engine: Callable[[], Engine]
) -> None:
    """A shipped threshold moved up or down is caught by at least one shipped case."""
    assert run(SHIPPED, engine()).failed, f"no shipped case notices {label}"
