"""Policy tests: YAML cases of documents and the decisions they must yield, with coverage.

A policy-tests file::

    base: ../../examples/inc-2025-0142.json   # optional; a path (from this file) or a mapping
    at: "2025-06-15T14:30:00Z"                # the default instant of every case
    cases:
      - name: a widespread outage users see is SEV1
        merge: {impact: {scope: widespread, user_facing: true}}   # or document: {...}
        at: "2025-06-15T14:40:00Z"                                # optional
        expect: {severity: SEV1, escalations: [leadership]}      # a collect ruleset: a list
        rules: {severity: severity.widespread-outage}            # optional rule ids

``merge`` is merged over ``base`` (mappings key by key, anything else replaced); the caller's
data is never modified. Every problem of the file is reported at once with ``file:line``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import yaml

from incident_rules._authoring.coverage import Coverage, Run
from incident_rules._decisions.data import Assessment, Decision, Outcome
from incident_rules._rulesets.yamlfile import Problems, YamlFile, compose
from incident_rules.errors import IncidentRulesError, RulesetError
from incident_rules.render.whynot import why_not as why_not_text

__all__ = ["CaseResult", "PolicyCase", "PolicyReport", "decision_text", "read_cases", "run_cases"]

_FILE_KEYS = ("base", "at", "cases")
_CASE_KEYS = ("name", "document", "merge", "at", "expect", "rules")


@attrs.frozen
class PolicyCase:
    """One case: a document at an instant, and the decisions (and rules) it must yield."""

    name: str
    source: str
    document: Mapping[str, Any]
    at: str
    expect: Mapping[str, str | tuple[str, ...]]
    rules: Mapping[str, str | tuple[str, ...]]


@attrs.frozen
class CaseResult:
    """What one case gave: its failures (empty when it passed), each with what decided instead."""

    case: PolicyCase
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


@attrs.frozen
class PolicyReport:
    """Every case's result, and the coverage of the rules they exercised."""

    file: str
    results: tuple[CaseResult, ...]
    coverage: Coverage

    @property
    def failed(self) -> tuple[CaseResult, ...]:
        """The cases that failed."""
        return tuple(result for result in self.results if not result.passed)


def _merged(base: Any, fragment: Any) -> Any:
    if isinstance(base, Mapping) and isinstance(fragment, Mapping):
        result = dict(base)
        for key, value in fragment.items():
            result[key] = _merged(base.get(key), value) if key in base else copy.deepcopy(value)
        return result
    return copy.deepcopy(fragment)


def _plain(node: yaml.Node) -> Any:
    return yaml.SafeLoader("").construct_document(node)


def _base(file: YamlFile, node: yaml.Node | None, folder: Path) -> Mapping[str, Any]:
    if node is None:
        return {}
    value = _plain(node)
    if isinstance(value, str):
        try:
            value = yaml.safe_load((folder / value).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            file.problem(node, f"base: cannot read {value!r}: {error}")
            return {}
    if not isinstance(value, Mapping):
        file.problem(node, "base must be a document (a mapping) or the path of one")
        return {}
    return value


def _expected(file: YamlFile, node: yaml.Node, what: str) -> dict[str, str | tuple[str, ...]]:
    value = _plain(node)
    if not isinstance(value, Mapping):
        file.problem(node, f"{what} must map ruleset names to a value or a list of values")
        return {}
    result: dict[str, str | tuple[str, ...]] = {}
    for name, expected in value.items():
        if isinstance(expected, str):
            result[str(name)] = expected
        elif isinstance(expected, list) and all(isinstance(item, str) for item in expected):
            result[str(name)] = tuple(expected)
        else:
            file.problem(node, f"{what}.{name}: expected a value or a list of values (got {expected!r})")
    return result


def _case(
    file: YamlFile, node: yaml.Node, base: Mapping[str, Any], at: str | None, number: int
) -> PolicyCase | None:
    fields = file.mapping(node, _CASE_KEYS, "a case")
    name = file.scalar(fields["name"], str, "name") if "name" in fields else f"case {number}"
    if ("document" in fields) == ("merge" in fields):
        file.problem(node, f"case {name!r}: give either a document or a merge over the base")
        return None
    document = _plain(fields.get("document") or fields["merge"])
    if not isinstance(document, Mapping):
        file.problem(fields.get("document") or fields["merge"], f"case {name!r}: expected a mapping")
        return None
    instant = file.scalar(fields["at"], str, "at") if "at" in fields else at
    if instant is None:
        file.problem(node, f"case {name!r}: no instant; give 'at' here or at the top of the file")
    if "expect" not in fields:
        file.problem(node, f"case {name!r}: expects nothing; add 'expect'")
    expect = _expected(file, fields["expect"], "expect") if "expect" in fields else {}
    rules = _expected(file, fields["rules"], "rules") if "rules" in fields else {}
    if instant is None or not expect:
        return None
    full = _merged(base, document) if "merge" in fields else copy.deepcopy(dict(document))
    return PolicyCase(name, f"{file.name}:{node.start_mark.line + 1}", full, instant, expect, rules)


def read_cases(path: Path | str) -> tuple[PolicyCase, ...]:
    """The cases of a policy-tests file.

    Raises:
        RulesetError: With every problem of the file, each as ``file:line:col: message``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RulesetError(f"{path}: cannot read policy tests: {error}") from None
    problems = Problems()
    file = YamlFile(str(path), text, problems)
    root = compose(file, text)
    cases: list[PolicyCase] = []
    if root is not None:
        top = file.mapping(root, _FILE_KEYS, "a policy-tests file")
        base = _base(file, top.get("base"), path.parent)
        at = file.scalar(top["at"], str, "at") if "at" in top else None
        nodes = top.get("cases")
        if not isinstance(nodes, yaml.SequenceNode) or not nodes.value:
            file.problem(nodes or root, "a policy-tests file needs a non-empty list of cases")
        else:
            found = (_case(file, node, base, at, number) for number, node in enumerate(nodes.value, 1))
            cases = [case for case in found if case is not None]
    if problems.lines:
        raise RulesetError(problems.lines)
    return tuple(cases)


def _given(outcome: Outcome, field: str) -> str | tuple[str, ...] | None:
    if isinstance(outcome, Decision):
        return str(getattr(outcome, field))
    if outcome is None:
        return None
    return tuple(sorted(str(getattr(decision, field)) for decision in outcome))


def decision_text(decision: Decision) -> str:
    """One decision and the tests that made it hold, on one line."""
    checks = "; ".join(
        f"{check.test} (read {'nothing' if check.missing else repr(check.value)})"
        for check in decision.because
    )
    return f"{decision.value} by {decision.rule} ({decision.source}) because {checks or 'true'}"


def _instead(outcome: Outcome) -> str:
    if outcome is None:
        return "no rule held"
    if isinstance(outcome, Decision):
        return decision_text(outcome)
    return "; ".join(decision_text(decision) for decision in outcome) or "no rule held"


def _check_case(case: PolicyCase, assessment: Assessment) -> list[str]:
    failures = []
    for field, expectations in (("value", case.expect), ("rule", case.rules)):
        for name, expected in expectations.items():
            if name not in assessment.decisions:
                failures.append(f"{name}: no such ruleset in this engine ({', '.join(assessment.decisions)})")
                continue
            outcome = assessment.decisions[name]
            wanted = tuple(sorted(expected)) if isinstance(expected, tuple) else expected
            if _given(outcome, field) != wanted:
                got = _given(outcome, field)
                failures.append(f"{name}: expected {field} {wanted!r}, got {got!r}: {_instead(outcome)}")
                failures += _why_not_lines(assessment, expected) if field == "rule" else []
    return failures


def _why_not_lines(assessment: Assessment, expected: str | tuple[str, ...]) -> list[str]:
    lines = []
    for rule in expected if isinstance(expected, tuple) else (expected,):
        try:
            answer = why_not_text(assessment.why_not(rule)).rstrip()
            lines.append("why not " + answer.replace("\n", "\n    "))
        except LookupError as error:
            lines.append(str(error))
    return lines


def run_cases(cases: Sequence[PolicyCase], run: Run, file: str = "") -> PolicyReport:
    """Run every case on ``run`` (an engine); a case that raises fails with the error.

    Args:
        cases: From :func:`read_cases`.
        run: The engine to test.
        file: The name the report gives the cases' file.
    """
    coverage = Coverage.of(run)
    results = []
    for case in cases:
        try:
            assessment = run.assess(case.document, at=case.at)
        except IncidentRulesError as error:
            results.append(CaseResult(case, (f"{type(error).__name__}: {error}",)))
            continue
        coverage.record(case.document, assessment)
        results.append(CaseResult(case, tuple(_check_case(case, assessment))))
    return PolicyReport(file, tuple(results), coverage)
