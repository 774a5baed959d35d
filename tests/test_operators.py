"""The operator table, and generated code a traceback can show."""

from __future__ import annotations

import gc
import inspect
import json
import linecache
import traceback
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from incident_rules import Engine
from incident_rules._backends.codegen import holding_function
from incident_rules._rulesets import expr
from incident_rules._rulesets.operators import OPERATORS, WRITTEN
from strategies import comparing_operators, small_integers, value_operators

ROOT = Path(__file__).parent.parent
PARAMS = ROOT / "rules" / "params.yaml"
SEED = json.loads((ROOT / "examples" / "inc-2025-0142.json").read_text(encoding="utf-8"))
HOSTILE_ID = """\
ruleset: hostile
values: [matched]
rules:
  - id: "x\\nraise SystemExit('injected')"
    when: impact.user_facing
    then: matched
"""


def _run(python: str, value: Any, operand: Any) -> bool:
    """The table's Python for one comparison, evaluated on its own."""
    result: bool = eval(python.format(c="c"), {}, {"v": value, "c": operand})
    return result


class TestTheTable:
    @given(comparing_operators, small_integers, small_integers)
    def test_an_operator_and_its_opposite_never_agree(self, operator: Any, value: int, operand: int) -> None:
        """On a present value, exactly one of an operator and its opposite holds."""
        compared = (operand, operand + 1) if operator.operand == "list" else operand
        opposite = OPERATORS[operator.opposite]
        assert _run(operator.python, value, compared) != _run(opposite.python, value, compared)

    @given(value_operators, small_integers, small_integers)
    def test_a_mirrored_comparison_means_the_same(self, operator: Any, value: int, operand: int) -> None:
        """``3 < x`` holds exactly when ``x > 3`` does."""
        mirrored = OPERATORS[operator.mirrored]
        assert _run(f"{{c}} {operator.name} v", value, operand) == _run(mirrored.python, value, operand)

    @pytest.mark.parametrize("operator", list(WRITTEN.values()), ids=lambda op: op.name)
    def test_every_written_operator_parses_to_its_entry(self, operator: Any) -> None:
        """A condition written with an operator's syntax becomes a test of that operator."""
        operand = "[1, 2]" if operator.operand == "list" else "1"
        test = expr.parse(f"features.dependencies_down {operator.name} {operand}")
        assert isinstance(test, expr.Test)
        assert test.op == operator.name

    def test_membership_written_with_the_path_on_the_right_is_has(self) -> None:
        """``"cpu" in signals.exhausted_resources`` is the ``has`` operator."""
        test = expr.parse('"cpu" in signals.exhausted_resources')
        assert isinstance(test, expr.Test)
        assert (test.op, test.path) == ("has", "signals.exhausted_resources")


class TestGeneratedSource:
    def test_a_traceback_inside_a_compiled_rule_shows_the_rule(self) -> None:
        """An error raised by generated code shows its line with the rule's id, file and condition."""
        stage = Engine.default(backend="native")._plan.stages[0]
        with pytest.raises(TypeError) as raised:
            holding_function(stage)({"impact.scope": "partial", "impact.affected_fraction": "a text"})
        shown = "".join(traceback.format_exception(raised.value))
        assert "'severity.significant-degradation' at 'rules/severity.yaml:" in shown
        assert "impact.affected_fraction > params.significant_fraction" in shown

    def test_a_hostile_rule_id_stays_a_comment(self, tmp_path: Path) -> None:
        """A rule id holding a line break and code adds no line to the shown source and runs nothing."""
        rules = tmp_path / "hostile.yaml"
        rules.write_text(HOSTILE_ID, encoding="utf-8")
        engine = Engine.from_path(rules, PARAMS, backend="native")
        assert engine.assess(SEED, at="2025-06-15T14:30:00Z").decisions["hostile"].value == "matched"
        stage = engine._plan.stages[0]
        function = holding_function(stage)
        shown = linecache.getlines(function.__code__.co_filename)
        assert len(shown) == len(inspect.getsource(function).splitlines()) + 1  # the blank line after it
        assert sum("raise SystemExit" in line for line in shown) == 1  # quoted inside the one note

    def test_dropped_functions_take_their_source_with_them(self) -> None:
        """Once compiled functions are garbage, linecache no longer holds their source."""
        stage = Engine.default(backend="native")._plan.stages[0]
        holding_function.cache_clear()
        # Engines other tests keep alive hold sources of their own: only this one's are watched.
        before = set(linecache.cache)
        holding_function(stage)
        held = {name for name in set(linecache.cache) - before if name.startswith("<ruleset severity #")}
        assert held
        holding_function.cache_clear()
        gc.collect()
        assert not held & set(linecache.cache)
