"""Writing MyST Markdown safely: free text escaped, code in code spans, pipe tables.

The directives of this package write Markdown and hand it to MyST, so generated pages look like
hand-written ones and cross-references are checked like theirs (``-W`` fails on a broken one).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence

__all__ = ["code", "codes", "fence", "ref", "table", "text"]

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def text(value: object) -> str:
    """Free text (a description from a rules file, a docstring) shown as written, on one line."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(value).split()))


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
