"""Renderings of what the engine decided, kept apart from the data they render.

>>> from incident_rules import Engine, render
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from incident_rules.render.text import text
from incident_rules.render.whynot import why_not

if TYPE_CHECKING:
    from incident_rules.render.artifacts import postmortem, report, update

#: The Markdown artifacts, imported when first read: plain text does not load Jinja2.
_ARTIFACTS = ("postmortem", "report", "update")


def __getattr__(name: str) -> Any:
    if name not in _ARTIFACTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module("incident_rules.render.artifacts"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_ARTIFACTS})


__all__ = ["postmortem", "report", "text", "update", "why_not"]
