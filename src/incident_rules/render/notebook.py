"""HTML for notebooks (``render.html``): an assessment, a decision, a gate result or a policy diff as tables.

Every value passes Jinja2's HTML escaping (the environment escapes by default), so text from a
document, a rules file or a param can never open a tag in the page that shows it.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2

from incident_rules._decisions.data import Assessment, Decision, Outcome
from incident_rules._decisions.gate import GateResult
from incident_rules._replay.diff import PolicyDiff
from incident_rules._replay.diffviews import MARKDOWN_ROWS
from incident_rules.render.text import _check, _value

__all__ = ["html"]

#: Rows of a policy diff's changes a notebook shows; the summary table counts all of them.
CHANGE_ROWS = MARKDOWN_ROWS


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("incident_rules.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters |= {"check": _check, "value": _value}
    return environment


def _rows(decisions: dict[str, Outcome]) -> list[tuple[str, Decision | None]]:
    """One row per decision: a collected ruleset gives one row per value, or one empty row."""
    rows: list[tuple[str, Decision | None]] = []
    for name, outcome in decisions.items():
        if isinstance(outcome, Decision) or outcome is None:
            rows.append((name, outcome))
        else:
            rows += [(name, decision) for decision in outcome] or [(name, None)]
    return rows


def _context(value: object) -> dict[str, Any]:
    if isinstance(value, Assessment):
        return {"kind": "assessment", "assessment": value, "rows": _rows(dict(value.decisions))}
    if isinstance(value, Decision):
        return {"kind": "decision", "rows": [(value.ruleset, value)]}
    if isinstance(value, GateResult):
        return {"kind": "gate", "result": value}
    if isinstance(value, PolicyDiff):
        return {"kind": "diff", "diff": value, "shown": value.changes[:CHANGE_ROWS]}
    expected = "an Assessment, Decision, GateResult or PolicyDiff"
    raise TypeError(f"html: expected {expected} (got {type(value).__name__})")


def html(value: Assessment | Decision | GateResult | PolicyDiff) -> str:
    """``value`` as an HTML fragment of tables, as a notebook shows it (``_repr_html_``).

    Args:
        value: An assessment, one decision, a quality gate's result, or a policy diff.

    Returns:
        A ``<div>`` holding a headline and tables; every value in it is HTML-escaped.

    Raises:
        TypeError: ``value`` is none of the four.
    """
    return _environment().get_template("notebook.html.j2").render(_context(value))
