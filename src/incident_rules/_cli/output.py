"""What the commands print: plain text when piped, colours and trees (rich) on a terminal.

Piped output is the renderers' text byte for byte, and rich is not even imported for it. On a
terminal the same text is drawn again: indented text as a tree with guide lines, statuses and
decision values coloured; Markdown and JSON with rich's own renderers.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING, Literal

import click

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text
    from rich.tree import Tree

Kind = Literal["tree", "markdown", "json", "plain"]

#: The look of each word of the plain text that carries a verdict, as rich styles.
_STYLES = (
    (r"\[(holds|passed)\]", "green"),
    (r"\[(false|failed|overdue)\]", "bold red"),
    (r"\[(missing|not applicable|due)\]", "yellow"),
    (r"\bSEV1\b", "bold red"),
    (r"\bSEV2\b", "red"),
    (r"\bSEV3\b", "yellow"),
    (r"\bSEV4\b", "cyan"),
    (r"\((rules/|[^()\s]+\.ya?ml:)[^()\s]*\)", "dim"),
    (r"(?<=by )[\w.-]+", "cyan"),
    (r"^[\w-]+(?=: )", "bold"),
)


def wants_color() -> bool:
    """Whether to colour: ``--color``/``--no-color`` if given, else a terminal without NO_COLOR."""
    ctx = click.get_current_context(silent=True)
    chosen = ctx.find_root().meta.get("incident_rules.color") if ctx is not None else None
    if chosen is not None:
        return bool(chosen)
    return not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def emit(text: str, kind: Kind = "tree") -> None:
    """Print ``text`` (a renderer's output, ending in a newline) as plain text or with rich."""
    if not wants_color():
        click.echo(text, nl=False)
        return
    console = _console()
    if kind == "markdown":
        from rich.markdown import Markdown

        console.print(Markdown(text))
    elif kind == "json":
        from rich.json import JSON

        console.print(JSON(text))
    elif kind == "tree":
        for number, block in enumerate(text.rstrip("\n").split("\n\n")):
            if number:
                console.print()
            for tree in _trees(block):
                console.print(tree)
    else:
        console.print(_styled(text.rstrip("\n")))


def _console() -> Console:
    from rich.console import Console

    return Console(force_terminal=True, highlight=False, soft_wrap=True)


def _styled(line: str) -> Text:
    from rich.text import Text

    text = Text(line)
    for pattern, style in _STYLES:
        text.highlight_regex(re.compile(pattern, re.MULTILINE), style)
    return text


def _trees(block: str) -> list[Tree]:
    """An indented block of text as trees: each line a child of the last line indented less."""
    from rich.tree import Tree

    trees: list[Tree] = []
    parents: list[tuple[int, Tree]] = []
    for line in block.split("\n"):
        depth = len(line) - len(line.lstrip(" "))
        while parents and parents[-1][0] >= depth:
            parents.pop()
        if parents:
            node = parents[-1][1].add(_styled(line.strip()))
        else:
            node = Tree(_styled(line.strip()), guide_style="dim")
            trees.append(node)
        parents.append((depth, node))
    return trees
