"""Renderings of what the engine decided, kept apart from the data they render.

>>> from incident_rules import Engine, render
"""

from incident_rules.render.artifacts import postmortem, report, update
from incident_rules.render.text import text
from incident_rules.render.whynot import why_not

__all__ = ["postmortem", "report", "text", "update", "why_not"]
