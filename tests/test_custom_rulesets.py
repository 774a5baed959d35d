"""Custom rulesets: added to and overriding the shipped ones, rules disabled, params from files."""

from __future__ import annotations

from pathlib import Path

import pytest

from authoring_samples import AT, PARTIAL, write
from incident_rules import Engine, RulesetError


def problems(*paths: Path, extend: bool = True) -> tuple[str, ...]:
    with pytest.raises(RulesetError) as caught:
        Engine.from_path(*paths, extend=extend, backend="native")
    return caught.value.problems


class TestExtend:
    """``Engine.from_path(..., extend=True)`` adds to the shipped rulesets."""

    def test_a_new_ruleset_is_added_beside_the_shipped_ones(self, tmp_path: Path) -> None:
        """A directory with one new ruleset keeps every shipped ruleset and adds it."""
        write(
            tmp_path,
            "owner.yaml",
            """
            ruleset: owner
            values: [payments]
            uses: [severity]
            rules:
              - {id: owner.payments, when: decisions.severity == "SEV3", then: payments}
        """,
        )
        engine = Engine.from_path(tmp_path, extend=True, backend="native")
        shipped = {ruleset.name for ruleset in Engine.default(backend="native").rulesets}
        assert {ruleset.name for ruleset in engine.rulesets} == shipped | {"owner"}
        assert engine.assess(PARTIAL, at=AT).decisions["owner"].value == "payments"

    def test_a_ruleset_of_a_shipped_name_replaces_it_whole(self, tmp_path: Path) -> None:
        """A file declaring ruleset 'severity' is the severity ruleset, the shipped one gone."""
        write(
            tmp_path,
            "severity.yaml",
            """
            ruleset: severity
            values: [SEV1, SEV2, SEV3, SEV4]
            rules:
              - {id: acme.everything-is-sev2, when: true, then: SEV2}
        """,
        )
        engine = Engine.from_path(tmp_path, extend=True, backend="native")
        assert engine.assess(PARTIAL, at=AT).severity.rule == "acme.everything-is-sev2"

    def test_without_extend_the_shipped_rulesets_are_left_out(self, tmp_path: Path) -> None:
        """Without extend, only the given rulesets run (on the shipped params)."""
        write(
            tmp_path, "owner.yaml", "ruleset: owner\nvalues: [a]\nrules:\n  - {id: o, when: true, then: a}\n"
        )
        engine = Engine.from_path(tmp_path, backend="native")
        assert [ruleset.name for ruleset in engine.rulesets] == ["owner"]


class TestOverrides:
    """An ``overrides: <ruleset>`` file changes, disables or adds single rules by id."""

    def test_a_rule_is_changed_by_id_in_place(self, tmp_path: Path) -> None:
        """Lowering the significant share in one rule makes 8 % a SEV2, from the override's line."""
        path = write(
            tmp_path,
            "severity.yaml",
            """
            overrides: severity
            rules:
              - id: severity.significant-degradation
                when: impact.scope == "partial" and impact.affected_fraction > 0.05
        """,
        )
        decision = Engine.from_path(path, extend=True, backend="native").assess(PARTIAL, at=AT).severity
        assert (decision.rule, decision.value, decision.source) == (
            "severity.significant-degradation",
            "SEV2",
            f"{path}:3",
        )

    def test_enabled_false_removes_a_rule(self, tmp_path: Path) -> None:
        """Disabling minor-with-workaround lets the gap rule take a small partial degradation."""
        write(
            tmp_path,
            "o.yaml",
            """
            overrides: severity
            rules:
              - {id: severity.minor-with-workaround, enabled: false}
        """,
        )
        engine = Engine.from_path(tmp_path, extend=True, backend="native")
        assert engine.assess(PARTIAL, at=AT).severity.rule == "severity.gap-no-workaround"

    def test_enabled_false_in_a_ruleset_file_leaves_the_rule_out(self, tmp_path: Path) -> None:
        """A rule written with enabled: false in a ruleset file never decides."""
        write(
            tmp_path,
            "r.yaml",
            """
            ruleset: owner
            values: [a, b]
            rules:
              - {id: owner.off, when: true, then: a, enabled: false}
              - {id: owner.on, when: true, then: b}
        """,
        )
        engine = Engine.from_path(tmp_path, backend="native")
        assert engine.assess(PARTIAL, at=AT).decisions["owner"].rule == "owner.on"

    def test_a_new_rule_goes_before_the_rule_it_names(self, tmp_path: Path) -> None:
        """A new rule with before: severity.minor-with-workaround decides ahead of it."""
        write(
            tmp_path,
            "o.yaml",
            """
            overrides: severity
            rules:
              - id: acme.partial-is-sev2
                before: severity.minor-with-workaround
                when: impact.scope == "partial"
                then: SEV2
        """,
        )
        engine = Engine.from_path(tmp_path, extend=True, backend="native")
        assert engine.assess(PARTIAL, at=AT).severity.rule == "acme.partial-is-sev2"

    def test_an_unknown_target_ruleset_is_named_with_a_suggestion(self, tmp_path: Path) -> None:
        """overrides: severty names the file, its line and the likely ruleset."""
        path = write(tmp_path, "o.yaml", "overrides: severty\nrules:\n  - {id: x, enabled: false}\n")
        assert f"{path}:1:1: overrides unknown ruleset 'severty' (did you mean 'severity'?)" in problems(path)

    def test_disabling_an_unknown_rule_is_an_error(self, tmp_path: Path) -> None:
        """enabled: false on a rule id the ruleset lacks is reported at the entry."""
        path = write(
            tmp_path, "o.yaml", "overrides: severity\nrules:\n  - {id: severity.data-los, enabled: false}\n"
        )
        (problem,) = problems(path)
        assert problem.startswith(f"{path}:3:1: enabled: no rule 'severity.data-los'")
        assert "did you mean 'severity.data-loss'" in problem

    def test_a_new_rule_without_a_condition_is_an_error(self, tmp_path: Path) -> None:
        """An entry with an unknown id and no when/then says a new rule needs both."""
        path = write(tmp_path, "o.yaml", "overrides: severity\nrules:\n  - {id: acme.new, title: New}\n")
        assert problems(path) == (
            f"{path}:3:1: no rule 'acme.new' to change; a new rule needs 'when' and 'then'",
        )

    def test_a_changed_then_outside_the_values_is_an_error(self, tmp_path: Path) -> None:
        """then: SEV5 on a severity rule names the ruleset's values."""
        path = write(
            tmp_path, "o.yaml", "overrides: severity\nrules:\n  - {id: severity.data-loss, then: SEV5}\n"
        )
        (problem,) = problems(path)
        assert problem.startswith(f"{path}:3:1: then 'SEV5' is not one of the values of 'severity'")

    def test_a_changed_condition_is_type_checked_at_its_own_line(self, tmp_path: Path) -> None:
        """A misspelled field in an override is reported where the override writes it."""
        path = write(
            tmp_path,
            "o.yaml",
            """
            overrides: severity
            rules:
              - id: severity.data-loss
                when: impact.data_los
        """,
        )
        (problem,) = problems(path)
        assert problem.startswith(f"{path}:4:")
        assert "unknown field 'impact.data_los'" in problem

    def test_an_overrides_file_may_not_declare_a_hit_policy(self, tmp_path: Path) -> None:
        """hit: in an overrides file is refused: it changes single rules only."""
        path = write(
            tmp_path,
            "o.yaml",
            "overrides: severity\nhit: collect\nrules:\n  - {id: severity.data-loss, enabled: false}\n",
        )
        assert any("'hit' is not allowed" in problem for problem in problems(path))


class TestParams:
    """Params come from the shipped base, the rules files, a params file and Python."""

    def test_a_params_file_overrides_the_shipped_default(self, tmp_path: Path) -> None:
        """significant_fraction: 0.05 in a params file makes 8 % a SEV2."""
        params_file = write(tmp_path, "params.yml", "significant_fraction: 0.05\n")
        rules = write(tmp_path, "empty.yaml", "params: {}\n")
        engine = Engine.from_path(rules, extend=True, params_file=params_file, backend="native")
        assert engine.assess(PARTIAL, at=AT).severity.value == "SEV2"

    def test_python_params_win_over_the_params_file(self, tmp_path: Path) -> None:
        """params= given in Python is applied after the file."""
        params_file = write(tmp_path, "params.yml", "significant_fraction: 0.05\n")
        rules = write(tmp_path, "empty.yaml", "params: {}\n")
        engine = Engine.from_path(
            rules,
            extend=True,
            params_file=params_file,
            params={"significant_fraction": 0.5},
            backend="native",
        )
        assert engine.params["significant_fraction"] == 0.5

    def test_an_unknown_param_in_a_params_file_is_named(self, tmp_path: Path) -> None:
        """A misspelled param name in the file is refused with a suggestion."""
        params_file = write(tmp_path, "params.yml", "significant_fractoin: 0.05\n")
        rules = write(tmp_path, "empty.yaml", "params: {}\n")
        with pytest.raises(
            RulesetError,
            match=r"significant_fractoin: unknown param \(did you mean 'significant_fraction'\?\)",
        ):
            Engine.from_path(rules, extend=True, params_file=params_file, backend="native")

    def test_a_params_file_that_is_not_a_mapping_is_refused(self, tmp_path: Path) -> None:
        """A YAML list as params file names the file and what was expected."""
        params_file = write(tmp_path, "params.yml", "- 1\n")
        rules = write(tmp_path, "empty.yaml", "params: {}\n")
        with pytest.raises(RulesetError, match="expected a mapping of param names to values"):
            Engine.from_path(rules, params_file=params_file, backend="native")

    def test_a_rules_file_may_redeclare_a_shipped_param(self, tmp_path: Path) -> None:
        """A param declared again in the user's files replaces the shipped default."""
        rules = write(
            tmp_path,
            "p.yaml",
            """
            params:
              significant_fraction: {type: fraction, default: 0.05, description: ours}
        """,
        )
        engine = Engine.from_path(rules, extend=True, backend="native")
        assert engine.params["significant_fraction"] == 0.05
