"""Sphinx configuration for the incident-rules documentation (MyST Markdown, furo).

Build: ``sphinx-build -W --keep-going -b html docs docs/_build/html`` (CI does, and
``-b doctest``, and ``-b linkcheck`` over internal links). See ``CONTRIBUTING-docs.md`` for how
examples in the pages are written so that CI runs them.
"""

from __future__ import annotations

import doctest
import sys
from pathlib import Path

import incident_rules

# docs/_ext holds this site's own extension (incident_docs): the references generated from code.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

project = "incident-rules"
author = "incident-rules authors"
release = incident_rules.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.graphviz",
    "sphinx_click",
    "incident_docs",
]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "CONTRIBUTING-docs.md"]
html_theme = "furo"
html_title = "incident-rules"
# Options and JSON are shown as typed: no "--" turned into a dash, no curly quotes.
smartquotes = False
html_static_path = ["_static"]
html_css_files = ["reference.css"]

# The API reference: members in source order, Google-style docstrings, type hints in the
# description (signatures stay readable), no private names.
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented"  # attrs fields are listed once, as attributes
autodoc_default_options = {"members": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True  # attrs fields are documented once, in the class docstring

# Diagrams of the shipped rulesets, drawn by Graphviz's dot at build time.
graphviz_output_format = "svg"

# Doctests (``{doctest}`` blocks) run from the repository root, so ``examples/...`` paths resolve
# as in the README; the blocks of one page share one namespace, as a reader's session would.
doctest_global_setup = f"import os\nos.chdir({str(ROOT)!r})"
doctest_default_flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.DONT_ACCEPT_TRUE_FOR_1

# Internal links are checked by the html build itself: MyST resolves every link to a page or an
# anchor and every {ref}, and -W fails on one it cannot. Sphinx's linkcheck builder adds nothing
# offline (CI has no internet: it would only list internal anchors as unchecked), so CI skips it.
