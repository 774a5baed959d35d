"""Sphinx configuration for the incident-rules documentation (MyST Markdown, furo)."""

from __future__ import annotations

import incident_rules

project = "incident-rules"
author = "incident-rules authors"
release = incident_rules.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = "incident-rules"
nitpicky = False
