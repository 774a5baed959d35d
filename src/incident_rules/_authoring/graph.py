"""A ruleset drawn as a decision tree, in Mermaid or Graphviz DOT.

Under ``first`` the rules are a chain: each rule's condition leads to its outcome, ``else``
to the next rule, and past the last to "no rule held" (unless the last is ``true``). Under
``collect`` and ``unique`` every rule hangs from the ruleset, each edge its condition. The
rulesets it ``uses``, that use it, and that revise it are linked with dashed edges. Both formats
are drawn from one graph, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs

from incident_rules._authoring.tables import resolved_condition
from incident_rules._rulesets.expr import Always
from incident_rules._rulesets.model import Ruleset

__all__ = ["FORMATS", "Graph", "decision_graph", "render"]

Shape = Literal["start", "rule", "outcome", "none", "ruleset"]
FORMATS = ("mermaid", "dot")


@attrs.frozen
class Node:
    id: str
    label: str
    shape: Shape


@attrs.frozen
class Edge:
    source: str
    target: str
    label: str = ""
    dashed: bool = False


@attrs.frozen
class Graph:
    """Nodes and edges, independent of any drawing format."""

    name: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def _rules(ruleset: Ruleset, params: Mapping[str, Any]) -> tuple[list[Node], list[Edge]]:
    nodes, edges = [Node("start", f"{ruleset.name} (hit: {ruleset.hit})", "start")], []
    previous = "start"
    for number, rule in enumerate(ruleset.rules):
        rule_node, outcome = f"r{number}", f"v{number}"
        nodes += [Node(rule_node, rule.id, "rule"), Node(outcome, rule.then, "outcome")]
        chained = ruleset.hit == "first"
        edges.append(
            Edge("start" if not chained else previous, rule_node, "else" if chained and number else "")
        )
        edges.append(Edge(rule_node, outcome, resolved_condition(rule, params)))
        previous = rule_node
    last = ruleset.rules[-1] if ruleset.rules else None
    if ruleset.hit == "first" and (last is None or not isinstance(last.condition, Always)):
        nodes.append(Node("none", "no rule held", "none"))
        edges.append(Edge(previous, "none", "else"))
    return nodes, edges


def _links(ruleset: Ruleset, others: Sequence[Ruleset]) -> tuple[list[Node], list[Edge]]:
    nodes, edges = [], []
    for other in others:
        node = f"ruleset_{other.name}"
        if other.name in ruleset.uses and other.name != ruleset.revises:
            edges.append(Edge(node, "start", "uses", dashed=True))
        elif other.revises == ruleset.name:
            edges.append(Edge(node, "start", "revises", dashed=True))
        elif ruleset.name in other.uses:
            edges.append(Edge("start", node, "used by", dashed=True))
        elif ruleset.revises == other.name:
            edges.append(Edge("start", node, "revises", dashed=True))
        else:
            continue
        nodes.append(Node(node, other.name, "ruleset"))
    return nodes, edges


def decision_graph(ruleset: Ruleset, others: Sequence[Ruleset], params: Mapping[str, Any]) -> Graph:
    """The decision tree of ``ruleset``, linked to the ``others`` it uses or that use it."""
    nodes, edges = _rules(ruleset, params)
    linked_nodes, linked_edges = _links(ruleset, [o for o in others if o.name != ruleset.name])
    return Graph(ruleset.name, tuple(nodes + linked_nodes), tuple(edges + linked_edges))


_MERMAID_SHAPES = {
    "start": ('(["', '"])'),
    "rule": ('{"', '"}'),
    "outcome": ('["', '"]'),
    "none": ('(("', '"))'),
    "ruleset": ('[["', '"]]'),
}


def _mermaid_text(text: str) -> str:
    return text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _mermaid(graph: Graph) -> str:
    lines = ["flowchart TD"]
    for node in graph.nodes:
        opening, closing = _MERMAID_SHAPES[node.shape]
        lines.append(f"    {node.id}{opening}{_mermaid_text(node.label)}{closing}")
    for edge in graph.edges:
        arrow = "-.->" if edge.dashed else "-->"
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"    {edge.source} {arrow}{label} {edge.target}")
    return "\n".join(lines) + "\n"


_DOT_SHAPES = {"start": "oval", "rule": "diamond", "outcome": "box", "none": "circle", "ruleset": "component"}


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot(graph: Graph) -> str:
    lines = [f"digraph {_dot_text(graph.name)} {{", '    node [fontname="Helvetica"];']
    for node in graph.nodes:
        lines.append(f"    {node.id} [shape={_DOT_SHAPES[node.shape]}, label={_dot_text(node.label)}];")
    for edge in graph.edges:
        style = ", style=dashed" if edge.dashed else ""
        lines.append(f"    {edge.source} -> {edge.target} [label={_dot_text(edge.label)}{style}];")
    return "\n".join(lines) + "\n}\n"


def render(graph: Graph, format: str) -> str:
    """The graph drawn as ``"mermaid"`` or ``"dot"``.

    Raises:
        ValueError: ``format`` is neither.
    """
    if format == "mermaid":
        return _mermaid(graph)
    if format == "dot":
        return _dot(graph)
    raise ValueError(f"format: expected one of {', '.join(FORMATS)} (got {format!r})")
