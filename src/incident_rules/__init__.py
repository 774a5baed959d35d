"""incident-rules: incident response decisions made the same way every time, showing their work.

>>> from incident_rules import Engine, Incident
"""

from __future__ import annotations

import importlib

# typing itself takes longer to import than the rest of this module: its flag, spelled here.
TYPE_CHECKING = False

# The one place the version is written: the build reads it from here (pyproject.toml).
__version__ = "0.1.0"

#: Where each public name lives. A name is imported the first time it is read, so that
#: ``import incident_rules`` (and the command line, which imports it) does not load the engine,
#: the rule authoring tools and their dependencies before they are used.
_EXPORTS = {
    "incident_rules._authoring.lint": ("LintFinding", "LintReport", "lint"),
    "incident_rules._decisions.data": (
        *("Assessment", "Check", "Decision", "Explanation", "Reference", "Rejection"),
    ),
    "incident_rules._decisions.gate": ("Finding", "GateResult"),
    "incident_rules._decisions.whynot": ("FactChange", "WhyNot"),
    "incident_rules._engine": ("Engine",),
    "incident_rules._facts.model": (
        *("ActionItem", "Change", "Impact", "Incident", "Observation", "Postmortem"),
        *("Responder", "Rollback", "Signals", "TimelineEntry", "Update"),
    ),
    "incident_rules._features": ("Feature",),
    "incident_rules._rulesets.model": ("Rule", "Ruleset", "RuleSource"),
    "incident_rules.errors": ("EngineError", "IncidentRulesError", "InvalidIncident", "RulesetError"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
#: The public submodules, also imported when first read (``incident_rules.render``).
_SUBMODULES = ("errors", "render", "testing")

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports these
    from incident_rules._authoring.lint import LintFinding, LintReport, lint
    from incident_rules._decisions.data import Assessment, Check, Decision, Explanation, Reference, Rejection
    from incident_rules._decisions.gate import Finding, GateResult
    from incident_rules._decisions.whynot import FactChange, WhyNot
    from incident_rules._engine import Engine
    from incident_rules._facts.model import (
        ActionItem,
        Change,
        Impact,
        Incident,
        Observation,
        Postmortem,
        Responder,
        Rollback,
        Signals,
        TimelineEntry,
        Update,
    )
    from incident_rules._features import Feature
    from incident_rules._rulesets.model import Rule, Ruleset, RuleSource
    from incident_rules.errors import EngineError, IncidentRulesError, InvalidIncident, RulesetError


def __getattr__(name: str) -> object:
    """A public name, imported from its module the first time it is read."""
    if name in _MODULE_OF:
        value = getattr(importlib.import_module(_MODULE_OF[name]), name)
        _show_as_html()
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # read once: later reads find it without this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULE_OF, *_SUBMODULES})


def _html(value: object) -> str:
    # Imported on first display: rendering (and Jinja2) costs nothing until a notebook asks.
    from incident_rules.render.notebook import html

    return html(value)  # type: ignore[arg-type]  # only the output classes call this


def _show_as_html() -> None:
    """Give the output classes their notebook HTML (``_repr_html_``), once a public name is read.

    The data classes never import their renderer; the root, above both, connects them. It does
    so on the first read of a public name (``from incident_rules import Engine``), not at
    import, so that ``import incident_rules`` alone still loads none of its modules.
    """
    importlib.import_module("incident_rules._decisions.display").use_html(_html)


__all__ = [
    "ActionItem",
    "Assessment",
    "Change",
    "Check",
    "Decision",
    "Engine",
    "EngineError",
    "Explanation",
    "FactChange",
    "Feature",
    "Finding",
    "GateResult",
    "Impact",
    "Incident",
    "IncidentRulesError",
    "InvalidIncident",
    "LintFinding",
    "LintReport",
    "Observation",
    "Postmortem",
    "Reference",
    "Rejection",
    "Responder",
    "Rollback",
    "Rule",
    "RuleSource",
    "Ruleset",
    "RulesetError",
    "Signals",
    "TimelineEntry",
    "Update",
    "WhyNot",
    "__version__",
    "lint",
]
