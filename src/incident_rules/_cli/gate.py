"""``incident-rules check``, ``report``, ``postmortem`` and ``update``: the gate and the artifacts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from incident_rules._cli.base import ExitCode
from incident_rules._cli.decide import show_assessment
from incident_rules._cli.options import (
    EngineChoice,
    at_option,
    color_option,
    document_argument,
    engine_options,
    examples,
    explain_option,
    format_option,
    read_document,
)
from incident_rules._cli.output import emit

if TYPE_CHECKING:
    from incident_rules._decisions.data import Assessment
    from incident_rules._facts.model import Incident

__all__ = ["check", "postmortem", "report", "update"]

_SEED = "examples/inc-2025-0142.json"

_TEMPLATES = click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory of templates replacing the shipped ones by name.",
)


@click.command(
    epilog=examples(
        f"incident-rules check {_SEED}",
        f"incident-rules check {_SEED} --explain fails --param severity_assigned_within=3m",
        "incident-rules check incident.json --format json || echo 'the gate failed'",
    )
)
@document_argument
@at_option("Instant of the review (default: the last instant of the record):")
@format_option
@explain_option
@engine_options()
@color_option
def check(document: Path, at: str | None, output: str, explain: str, engine: EngineChoice) -> ExitCode:
    """Judge the whole record DOCUMENT with the quality gate; exit 1 when a check fails."""
    result = engine.build().check(read_document(document), at=at)
    show_assessment(result, output, explain)
    return ExitCode.DONE if result.passed else ExitCode.NO


def incident_and_assessment(
    engine: EngineChoice, document: Path, at: str | None
) -> tuple[Incident, Assessment]:
    """The record at ``document`` and its assessment at ``at`` (default: the record's end)."""
    from incident_rules._facts.model import Incident
    from incident_rules._gate.review import record_end

    built = engine.build()
    incident = Incident.from_dict(read_document(document))
    return incident, built.assess(incident, at=at if at is not None else record_end(incident))


@click.command(
    epilog=examples(
        f"incident-rules report {_SEED} > INC-2025-0142.md",
        f"incident-rules report {_SEED} --at 2025-06-15T14:40:00Z --templates my-templates/",
    )
)
@document_argument
@at_option("Instant whose severity the report shows (default: the record's end):")
@_TEMPLATES
@engine_options()
@color_option
def report(document: Path, at: str | None, templates: Path | None, engine: EngineChoice) -> None:
    """Write the incident report of DOCUMENT as Markdown."""
    from incident_rules.render.artifacts import report as render_report

    incident, assessment = incident_and_assessment(engine, document, at)
    emit(render_report(incident, assessment, templates=templates), "markdown")


@click.command(epilog=examples(f"incident-rules postmortem {_SEED} > postmortem.md"))
@document_argument
@_TEMPLATES
@color_option
def postmortem(document: Path, templates: Path | None) -> None:
    """Write the blameless postmortem of DOCUMENT as Markdown."""
    from incident_rules._facts.model import Incident
    from incident_rules.render.artifacts import postmortem as render_postmortem

    emit(render_postmortem(Incident.from_dict(read_document(document)), templates=templates), "markdown")


@click.command(
    epilog=examples(
        f"incident-rules update {_SEED} --at 2025-06-15T15:00:00Z",
        "incident-rules update incident.json --at now --audience executives",
    )
)
@document_argument
@at_option("Instant of the update:", required=True)
@click.option(
    "--audience",
    type=click.Choice(["stakeholders", "executives", "status_page", "team"]),
    default="stakeholders",
    show_default=True,
)
@_TEMPLATES
@engine_options()
@color_option
def update(document: Path, at: str, audience: str, templates: Path | None, engine: EngineChoice) -> None:
    """Write the update to --audience as of --at, as Markdown: number, severity, next update."""
    from incident_rules.render.artifacts import update as render_update

    incident, assessment = incident_and_assessment(engine, document, at)
    emit(render_update(incident, assessment, audience=audience, templates=templates), "markdown")
