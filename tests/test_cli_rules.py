"""The rule-authoring commands: rules list/show/params/lint/test/graph and why-not."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner, Result

from incident_rules._cli import ExitCode, main

ROOT = Path(__file__).parent.parent
SEED = ROOT / "examples" / "inc-2025-0142.json"
SEED_AT = "2025-06-15T14:30:00Z"
SHIPPED_TESTS = ROOT / "rules" / "tests" / "shipped.yaml"
CUSTOM = ROOT / "examples" / "custom-rules"


HEADER = """at: "2025-06-15T14:30:00Z"
base: {id: I, title: t, detected_at: "2025-06-15T14:00:00Z", impact: {user_facing: false, scope: none}}
cases:
"""


def run(*args: str) -> Result:
    """``incident-rules`` run in-process, stdout and stderr apart."""
    return CliRunner().invoke(main, [str(arg) for arg in args])


def gap_dir(directory: Path) -> Path:
    rules = "ruleset: g\nvalues: [v]\nrules:\n  - {id: g.r, when: impact.data_loss, then: v}\n"
    (directory / "g.yaml").write_text(rules, encoding="utf-8")
    return directory


class TestRulesListShowParams:
    """Listing rulesets, showing one, and the params."""

    def test_list_shows_shipped_and_custom_rulesets_with_their_files(self) -> None:
        """With --extend, owner is custom and severity is shipped but overridden."""
        result = run("rules", "list", "--rules", CUSTOM, "--extend")
        assert result.exit_code == ExitCode.DONE
        lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
        assert "custom" in lines["owner"]
        assert "shipped, overridden" in lines["severity"]

    def test_show_resolves_params_in_conditions(self) -> None:
        """rules show severity prints params.significant_fraction with its value."""
        result = run("rules", "show", "severity", "--param", "significant_fraction=0.2")
        assert "params.significant_fraction (0.2)" in result.stdout

    def test_show_puts_each_value_under_its_own_column(self) -> None:
        """Under "then" stands a severity, under "source" a file:line, under "when" the condition."""
        lines = run("rules", "show", "severity").stdout.splitlines()
        header, first = lines[1], lines[2]
        columns = {name: header.index(name) for name in ("then", "source", "when")}
        assert first[columns["then"] :].startswith("SEV1")
        assert first[columns["source"] :].startswith("rules/severity.yaml:")
        assert first[columns["when"] :].startswith("impact.")

    def test_show_of_an_unknown_ruleset_is_a_usage_error(self) -> None:
        """rules show severty exits 2 with a suggestion."""
        result = run("rules", "show", "severty")
        assert result.exit_code == ExitCode.USAGE
        assert "did you mean 'severity'" in result.stderr

    def test_params_marks_an_override_from_a_params_file(self) -> None:
        """The params file's significant_fraction is shown as overridden."""
        result = run("rules", "params", "--params-file", ROOT / "examples" / "custom-params.yaml")
        (line,) = [line for line in result.stdout.splitlines() if line.startswith("significant_fraction")]
        assert "0.05 (overridden)" in line


class TestLint:
    """rules lint exits 1 on errors and 0 when clean."""

    def test_the_shipped_rules_lint_clean_and_exit_0(self) -> None:
        """No argument: the shipped rules, exit 0."""
        result = run("rules", "lint")
        assert (result.exit_code, result.stdout.splitlines()[-1].startswith("0 errors, 0 warnings")) == (
            0,
            True,
        )

    def test_a_gap_exits_1_and_prints_the_finding(self, tmp_path: Path) -> None:
        """A ruleset with a gap: exit 1, the finding with its file:line."""
        result = run("rules", "lint", gap_dir(tmp_path))
        assert result.exit_code == ExitCode.NO
        assert f"{tmp_path / 'g.yaml'}:1:1: error: gap" in result.stdout

    def test_json_lists_the_findings_with_their_example_document(self, tmp_path: Path) -> None:
        """--format json gives each finding with its example document."""
        result = run("rules", "lint", gap_dir(tmp_path), "--format", "json")
        (finding,) = json.loads(result.stdout)["findings"]
        assert finding["document"]["impact"]["data_loss"] is False


class TestPolicyTests:
    """rules test runs policy tests with coverage and JUnit."""

    def test_the_shipped_policy_tests_pass_with_full_coverage(self, tmp_path: Path) -> None:
        """Exit 0 with --require-coverage; JUnit XML written."""
        junit = tmp_path / "out.xml"
        result = run(
            "rules", "test", SHIPPED_TESTS, "--require-coverage", "--junit", junit, "--backend", "native"
        )
        assert result.exit_code == ExitCode.DONE, result.stdout
        assert ET.parse(junit).getroot().get("failures") == "0"

    def test_coverage_is_printed(self) -> None:
        """--coverage prints the rule and test-outcome counts."""
        result = run("rules", "test", SHIPPED_TESTS, "--coverage", "--backend", "native")
        assert "rules decided: " in result.stdout
        assert "test outcomes seen: " in result.stdout

    def test_a_failing_case_exits_1(self, tmp_path: Path) -> None:
        """A case expecting the wrong severity: exit 1, FAIL with its line."""
        cases = tmp_path / "t.yaml"
        cases.write_text(
            HEADER
            + textwrap.dedent("""
              - {name: wrong, merge: {}, expect: {severity: SEV1}}
        """)
        )
        result = run("rules", "test", cases, "--backend", "native")
        assert result.exit_code == ExitCode.NO
        assert f"FAIL {cases}:5: wrong" in result.stdout

    def test_require_coverage_fails_when_a_rule_is_never_exercised(self, tmp_path: Path) -> None:
        """One passing case does not cover the shipped rules: exit 1 with --require-coverage."""
        cases = tmp_path / "t.yaml"
        cases.write_text(
            HEADER
            + textwrap.dedent("""
              - {name: right, merge: {}, expect: {severity: SEV4}}
        """)
        )
        assert run("rules", "test", cases, "--backend", "native").exit_code == ExitCode.DONE
        result = run("rules", "test", cases, "--require-coverage", "--backend", "native")
        assert result.exit_code == ExitCode.NO
        assert "never decided: severity.widespread-outage" in result.stdout

    def test_the_custom_examples_pass_over_the_shipped_rules(self) -> None:
        """examples/custom-rules/tests/policy.yaml passes with --extend and the params file."""
        result = run(
            "rules",
            "test",
            CUSTOM / "tests" / "policy.yaml",
            "--rules",
            CUSTOM,
            "--extend",
            "--params-file",
            ROOT / "examples" / "custom-params.yaml",
            "--backend",
            "native",
        )
        assert result.exit_code == ExitCode.DONE, result.stdout


class TestGraphAndWhyNot:
    """rules graph and why-not."""

    def test_graph_prints_a_mermaid_flowchart(self) -> None:
        """The default format is Mermaid."""
        assert run("rules", "graph", "severity").stdout.startswith("flowchart TD\n")

    def test_graph_prints_dot(self) -> None:
        """--format dot prints a digraph."""
        assert run("rules", "graph", "severity", "--format", "dot").stdout.startswith('digraph "severity" {')

    def test_why_not_prints_the_change_and_whether_it_would_decide(self) -> None:
        """On the seed, data loss would hold but the widespread outage rule comes first."""
        result = run("why-not", SEED, "--at", SEED_AT, "severity.data-loss", "--backend", "native")
        assert result.exit_code == ExitCode.DONE
        assert "impact.data_loss: false -> true" in result.stdout
        assert "severity.widespread-outage comes first" in result.stdout

    def test_why_not_as_json(self) -> None:
        """--format json gives the answer's data."""
        result = run("why-not", SEED, "--at", SEED_AT, "severity.data-loss", "--format", "json")
        assert json.loads(result.stdout)["taken_by"] == "severity.widespread-outage"

    def test_why_not_of_an_unknown_rule_is_a_usage_error(self) -> None:
        """A misspelled rule exits 2 with a suggestion."""
        result = run("why-not", SEED, "--at", SEED_AT, "severity.data-los")
        assert result.exit_code == ExitCode.USAGE
        assert "did you mean 'severity.data-loss'" in result.stderr
