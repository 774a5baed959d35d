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
    from incident_rules.render.notebook import html

#: The renderings that use Jinja2, by the module that holds them, imported when first read:
#: plain text does not load Jinja2.
_LAZY = {
    "postmortem": "artifacts",
    "report": "artifacts",
    "update": "artifacts",
    "html": "notebook",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"incident_rules.render.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = ["html", "postmortem", "report", "text", "update", "why_not"]
