"""``incident-rules assess``: every decision about a document at an instant."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from incident_rules import render
from incident_rules._cli.base import _DOCUMENT, _engine, _engine_options, _read_document, format_option, main


@main.command()
@_DOCUMENT
@click.option("--at", "at", required=True, help="Instant to decide at, ISO 8601 with an offset.")
@format_option
@_engine_options
def assess(
    document: Path, at: str, output: str, rules: tuple[Path, ...], backend: Any, params: tuple[str, ...]
) -> None:
    """Assess the incident DOCUMENT (JSON; - reads standard input) at the instant --at."""
    assessment = _engine(rules, backend, params).assess(_read_document(document), at=at)
    if output == "json":
        click.echo(json.dumps(assessment.to_dict(), indent=2))
    else:
        click.echo(render.text(assessment), nl=False)


# --- the quality gate and the artifacts -------------------------------------------------------
