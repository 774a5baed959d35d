"""How the output data shows itself in a notebook, without knowing any renderer.

Data classes never import their renderers (the renderers import them), so the HTML a notebook
shows is reached through one hook: the package root installs a function that imports
``incident_rules.render.notebook`` on first use, when the first public name is read from it.
Until one is installed (the private modules used alone), ``_repr_html_`` returns None and a
notebook falls back to the short ``repr``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

__all__ = ["html_of", "short_instant", "use_html"]

_renderer: list[Callable[[object], str]] = []


def use_html(renderer: Callable[[object], str]) -> None:
    """Make ``renderer`` the HTML of every output object (replacing any installed before)."""
    _renderer[:] = [renderer]


def html_of(value: object) -> str | None:
    """``value`` as HTML by the installed renderer, or None where none is installed."""
    return _renderer[0](value) if _renderer else None


def short_instant(moment: datetime) -> str:
    """An instant for a one-line repr: minutes unless it has seconds, ``Z`` for UTC."""
    spec = "minutes" if moment.second == 0 and moment.microsecond == 0 else "seconds"
    text = moment.isoformat(timespec=spec)
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
