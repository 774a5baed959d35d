"""Sphinx extension of the incident-rules docs: references generated from the code.

``{generated} NAME`` inserts the Markdown a generator of :data:`GENERATORS` writes; MyST parses it
like a hand-written page, so its tables, headings and cross-references are checked the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

from incident_docs import api, document, rulesets, rulesfile
from incident_docs.markdown import Undocumented

GENERATORS: dict[str, Callable[[], list[str]]] = {
    "document": document.document_markdown,
    "features": lambda: document.features_markdown("features."),
    "gate-facts": lambda: document.features_markdown("gate."),
    "rulesets": rulesets.rulesets_markdown,
    "api": api.api_markdown,
    **rulesfile.GENERATORS,  # type: ignore[dict-item]
}


class Generated(SphinxDirective):
    """``{generated} NAME``: the Markdown of generator NAME, parsed in place."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        if name not in GENERATORS:
            raise self.error(f"unknown generator {name!r}; known: {', '.join(GENERATORS)}")
        try:
            lines = GENERATORS[name]()
        except Undocumented as error:
            raise self.error(str(error)) from None
        # Generated from code, not from the page: read again on every build (see setup).
        self.env.metadata[self.env.docname]["incident_docs_generated"] = True
        container = nodes.container()
        nested_parse_with_titles(self.state, StringList(lines, source=f"<generated {name}>"), container)
        return list(container.children)


def _generated_pages(
    app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """The pages with generated content, read again on every build: the code may have changed."""
    return [name for name, meta in env.metadata.items() if meta.get("incident_docs_generated")]


#: Attribute and property docstrings as written, by name, kept from napoleon (see setup).
_WRITTEN: dict[str, list[str]] = {}


def _keep_written(app: Sphinx, what: str, name: str, obj: object, options: Any, lines: list[str]) -> None:
    if what in ("attribute", "property"):
        _WRITTEN[name] = list(lines)


def _restore_written(app: Sphinx, what: str, name: str, obj: object, options: Any, lines: list[str]) -> None:
    if what in ("attribute", "property") and name in _WRITTEN:
        lines[:] = _WRITTEN.pop(name)


def _load_cli_commands(app: Sphinx) -> None:
    """Import every command of ``incident-rules`` the CLI imports lazily, before sphinx-click
    reads the group: it then documents the commands this build has, and only those."""
    import click

    from incident_rules._cli import main

    context = click.Context(main)
    for name in main.list_commands(context):
        main.get_command(context, name)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _load_cli_commands)
    app.add_directive("generated", Generated)
    # Napoleon reads the first line of an attribute's docstring as "type: description", but ours
    # are sentences ("The severity: SEV1 to SEV4."): attributes and properties keep their text.
    app.connect("autodoc-process-docstring", _keep_written, priority=100)
    app.connect("autodoc-process-docstring", _restore_written, priority=900)
    app.connect("env-get-outdated", _generated_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
