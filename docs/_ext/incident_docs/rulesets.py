"""Each shipped ruleset as a table of its rules and a diagram drawn from the same rules.

The diagram is the Graphviz DOT that ``incident-rules rules graph <ruleset> --format dot``
prints (``_authoring/graph.py``), rendered by ``sphinx.ext.graphviz``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import attrs

from incident_docs.markdown import code, codes, fence, ref, table, text
from incident_docs.reads import all_rulesets, shipped_engine
from incident_rules import Rule, Ruleset
from incident_rules._authoring.graph import decision_graph, render
from incident_rules._authoring.tables import resolved_condition
from incident_rules._rulesets.expr import Operand

__all__ = ["rulesets_markdown"]


def _decision(ruleset: Ruleset, rule: Rule) -> str:
    if ruleset.is_gate:
        return "check" + (f", applies when {code(rule.applies_when)}" if rule.applies_when else "")
    due = rule.due
    if due is None:
        return code(rule.then)
    when = [f"within {_duration(due.within)}" if due.within else ""]
    when += [f"every {_duration(due.every)}" if due.every else ""]
    when += [f"to {code(due.audience)}" if due.audience else "", "in work hours" if due.work_hours else ""]
    return f"{code(rule.then)}, due " + " ".join(part for part in when if part)


def _duration(operand: Operand) -> str:
    """A due duration as written, with its minutes where it is a param."""
    if operand.param is None:
        return code(f"{operand.value:g}m")
    return f"{code('params.' + operand.param)} ({shipped_engine().params[operand.param]:g}m)"


def _facts(ruleset: Ruleset) -> Iterator[str]:
    yield f"- **hit**: {code(ruleset.hit)}; **file**: {code(ruleset.file)}"
    if not ruleset.is_gate:
        yield f"- **values**: {codes(ruleset.values)}"
    uses = [name for name in ruleset.uses if name != ruleset.revises]
    if uses:
        yield "- **uses**: " + ", ".join(ref(name, f"ruleset-{name}") for name in uses)
    if ruleset.revises:
        yield f"- **revises**: {ref(ruleset.revises, f'ruleset-{ruleset.revises}')}"
    yield ""


def _section(ruleset: Ruleset, others: tuple[Ruleset, ...]) -> Iterator[str]:
    params = shipped_engine().params
    yield f"(ruleset-{ruleset.name})="
    yield f"## {text(ruleset.title)} ({code(ruleset.name)})"
    yield ""
    if ruleset.description:
        yield text(ruleset.description)
        yield ""
    yield from _facts(ruleset)
    rows = [
        (
            code(rule.id),
            code(resolved_condition(rule, params)),
            _decision(ruleset, rule),
            str(rule.source.line),
        )
        for rule in ruleset.rules
    ]
    yield from table(("rule", "when (params at their defaults)", "decides", "line"), rows)
    yield from fence(
        "graphviz", _diagram(ruleset, others), f":caption: {ruleset.name}: its rules as a diagram"
    )


def _diagram(ruleset: Ruleset, others: tuple[Ruleset, ...]) -> str:
    """The ruleset's DOT, laid out for a page: conditions wrapped, the chain of a ``first``
    ruleset straight down with each outcome beside its rule, other rulesets left to right."""
    graph = decision_graph(ruleset, others, shipped_engine().params)
    wrapped = tuple(attrs.evolve(edge, label=textwrap.fill(edge.label, 42)) for edge in graph.edges)
    dot = render(attrs.evolve(graph, edges=wrapped), "dot")
    hints = ['    edge [fontname="Helvetica", fontsize=10];', "    graph [nodesep=0.2, ranksep=0.3];"]
    if ruleset.hit == "first":
        rules = [node.id for node in graph.nodes if node.shape == "rule"]
        outcomes = [node.id for node in graph.nodes if node.shape == "outcome"]
        hints += [
            f"    {{rank=same; {rule}; {outcome};}}" for rule, outcome in zip(rules, outcomes, strict=True)
        ]
    else:
        hints.append("    rankdir=LR;")
    head, body = dot.split("\n", 2)[:2], dot.split("\n", 2)[2]
    return "\n".join([*head, *hints, body])


def rulesets_markdown() -> list[str]:
    """A section per shipped ruleset, in the order the engine settles them."""
    rulesets = all_rulesets()
    return [line for ruleset in rulesets for line in _section(ruleset, rulesets)]
