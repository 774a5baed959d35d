"""``incident-rules check``, ``report``, ``postmortem`` and ``update``: the gate and the artifacts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from incident_rules import render
from incident_rules._cli.base import (
    _DOCUMENT,
    ExitCode,
    _engine,
    _engine_options,
    _read_document,
    format_option,
    main,
)
from incident_rules._decisions.data import Assessment
from incident_rules._engine import Engine
from incident_rules._facts.model import Incident
from incident_rules._gate.review import record_end

_TEMPLATES = click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory of templates replacing the shipped ones by name.",
)


@main.command()
@_DOCUMENT
@click.option("--at", "at", help="Instant of the review (default: the last instant of the record).")
@format_option
@_engine_options
def check(
    document: Path,
    at: str | None,
    output: str,
    rules: tuple[Path, ...],
    backend: Any,
    params: tuple[str, ...],
) -> ExitCode:
    """Judge the whole record DOCUMENT with the quality gate; exit 1 when a check fails."""
    result = _engine(rules, backend, params).check(_read_document(document), at=at)
    if output == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(render.text(result), nl=False)
    return ExitCode.DONE if result.passed else ExitCode.NO


def _incident_and_assessment(engine: Engine, document: Path, at: str | None) -> tuple[Incident, Assessment]:
    incident = Incident.from_dict(_read_document(document))
    return incident, engine.assess(incident, at=at if at is not None else record_end(incident))


@main.command()
@_DOCUMENT
@click.option("--at", "at", help="Instant whose severity the report shows (default: the record's end).")
@_TEMPLATES
@_engine_options
def report(
    document: Path,
    at: str | None,
    templates: Path | None,
    rules: tuple[Path, ...],
    backend: Any,
    params: tuple[str, ...],
) -> None:
    """Write the incident report of DOCUMENT as Markdown."""
    incident, assessment = _incident_and_assessment(_engine(rules, backend, params), document, at)
    click.echo(render.report(incident, assessment, templates=templates), nl=False)


@main.command()
@_DOCUMENT
@_TEMPLATES
def postmortem(document: Path, templates: Path | None) -> None:
    """Write the blameless postmortem of DOCUMENT as Markdown."""
    incident = Incident.from_dict(_read_document(document))
    click.echo(render.postmortem(incident, templates=templates), nl=False)


@main.command()
@_DOCUMENT
@click.option("--at", "at", required=True, help="Instant of the update, ISO 8601 with an offset.")
@click.option(
    "--audience",
    type=click.Choice(["stakeholders", "executives", "status_page", "team"]),
    default="stakeholders",
    show_default=True,
)
@_TEMPLATES
@_engine_options
def update(
    document: Path,
    at: str,
    audience: str,
    templates: Path | None,
    rules: tuple[Path, ...],
    backend: Any,
    params: tuple[str, ...],
) -> None:
    """Write the update to --audience as of --at, as Markdown: number, severity, next update."""
    incident, assessment = _incident_and_assessment(_engine(rules, backend, params), document, at)
    click.echo(render.update(incident, assessment, audience=audience, templates=templates), nl=False)
