"""Rules files and params: loading, the strict condition language, and errors at file:line:col."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from incident_rules import Engine, IncidentRulesError, RulesetError

RULES = Path(__file__).parent.parent / "rules"
PARAMS = RULES / "params.yaml"


def position(text: str, token: str, occurrence: int = 0) -> tuple[int, int]:
    """The 1-based (line, column) of the ``occurrence``-th ``token`` in ``text``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(token, start + 1)
    line = text.count("\n", 0, start) + 1
    return line, start - (text.rfind("\n", 0, start) + 1) + 1


def write(directory: Path, text: str, name: str = "demo.yaml") -> tuple[Path, str]:
    """Write a rules file (dedented) and return its path and its text."""
    text = textwrap.dedent(text).lstrip("\n")
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path, text


def load(*paths: Path, params: dict[str, object] | None = None) -> Engine:
    """An engine for ``paths`` with the shipped params."""
    return Engine.from_path(*paths, PARAMS, params=params, backend="native")


def problems_of(*paths: Path) -> tuple[str, ...]:
    """The problems loading ``paths`` reports."""
    with pytest.raises(RulesetError) as caught:
        load(*paths)
    return caught.value.problems


def ruleset(rules: str, *, values: str = "[a, b]", extra: str = "") -> str:
    """A one-ruleset file with ``rules`` (already indented as list items)."""
    return f"ruleset: demo\nvalues: {values}\n{extra}rules:\n" + textwrap.dedent(rules).strip("\n") + "\n"


def indent(rules: str) -> str:
    return textwrap.indent(textwrap.dedent(rules).strip("\n"), "  ")


class TestShippedRules:
    """The rulesets in rules/ load and say where each rule is written."""

    def test_the_shipped_rulesets_are_loaded(self) -> None:
        """``Engine.default()`` has the severity, mitigation and remediation rulesets."""
        names = {ruleset.name for ruleset in Engine.default(backend="native").rulesets}
        assert {"severity", "mitigation", "remediation"} <= names

    def test_the_trees_that_keep_first_hit_order_are_first_hit(self) -> None:
        """Severity, mitigation and remediation are first-hit, as the practice's IF/ELIF (readings.md 1)."""
        hits = {ruleset.name: ruleset.hit for ruleset in Engine.default(backend="native").rulesets}
        assert [hits["severity"], hits["mitigation"], hits["remediation"]] == ["first"] * 3

    def test_each_rule_source_is_the_line_that_defines_it(self) -> None:
        """``rules/<file>.yaml:<line>`` of every shipped rule is the line with its id."""
        for ruleset in Engine.default(backend="native").rulesets:
            for rule in ruleset.rules:
                file, line = str(rule.source).rsplit(":", 1)
                assert re.fullmatch(r"rules/[\w-]+\.yaml", file), rule.source
                text = (RULES.parent / file).read_text(encoding="utf-8").splitlines()[int(line) - 1]
                assert text.strip() in (f"- id: {rule.id}", f"id: {rule.id}"), rule.source

    def test_each_shipped_rule_concludes_one_of_its_rulesets_values(self) -> None:
        """No shipped rule concludes a value its ruleset does not declare."""
        for ruleset in Engine.default(backend="native").rulesets:
            assert {rule.then for rule in ruleset.rules} <= set(ruleset.values), ruleset.name


class TestConditionErrors:
    """A condition that does not type-check is an error at its file:line:col."""

    def test_an_unknown_field_is_named_with_a_suggestion(self, tmp_path: Path) -> None:
        """A misspelt fact path is reported where it is written, with the path it probably meant."""
        path, text = write(tmp_path, ruleset("- id: r\n  when: impact.affected_fractio > 0.5\n  then: a"))
        line, col = position(text, "impact.affected_fractio")
        assert problems_of(path) == (
            f"{path}:{line}:{col}: unknown field 'impact.affected_fractio' "
            "(did you mean 'impact.affected_fraction'?)",
        )

    def test_an_unknown_param_is_named_with_a_suggestion(self, tmp_path: Path) -> None:
        """A misspelt ``params.*`` is reported with the param it probably meant."""
        path, _ = write(
            tmp_path,
            ruleset("- id: r\n  when: impact.affected_fraction > params.significant_fractoin\n  then: a"),
        )
        (problem,) = problems_of(path)
        assert "unknown param 'params.significant_fractoin'" in problem
        assert "(did you mean 'significant_fraction'?)" in problem

    def test_an_enum_value_that_does_not_exist_is_named_with_a_suggestion(self, tmp_path: Path) -> None:
        """Comparing the scope with a misspelt scope says which scope was meant and which exist."""
        path, text = write(tmp_path, ruleset("- id: r\n  when: impact.scope == 'widesprad'\n  then: a"))
        line, col = position(text, "impact.scope")
        (problem,) = problems_of(path)
        assert problem.startswith(f"{path}:{line}:{col}: 'widesprad' is not a value of impact.scope")
        assert "(did you mean 'widespread'?)" in problem

    def test_a_boolean_cannot_be_ordered(self, tmp_path: Path) -> None:
        """``impact.user_facing > 1`` is a type error."""
        path, _ = write(tmp_path, ruleset("- id: r\n  when: impact.user_facing > 1\n  then: a"))
        (problem,) = problems_of(path)
        assert problem.endswith("impact.user_facing is a boolean: use == or !=")

    def test_a_number_cannot_be_compared_with_text(self, tmp_path: Path) -> None:
        """``impact.affected_fraction > 'high'`` is a type error."""
        path, _ = write(tmp_path, ruleset("- id: r\n  when: impact.affected_fraction > 'high'\n  then: a"))
        (problem,) = problems_of(path)
        assert problem.endswith("impact.affected_fraction is a number; cannot compare it with 'high'")

    def test_a_set_must_be_tested_for_membership(self, tmp_path: Path) -> None:
        """``signals.exhausted_resources == 'cpu'`` is refused with the way to write it."""
        path, _ = write(tmp_path, ruleset("- id: r\n  when: signals.exhausted_resources == 'cpu'\n  then: a"))
        (problem,) = problems_of(path)
        assert "'value' in signals.exhausted_resources" in problem

    def test_a_decision_of_a_ruleset_not_used_is_refused(self, tmp_path: Path) -> None:
        """Reading ``decisions.severity`` without ``uses: [severity]`` says to add it."""
        path, _ = write(tmp_path, ruleset("- id: r\n  when: decisions.severity == 'SEV1'\n  then: a"))
        (problem,) = problems_of(path, RULES / "severity.yaml")
        assert problem.endswith("decisions.severity is not available here: add 'severity' to uses")

    def test_a_position_inside_a_quoted_condition_counts_the_quote(self, tmp_path: Path) -> None:
        """An error inside a double-quoted condition points at the token, not one column before."""
        path, text = write(
            tmp_path, ruleset("- id: r\n  when: \"impact.user_facing and impact.scop == 'minor'\"\n  then: a")
        )
        line, col = position(text, "impact.scop ")
        (problem,) = problems_of(path)
        assert problem.startswith(f"{path}:{line}:{col}: unknown field 'impact.scop'")

    def test_a_condition_may_span_the_lines_of_a_literal_block(self, tmp_path: Path) -> None:
        """A ``when: |`` condition over two lines parses like the same condition on one line."""
        path, _ = write(
            tmp_path,
            ruleset("- id: r\n  when: |\n    impact.user_facing\n    and impact.scope == 'minor'\n  then: a"),
        )
        (rule,) = load(path).rulesets[0].rules
        assert [test.path for test in (rule.condition.items)] == ["impact.user_facing", "impact.scope"]

    def test_a_position_on_the_second_line_of_a_literal_block_is_exact(self, tmp_path: Path) -> None:
        """An error on the second line of a ``|`` condition points at that line and column."""
        path, text = write(
            tmp_path,
            ruleset("- id: r\n  when: |\n    impact.user_facing\n    and impact.scop == 'minor'\n  then: a"),
        )
        line, col = position(text, "impact.scop ")
        (problem,) = problems_of(path)
        assert problem.startswith(f"{path}:{line}:{col}: unknown field 'impact.scop'")

    def test_a_position_on_the_second_line_of_a_folded_block_is_exact(self, tmp_path: Path) -> None:
        """An error on the second line of a ``>-`` condition, as shipped rules write them, points at it."""
        path, text = write(
            tmp_path,
            ruleset(
                "- id: r\n  when: >-\n    'cpu' in signals.exhausted_resources\n"
                "    or 'memroy' in signals.exhausted_resources\n  then: a"
            ),
        )
        line, col = position(text, "'memroy'")
        (problem,) = problems_of(path)
        assert problem.startswith(
            f"{path}:{line}:{col}: 'memroy' is not a value of signals.exhausted_resources"
        )

    def test_invalid_syntax_is_reported_where_it_is(self, tmp_path: Path) -> None:
        """An unbalanced parenthesis is a syntax error in the condition's line."""
        path, text = write(
            tmp_path, ruleset("- id: r\n  when: (impact.user_facing and impact.data_loss\n  then: a")
        )
        (problem,) = problems_of(path)
        assert problem.startswith(f"{path}:{position(text, '(impact')[0]}:")
        assert "syntax" in problem


class TestNothingIsExecuted:
    """Nothing in a rules file is ever executed: code and object tags are refused at load."""

    @pytest.mark.parametrize(
        ("condition", "expected"),
        [
            ("__import__('os').system('touch {marker}')", "calls are not allowed"),
            ("impact.scope.upper() == 'MINOR'", "a comparison needs a fact path"),
            (
                "impact.__class__.__init__.__globals__",
                "unknown field 'impact.__class__.__init__.__globals__'",
            ),
            ("().__class__.__bases__[0].__subclasses__()", "calls are not allowed"),
            ("impact['scope'] == 'minor'", "a comparison needs a fact path"),
            ("(lambda: open('{marker}', 'w'))()", "calls are not allowed"),
            ("[open('{marker}', 'w') for _ in 'x']", "listcomp is not allowed"),
            ("impact.affected_fraction > 0.1 + 0.2", "arithmetic is not allowed"),
            ("f'{{impact}}' == 'x'", "a comparison needs a fact path"),
            ("(marker := 1)", "namedexpr is not allowed"),
            ("0 < impact.affected_fraction < 1", "chained comparison"),
        ],
    )
    def test_code_in_a_condition_is_refused(self, tmp_path: Path, condition: str, expected: str) -> None:
        """Calls, attribute and indexing tricks, lambdas, comprehensions and arithmetic are load errors."""
        marker = tmp_path / "executed"
        when = condition.format(marker=marker).replace('"', '\\"')
        path, text = write(tmp_path, ruleset(f'- id: r\n  when: "{when}"\n  then: a'))
        (problem,) = problems_of(path)
        assert problem.startswith(f"{path}:{position(text, 'when:')[0]}:")
        assert expected in problem
        assert not marker.exists()

    def test_a_python_object_tag_is_refused_and_not_constructed(self, tmp_path: Path) -> None:
        """``!!python/object/apply`` is a load error, and the object is never built."""
        marker = tmp_path / "executed"
        path, text = write(
            tmp_path,
            ruleset(f"- id: r\n  when: !!python/object/apply:builtins.open ['{marker}', 'w']\n  then: a"),
        )
        line, col = position(text, "!!python")
        assert problems_of(path) == (
            f"{path}:{line}:{col}: YAML tag 'tag:yaml.org,2002:python/object/apply:builtins.open' "
            "is not allowed in a rules file",
        )
        assert not marker.exists()

    def test_a_custom_tag_is_refused(self, tmp_path: Path) -> None:
        """An application tag such as ``!include`` is a load error."""
        path, _ = write(tmp_path, ruleset("- id: r\n  when: !include other.yaml\n  then: a"))
        (problem,) = problems_of(path)
        assert "YAML tag '!include' is not allowed" in problem

    def test_a_yaml_alias_bomb_is_refused_quickly(self, tmp_path: Path) -> None:
        """A small file whose aliases expand to a billion nodes fails to load within seconds."""
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
        bomb = tmp_path / "bomb.yaml"
        bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
        script = (
            "import sys\nfrom incident_rules import Engine, RulesetError\n"
            "try:\n    Engine.from_path(sys.argv[1], backend='native')\n"
            "except RulesetError:\n    print('refused')\n"
        )
        try:
            done = subprocess.run(
                [sys.executable, "-c", script, str(bomb)],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail("loading a 1 KB rules file with nested aliases did not finish in 5 s")
        assert done.stdout.strip() == "refused", done.stderr


class TestFileErrors:
    """Problems of rules files: every one found, each at file:line:col."""

    def test_every_problem_of_a_file_is_reported_in_order(self, tmp_path: Path) -> None:
        """Three bad rules give three problems, each at its own line, in file order."""
        path, text = write(
            tmp_path,
            ruleset(
                """
                - id: r1
                  when: impact.scop == 'minor'
                  then: a
                - id: r2
                  when: impact.user_facing > 1
                  then: a
                - id: r3
                  when: impact.data_los
                  then: b
                """
            ),
        )
        lines = [
            position(text, token)[0] for token in ("impact.scop", "impact.user_facing", "impact.data_los")
        ]
        reported = problems_of(path)
        assert [int(problem.split(":")[1]) for problem in reported] == lines

    def test_every_problem_of_every_file_is_reported(self, tmp_path: Path) -> None:
        """Problems in two files are reported together."""
        first, _ = write(tmp_path, ruleset("- id: r1\n  when: impact.scop == 'minor'\n  then: a"), "one.yaml")
        second, _ = write(
            tmp_path,
            ruleset("- id: r2\n  when: impact.data_los\n  then: a").replace("demo", "other"),
            "two.yaml",
        )
        reported = problems_of(first, second)
        assert [problem.split(":")[0] for problem in reported] == [str(first), str(second)]

    def test_every_problem_of_one_rule_is_reported(self, tmp_path: Path) -> None:
        """A rule with a misspelt key and a conclusion outside the values gets both problems."""
        path, _ = write(tmp_path, ruleset("- id: r\n  wehn: true\n  then: c"))
        reported = "\n".join(problems_of(path))
        assert "unknown key 'wehn' in a rule (did you mean 'when'?)" in reported
        assert "then 'c' is not one of the ruleset's values" in reported

    def test_an_unknown_rule_key_is_named_with_a_suggestion(self, tmp_path: Path) -> None:
        """``wehn`` is reported where it is written, as a probable ``when``."""
        path, text = write(tmp_path, ruleset("- id: r\n  when: true\n  thne: a"))
        line, col = position(text, "thne")
        assert f"{path}:{line}:{col}: unknown key 'thne' in a rule (did you mean 'then'?)" in problems_of(
            path
        )

    def test_an_unknown_file_key_is_named_with_a_suggestion(self, tmp_path: Path) -> None:
        """A top-level ``rule:`` is reported as a probable ``rules``."""
        path, _ = write(
            tmp_path, "ruleset: demo\nvalues: [a]\nrule:\n  - id: r\n    when: true\n    then: a\n"
        )
        assert f"{path}:3:1: unknown key 'rule' in a rules file (did you mean 'rules'?)" in problems_of(path)

    def test_a_conclusion_outside_the_values_is_named_with_a_suggestion(self, tmp_path: Path) -> None:
        """``then: rollbak`` is reported as a probable ``rollback``."""
        path, text = write(
            tmp_path, ruleset("- id: r\n  when: true\n  then: rollbak", values="[rollback, isolate]")
        )
        line, col = position(text, "rollbak")
        assert problems_of(path) == (
            f"{path}:{line}:{col}: then 'rollbak' is not one of the ruleset's values "
            "(did you mean 'rollback'?)",
        )

    def test_an_unknown_hit_policy_lists_the_policies(self, tmp_path: Path) -> None:
        """``hit: frist`` names the four policies."""
        path, _ = write(tmp_path, ruleset("- id: r\n  when: true\n  then: a", extra="hit: frist\n"))
        (problem,) = problems_of(path)
        assert problem.endswith("hit must be one of first, collect, unique, check (got 'frist')")

    def test_invalid_yaml_is_reported_at_its_position(self, tmp_path: Path) -> None:
        """A YAML syntax error says where it is."""
        path, _ = write(tmp_path, "ruleset: demo\nvalues: [a\nrules:\n")
        (problem,) = problems_of(path)
        assert problem.startswith(f"{path}:3:")
        assert "invalid YAML" in problem

    def test_an_empty_file_is_reported(self, tmp_path: Path) -> None:
        """An empty rules file is a problem, not an empty ruleset."""
        path, _ = write(tmp_path, "")
        assert problems_of(path) == (f"{path}:1:1: empty rules file",)

    def test_a_duplicate_rule_id_is_reported_at_the_duplicate(self, tmp_path: Path) -> None:
        """The second rule with an id is reported at its own line, naming the first."""
        path, text = write(
            tmp_path, ruleset("- id: r\n  when: true\n  then: a\n- id: r\n  when: true\n  then: b")
        )
        line, _ = position(text, "id: r", occurrence=1)
        (problem,) = problems_of(path)
        assert problem.startswith(f"{path}:{line}:")
        assert "duplicate rule id 'r'" in problem

    def test_an_unknown_used_ruleset_is_named_with_a_suggestion(self, tmp_path: Path) -> None:
        """``uses: [severty]`` is reported as a probable ``severity``."""
        path, _ = write(tmp_path, ruleset("- id: r\n  when: true\n  then: a", extra="uses: [severty]\n"))
        reported = "\n".join(problems_of(path, RULES / "severity.yaml"))
        assert "uses unknown ruleset 'severty' (did you mean 'severity'?)" in reported

    def test_rulesets_that_use_each_other_are_refused(self, tmp_path: Path) -> None:
        """A cycle of ``uses`` is a problem naming the cycle."""
        one, _ = write(
            tmp_path,
            "ruleset: one\nvalues: [a]\nuses: [two]\nrules:\n  - id: r1\n    when: true\n    then: a\n",
            "one.yaml",
        )
        two, _ = write(
            tmp_path,
            "ruleset: two\nvalues: [a]\nuses: [one]\nrules:\n  - id: r2\n    when: true\n    then: a\n",
            "two.yaml",
        )
        assert any("cycle" in problem for problem in problems_of(one, two))

    def test_a_file_that_is_not_utf8_is_refused(self, tmp_path: Path) -> None:
        """Bytes that are not UTF-8 are our error naming the file."""
        path = tmp_path / "latin1.yaml"
        path.write_bytes("ruleset: d\xe9mo\n".encode("latin-1"))
        (problem,) = problems_of(path)
        assert problem.startswith(str(path))

    def test_a_missing_file_is_refused(self, tmp_path: Path) -> None:
        """A path that does not exist is our error naming it."""
        missing = tmp_path / "missing.yaml"
        (problem,) = problems_of(missing)
        assert str(missing) in problem

    def test_a_directory_without_rules_files_is_refused(self, tmp_path: Path) -> None:
        """A directory with no ``.yaml`` file is our error."""
        with pytest.raises(RulesetError, match="no rules files found"):
            Engine.from_path(tmp_path, backend="native")

    def test_no_paths_is_refused(self) -> None:
        """``Engine.from_path()`` with nothing to load is our error."""
        with pytest.raises(RulesetError):
            Engine.from_path(backend="native")

    def test_a_rules_file_alone_runs_on_the_shipped_params(self, tmp_path: Path) -> None:
        """A rules file alone, without params.yaml, reads the shipped params as its base."""
        path, _ = write(tmp_path, ruleset("- id: r\n  when: true\n  then: a"))
        engine = Engine.from_path(path, backend="native")
        assert engine.params["change_window"] == Engine.default(backend="native").params["change_window"]

    def test_an_engine_param_redeclared_with_another_kind_is_refused(self, tmp_path: Path) -> None:
        """A file that redeclares change_window as a number names the kind the engine needs."""
        text = "params:\n  change_window:\n    type: number\n    default: 3\n"
        path, _ = write(tmp_path, text, "extra.yaml")
        with pytest.raises(RulesetError) as caught:
            Engine.from_path(path, backend="native")
        assert any(problem.startswith("params.change_window:") for problem in caught.value.problems)

    def test_an_unknown_param_type_is_named_with_a_suggestion(self, tmp_path: Path) -> None:
        """A param declared ``type: durration`` is reported as a probable ``duration``."""
        path, text = write(
            tmp_path, "params:\n  grace:\n    type: durration\n    default: 5m\n", "extra.yaml"
        )
        line, col = position(text, "durration")
        assert (
            f"{path}:{line}:{col}: unknown param type 'durration' (did you mean 'duration'?)"
            in problems_of(path)
        )

    def test_a_param_default_of_the_wrong_type_is_refused(self, tmp_path: Path) -> None:
        """A fraction param with default 1.5 is reported at the default."""
        path, text = write(
            tmp_path, "params:\n  share:\n    type: fraction\n    default: 1.5\n", "extra.yaml"
        )
        line, col = position(text, "1.5")
        (problem,) = problems_of(path)
        assert problem.startswith(f"{path}:{line}:{col}: default of param 'share'")

    def test_a_param_declared_twice_is_refused(self, tmp_path: Path) -> None:
        """Declaring a shipped param again in another file is a problem."""
        path, _ = write(
            tmp_path, "params:\n  change_window:\n    type: duration\n    default: 30m\n", "extra.yaml"
        )
        assert any("duplicate param 'change_window'" in problem for problem in problems_of(path))

    def test_errors_of_rules_files_are_ours(self, tmp_path: Path) -> None:
        """A bad rules file raises ``RulesetError``, a ``ValueError`` under our root error."""
        path, _ = write(tmp_path, ruleset("- id: r\n  when: nonsense\n  then: a"))
        with pytest.raises(IncidentRulesError) as caught:
            load(path)
        assert isinstance(caught.value, RulesetError)
        assert isinstance(caught.value, ValueError)


class TestParamOverrides:
    """``params={...}`` overrides the shipped params per engine; bad overrides are refused."""

    @pytest.mark.parametrize(
        ("value", "minutes"),
        [("30m", 30), ("1.5h", 90), ("90s", 1.5), ("2d", 2880), (45, 45), (timedelta(minutes=20), 20)],
    )
    def test_a_duration_is_given_as_text_minutes_or_timedelta(self, value: object, minutes: float) -> None:
        """Durations are read into minutes however they are written."""
        assert (
            Engine.default(params={"change_window": value}, backend="native").params["change_window"]
            == minutes
        )

    def test_an_override_leaves_other_engines_alone(self) -> None:
        """An engine with an override does not change the defaults of the next engine."""
        Engine.default(params={"change_window": "5m"}, backend="native")
        assert Engine.default(backend="native").params["change_window"] == 60

    def test_an_unknown_param_is_refused_with_a_suggestion(self) -> None:
        """``change_windw`` is refused as a probable ``change_window``."""
        with pytest.raises(RulesetError) as caught:
            Engine.default(params={"change_windw": "30m"}, backend="native")
        assert caught.value.problems == (
            "params.change_windw: unknown param (did you mean 'change_window'?)",
        )

    @pytest.mark.parametrize("value", ["soon", "90", True, None, float("nan"), float("inf"), "-5m", [30]])
    def test_a_duration_of_the_wrong_type_is_refused(self, value: object) -> None:
        """A duration override that is no duration says what it expected and what it got."""
        with pytest.raises(RulesetError) as caught:
            Engine.default(params={"change_window": value}, backend="native")
        assert caught.value.problems == (
            "params.change_window: expected a duration like '15m', '2h' or a number of minutes "
            f"(got {value!r})",
        )

    @pytest.mark.parametrize("value", [-5, -0.5, timedelta(minutes=-3)])
    def test_a_negative_duration_is_refused(self, value: object) -> None:
        """A window of minus five minutes is no duration, as ``'-5m'`` is not."""
        with pytest.raises(RulesetError):
            Engine.default(params={"change_window": value}, backend="native")

    @pytest.mark.parametrize("value", [1.5, -0.1, "10%", True])
    def test_a_fraction_outside_zero_to_one_is_refused(self, value: object) -> None:
        """``significant_fraction`` must be a number in 0..1."""
        with pytest.raises(RulesetError) as caught:
            Engine.default(params={"significant_fraction": value}, backend="native")
        assert caught.value.problems == (
            f"params.significant_fraction: expected a number between 0 and 1 (got {value!r})",
        )

    def test_every_bad_override_is_reported_at_once(self) -> None:
        """Two bad overrides give two problems."""
        with pytest.raises(RulesetError) as caught:
            Engine.default(params={"change_windw": "30m", "significant_fraction": 2}, backend="native")
        assert [problem.split(":")[0] for problem in caught.value.problems] == [
            "params.change_windw",
            "params.significant_fraction",
        ]

    @pytest.mark.parametrize("params", [[("change_window", "30m")], "change_window=30m"])
    def test_overrides_that_are_not_a_mapping_are_refused(self, params: object) -> None:
        """A list or a string of overrides is our error."""
        with pytest.raises(RulesetError, match="expected a mapping"):
            Engine.default(params=params, backend="native")  # type: ignore[arg-type]
