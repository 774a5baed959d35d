"""``incident-rules assess``: every decision about a document at an instant."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

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

__all__ = ["assess", "show_assessment"]


def show_assessment(assessment: Any, output: str, explain: str) -> None:
    """Print an assessment (or a gate result) as text or JSON, as much explained as ``explain`` says."""
    from incident_rules._cli.explain import explained

    shown = explained(assessment, explain)
    if output == "json":
        emit(json.dumps(shown.to_dict(), indent=2) + "\n", "json")
    else:
        from incident_rules.render.text import text  # the renderers only for text

        emit(text(shown))


@click.command(
    epilog=examples(
        "incident-rules assess examples/inc-2025-0142.json --at 2025-06-15T14:30:00Z",
        "incident-rules assess incident.json --at now --explain fails",
        "cat incident.json | incident-rules assess - --at now --format json",
    )
)
@document_argument
@at_option("Instant to decide at:", required=True)
@format_option
@explain_option
@engine_options()
@color_option
def assess(document: Path, at: str, output: str, explain: str, engine: EngineChoice) -> None:
    """Assess the incident DOCUMENT (JSON; - reads standard input) at the instant --at."""
    show_assessment(engine.build().assess(read_document(document), at=at), output, explain)
