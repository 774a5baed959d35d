"""incident-rules: incident response decisions made the same way every time, showing their work.

>>> from incident_rules import Engine, Incident
"""

# The one place the version is written: the build reads it from here (pyproject.toml).
__version__ = "0.1.0"

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
