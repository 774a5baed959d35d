"""Markdown from Jinja2 templates: the shipped ones, or a user's directory of the same names.

Autoescape is off (this is Markdown, not HTML); instead every value from the record passes a
filter that keeps it in its place: ``inline`` folds it onto one line, so no text can open a new
heading, list or table row; ``cell`` also escapes ``|``, so no text can add a table column.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from incident_rules.errors import RulesetError

__all__ = ["render_template"]

_BREAKS = re.compile(r"\s+")
#: What opens a Markdown block at the start of a line: heading, quote, list, rule, fence, ...
_BLOCK_START = re.compile(r"^(?:[#>+*=_~`-]|\d+[.)])")


def _unblock(text: str) -> str:
    """``text`` with a leading heading, quote, list or fence marker escaped."""
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    marker = match.group(0)
    return f"{marker[:-1]}\\{marker[-1]}{text[len(marker) :]}"


def _fold(value: object) -> str:
    return _BREAKS.sub(" ", str(value)).strip()


def inline(value: object) -> str:
    """``value`` as text on one line that opens no block: whitespace runs, line breaks included,
    are one space, and a leading block marker is escaped."""
    return _unblock(_fold(value))


def cell(value: object) -> str:
    """``value`` as the text of one table cell: as :func:`inline`, with ``\\`` and ``|`` escaped."""
    return _unblock(_fold(value).replace("\\", "\\\\").replace("|", "\\|"))


@functools.lru_cache(maxsize=16)
def _environment(directory: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = [jinja2.PackageLoader("incident_rules.render", "templates")]
    if directory is not None:
        loaders.insert(0, jinja2.FileSystemLoader(directory))
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,  # noqa: S701 -- Markdown, not HTML: values pass the inline and cell filters
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters |= {"inline": inline, "cell": cell}
    return environment


def _directory(templates: Path | str | None) -> str | None:
    if templates is None:
        return None
    if not isinstance(templates, (str, Path)) or not Path(templates).is_dir():
        raise RulesetError(f"templates: expected a directory of templates (got {templates!r})")
    return str(Path(templates).resolve())


def render_template(name: str, context: Mapping[str, Any], templates: Path | str | None) -> str:
    """Render the template ``name`` (from ``templates`` first, if given) with ``context``.

    Raises:
        RulesetError: ``templates`` is not a directory, or a template there is broken.
    """
    try:
        return _environment(_directory(templates)).get_template(name).render(context)
    except jinja2.TemplateSyntaxError as error:
        where = f"{error.filename or name}:{error.lineno}"
        raise RulesetError(f"{where}: template error: {error.message}") from None
    except jinja2.TemplateError as error:
        raise RulesetError(f"{name}: template error: {error}") from None
