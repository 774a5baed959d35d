"""The package root's API in reading order: every name of ``incident_rules.__all__``, grouped.

A name ``__all__`` gains is documented under "More" until it is placed in a group; a group
naming what ``__all__`` no longer has fails the build.
"""

from __future__ import annotations

import inspect

import incident_rules
from incident_docs.markdown import Undocumented, fence

__all__ = ["api_markdown"]

GROUPS = {
    "The engine": ("Engine", "lint"),
    "The incident document": (
        "Incident", "Impact", "Observation", "Signals", "Change", "Rollback", "Responder",
        "TimelineEntry", "Update", "Postmortem", "ActionItem",
    ),
    "Decisions and their explanations": (
        "Assessment", "Decision", "Explanation", "Check", "Reference", "Rejection", "Feature",
        "WhyNot", "FactChange",
    ),
    "The quality gate": ("GateResult", "Finding"),
    "Rules": ("Ruleset", "Rule", "RuleSource", "LintReport", "LintFinding"),
    "Errors": ("IncidentRulesError", "RulesetError", "InvalidIncident", "EngineError"),
}  # fmt: skip


def _autodoc(name: str) -> str:
    kind = "autofunction" if inspect.isfunction(getattr(incident_rules, name)) else "autoclass"
    return f".. {kind}:: incident_rules.{name}\n" + ("   :members:\n" if kind == "autoclass" else "")


def api_markdown() -> list[str]:
    public = [name for name in incident_rules.__all__ if not name.startswith("_")]
    placed = [name for names in GROUPS.values() for name in names]
    stale = sorted(set(placed) - set(public))
    if stale:
        raise Undocumented(f"the API page groups names incident_rules no longer exports: {stale}")
    groups = {**GROUPS, "More": tuple(name for name in public if name not in placed)}
    lines: list[str] = []
    for title, names in groups.items():
        if names:
            lines += [f"### {title}", ""]
            lines += fence("eval-rst", "\n".join(map(_autodoc, names)))
    return lines
