"""Conditions compiled to Python: they decide and explain as the tree walked by hand does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

import interpreter
from compiled import explaining_function
from incident_rules import Engine, RulesetError
from incident_rules._backends import codegen  # not its Tested: pytest would collect that as a class
from incident_rules._backends.codegen import explaining_functions, holding_function
from incident_rules._backends.plan import BoundRule, Stage
from incident_rules._rulesets import expr as _expr
from incident_rules._rulesets.expr import All, Condition, Not
from incident_rules._rulesets.model import Rule, Ruleset, RuleSource
from strategies import HOSTILE, comparison, condition_facts, conditions, rule_conditions

PARAMS = Path(__file__).parent.parent / "rules" / "params.yaml"


def stage_of(rule_conditions: list[Condition], hit: str) -> Stage:
    """A ruleset of one rule per condition, numbered from 10 as a later stage of a plan is."""
    rules = tuple(
        Rule(f"r{i}", f"rule {i}", "", condition, "a", RuleSource("demo.yaml", i))
        for i, condition in enumerate(rule_conditions)
    )
    ruleset = Ruleset("demo", "Demo", hit, ("a",), (), rules, "demo.yaml")  # type: ignore[arg-type]
    return Stage(ruleset, tuple(BoundRule(rule, rule.condition, 10 + i) for i, rule in enumerate(rules)))


def as_read(tested: codegen.Tested) -> interpreter.Read:
    test, negated, holds, value, missing = tested
    return (f"not {test.text}" if negated else test.text, value, missing, holds)


def nested(depth: int) -> Condition:
    """``depth`` levels of alternating and / not around one test."""
    condition: Condition = comparison("n", "<", 1)
    for level in range(depth):
        condition = Not(condition) if level % 2 else All((condition, comparison("flag", "==", True)))
    return condition


def deep_rules(directory: Path, repeats: int) -> Path:
    """A rules file whose condition nests ``and not (`` ``repeats`` times: 2 levels each."""
    when = "impact.data_loss" + " and not (impact.workaround" * repeats + ")" * repeats
    path = directory / "deep.yaml"
    path.write_text(f"ruleset: demo\nvalues: [a]\nrules:\n- id: r\n  when: '{when}'\n  then: a\n")
    return path


class TestExplaining:
    """The compiled explanation of a condition is the one walking its tree gives."""

    @given(condition=conditions, fact_values=condition_facts)
    def test_it_lists_the_tests_the_tree_walk_lists(
        self, condition: Condition, fact_values: dict[str, Any]
    ) -> None:
        """Whether it holds, and each test listed with its value, in the same order."""
        holds, tested = explaining_function(condition)(fact_values)
        assert (holds, [as_read(item) for item in tested]) == interpreter.justify(condition, fact_values)

    @given(rule_conditions=rule_conditions, fact_values=condition_facts)
    def test_a_ruleset_compiles_one_function_per_rule(
        self, rule_conditions: list[Condition], fact_values: dict[str, Any]
    ) -> None:
        """Each rule's function, found by its index, explains that rule's condition."""
        functions = explaining_functions(stage_of(rule_conditions, "collect"))
        assert sorted(functions) == [10 + i for i in range(len(rule_conditions))]
        for i, condition in enumerate(rule_conditions):
            assert functions[10 + i](fact_values)[0] == interpreter.justify(condition, fact_values)[0]


class TestHolding:
    """The compiled function of a ruleset finds the rules that hold, as the tree walk does."""

    @given(rule_conditions=rule_conditions, fact_values=condition_facts)
    def test_collect_gives_every_rule_that_holds(
        self, rule_conditions: list[Condition], fact_values: dict[str, Any]
    ) -> None:
        """Every rule whose condition holds, and no other."""
        holding = holding_function(stage_of(rule_conditions, "collect"))
        expected = {10 + i for i, c in enumerate(rule_conditions) if interpreter.justify(c, fact_values)[0]}
        assert [bound.index for bound in holding(fact_values)] == sorted(expected)

    @given(rule_conditions=rule_conditions, fact_values=condition_facts)
    def test_first_hit_gives_the_first_rule_that_holds(
        self, rule_conditions: list[Condition], fact_values: dict[str, Any]
    ) -> None:
        """Only the first rule in order whose condition holds, or none."""
        holding = holding_function(stage_of(rule_conditions, "first"))
        holds = [10 + i for i, c in enumerate(rule_conditions) if interpreter.justify(c, fact_values)[0]]
        assert [bound.index for bound in holding(fact_values)] == holds[:1]


class TestSafety:
    """What a rules file wrote reaches the compiled code as data, and nesting is bounded."""

    @pytest.mark.parametrize("value", HOSTILE)
    def test_hostile_text_is_compared_not_run(self, value: str) -> None:
        """Text shaped like Python source compares equal to itself and runs nothing."""
        condition = comparison("s", "==", value)
        assert explaining_function(condition)({"s": value})[0] is True
        assert holding_function(stage_of([condition], "first"))({"s": value + "!"}) == ()

    def test_the_deepest_nesting_allowed_compiles(self) -> None:
        """A condition nested as deep as the parser allows compiles to both functions."""
        condition = nested(_expr.MAX_NESTING)
        fact_values = {"n": 0, "flag": True}
        expected = interpreter.justify(condition, fact_values)[0]
        assert explaining_function(condition)(fact_values)[0] == expected
        holding = holding_function(stage_of([condition], "collect"))(fact_values)
        assert [bound.index for bound in holding] == ([10] if expected else [])

    def test_a_rules_file_may_nest_up_to_the_limit(self, tmp_path: Path) -> None:
        """``and not (...)`` repeated to exactly the deepest level allowed loads."""
        path = deep_rules(tmp_path, _expr.MAX_NESTING // 2)
        assert Engine.from_path(path, PARAMS, backend="native").rulesets[0].name == "demo"

    def test_a_condition_nested_past_the_limit_is_refused_where_it_is(self, tmp_path: Path) -> None:
        """One more level is a load error at the rule's line, naming the limit."""
        path = deep_rules(tmp_path, _expr.MAX_NESTING // 2 + 1)
        with pytest.raises(RulesetError) as caught:
            Engine.from_path(path, PARAMS, backend="native")
        (problem,) = caught.value.problems
        assert problem.startswith(f"{path}:5:")
        assert f"nested too deeply (at most {_expr.MAX_NESTING} levels" in problem

    def test_thousands_of_nots_are_refused_without_a_recursion_error(self, tmp_path: Path) -> None:
        """A condition too deep for Python's own parser is our error, not a RecursionError."""
        path = tmp_path / "deep.yaml"
        path.write_text(
            f"ruleset: demo\nvalues: [a]\nrules:\n- id: r\n  when: '{'not ' * 5000}true'\n  then: a\n"
        )
        with pytest.raises(RulesetError, match="nested too deeply"):
            Engine.from_path(path, PARAMS, backend="native")


class TestReuse:
    """Engines built again for the same rules and params compile nothing new."""

    def test_the_same_rules_and_params_reuse_the_compiled_functions(self) -> None:
        """A second ``Engine.default()`` finds every ruleset compiled already."""
        Engine.default(backend="native")
        before = holding_function.cache_info().misses, explaining_functions.cache_info().misses
        Engine.default(backend="native")
        after = holding_function.cache_info().misses, explaining_functions.cache_info().misses
        assert after == before

    def test_other_params_compile_the_rulesets_that_read_them(self) -> None:
        """A changed threshold (a value no other test uses) is a changed ruleset: new functions."""
        Engine.default(backend="native")
        before = holding_function.cache_info().misses
        engine = Engine.default(backend="native", params={"significant_fraction": 0.237})
        assert holding_function.cache_info().misses > before
        assert engine.params["significant_fraction"] == 0.237
