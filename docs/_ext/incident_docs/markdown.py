"""Writing MyST Markdown safely: free text escaped, code in code spans, pipe tables.

The directives of this package write Markdown and hand it to MyST, so generated pages look like
hand-written ones and cross-references are checked like theirs (``-W`` fails on a broken one).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence

__all__ = ["Undocumented", "code", "codes", "fence", "prose", "ref", "table", "text"]


class Undocumented(Exception):
    """The code has something (a key, a policy, a field) its reference page does not explain,
    or the page explains something the code no longer has: the build fails, naming it."""


_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def text(value: object) -> str:
    """Free text (a description from a rules file, a docstring) shown as written, on one line."""
    shown = " ".join(str(value).split())
    # Edge spaces matter where prose() joins text to code spans.
    lead, trail = " " if str(value)[:1].isspace() else "", " " if str(value)[-1:].isspace() else ""
    return lead + _PUNCTUATION.sub(r"\\\1", shown) + trail


def prose(value: str) -> str:
    """Docstring text: ````literals```` become code spans, the rest is escaped as free text."""
    parts = re.split(r"``(.+?)``", " ".join(value.split()))
    return "".join(code(part) if index % 2 else text(part) for index, part in enumerate(parts))


def code(value: object) -> str:
    """A code span holding ``value`` exactly, on one line; pipes escaped for table cells."""
    shown = " ".join(str(value).split()).replace("|", "\\|")
    ticks = "`" * (max((len(run) for run in re.findall("`+", shown)), default=0) + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{ticks}{pad}{shown}{pad}{ticks}"


def codes(values: Iterable[object]) -> str:
    """Several code spans, comma-separated."""
    return ", ".join(code(value) for value in values)


def ref(label: str, target: str) -> str:
    """A checked cross-reference to the explicit target ``target``, shown as code."""
    return f"{{ref}}`{label.replace('<', '').replace('`', '')} <{target}>`"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A pipe table; every cell is already Markdown, and an empty one shows a dash."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell or "-" for cell in row) + " |" for row in rows]
    return [*lines, ""]


def fence(directive: str, body: str, *options: str) -> list[str]:
    """A MyST directive block with a fence longer than any backtick run in ``body``."""
    ticks = "`" * max(3, max((len(run) for run in re.findall("`+", body)), default=0) + 1)
    return [f"{ticks}{{{directive}}}", *options, *body.splitlines(), ticks, ""]
