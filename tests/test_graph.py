"""Rulesets drawn as decision trees in Mermaid and Graphviz DOT."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from authoring_samples import shipped_engine
from incident_rules._authoring.graph import decision_graph, render

BY_NAME = {ruleset.name: ruleset for ruleset in shipped_engine().rulesets}


def drawn(name: str, format: str) -> str:
    return render(decision_graph(BY_NAME[name], shipped_engine().rulesets, shipped_engine().params), format)


class TestMermaid:
    """The Mermaid flowchart of a ruleset."""

    def test_first_hit_rules_are_chained_by_else_in_file_order(self) -> None:
        """Each severity rule leads to the next by an 'else' edge."""
        text = drawn("severity", "mermaid")
        assert '    r0 -->|"else"| r1' in text
        assert '    r7 -->|"else"| r8' in text

    def test_a_condition_labels_the_edge_to_its_outcome_with_params_resolved(self) -> None:
        """The significant-share rule's edge shows params.significant_fraction and its value."""
        assert 'params.significant_fraction (0.1)"| v4' in drawn("severity", "mermaid")

    def test_quotes_in_conditions_are_escaped(self) -> None:
        """A string literal in a condition does not end the Mermaid label."""
        assert "impact.scope == #quot;widespread#quot;" in drawn("severity", "mermaid")

    def test_a_revision_and_its_readers_are_linked(self) -> None:
        """effective_severity revises severity; escalations uses it."""
        text = drawn("severity", "mermaid")
        assert '    ruleset_effective_severity -.->|"revises"| start' in text
        assert '    start -.->|"used by"| ruleset_escalations' in text

    def test_a_ruleset_without_a_catch_all_ends_in_no_rule_held(self) -> None:
        """effective_severity has no 'true' rule: its chain ends in 'no rule held'."""
        text = drawn("effective_severity", "mermaid")
        assert 'none(("no rule held"))' in text
        assert 'none(("no rule held"))' not in drawn("severity", "mermaid")

    def test_collect_rules_all_hang_from_the_ruleset(self) -> None:
        """Under collect, every rule is reached from the start, with no 'else'."""
        text = drawn("escalations", "mermaid")
        assert "    start --> r4" in text
        assert '"else"' not in text


class TestDot:
    """The Graphviz DOT form."""

    def test_an_unknown_format_is_refused(self) -> None:
        """format='svg' raises a ValueError naming the formats."""
        with pytest.raises(ValueError, match="expected one of mermaid, dot"):
            drawn("severity", "svg")

    def test_dashed_edges_mark_links_between_rulesets(self) -> None:
        """uses and revises links are dashed."""
        assert 'ruleset_effective_severity -> start [label="revises", style=dashed];' in drawn(
            "severity", "dot"
        )

    @pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
    @pytest.mark.parametrize("name", sorted(BY_NAME))
    def test_the_real_dot_renders_every_shipped_ruleset(self, name: str) -> None:
        """dot -Tsvg accepts the output and draws an SVG."""
        done = subprocess.run(
            ["dot", "-Tsvg"],
            input=drawn(name, "dot"),
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert (done.returncode, done.stderr) == (0, "")
        assert "<svg" in done.stdout
