"""``incident-rules demo``: the shipped example, end to end, with no arguments.

The seed example (the payment outage INC-2025-0142) ships inside the package, so the demo runs
from any directory of any install: its assessment at 14:30 UTC with the explanation, the
quality gate over the whole record, and the start of each artifact, each with the command that
prints it in full.
"""

from __future__ import annotations

from pathlib import Path

import click

from incident_rules._authoring.layers import shipped_path
from incident_rules._cli.decide import show_assessment
from incident_rules._cli.options import color_option, examples, explain_option
from incident_rules._cli.output import emit

__all__ = ["demo", "seed_path"]

SEED = "inc-2025-0142.json"
#: Seven minutes after detection: the rollback is decided, the status page is due.
SEED_AT = "2025-06-15T14:30:00Z"
#: How many lines of each artifact the demo shows.
GLIMPSE = 8


def seed_path() -> Path:
    """The shipped seed example: inside the package, or in the checkout's ``examples/``."""
    return shipped_path(f"examples/{SEED}")


def _heading(title: str) -> None:
    emit(f"\n=== {title} ===\n\n", "plain")


def _glimpse(title: str, command: str, markdown: str) -> None:
    lines = markdown.splitlines()
    _heading(f"{title}: the first {GLIMPSE} of {len(lines)} lines ({command})")
    emit("\n".join(lines[:GLIMPSE]) + "\n", "markdown")


@click.command(epilog=examples("incident-rules demo", "incident-rules demo --explain fails | less"))
@explain_option
@color_option
def demo(explain: str) -> None:
    """Run the shipped example INC-2025-0142 end to end: assessment, gate, artifacts."""
    import json

    from incident_rules._engine import Engine
    from incident_rules._facts.model import Incident
    from incident_rules._gate.review import record_end
    from incident_rules.render.artifacts import postmortem, report, update

    path = seed_path()
    incident = Incident.from_dict(json.loads(path.read_text(encoding="utf-8")))
    engine = Engine.default()
    shown = f"incident-rules assess {path.name} --at {SEED_AT}"
    emit(f"The payment outage INC-2025-0142, assessed at 14:30 UTC ({shown}):\n\n", "plain")
    show_assessment(engine.assess(incident, at=SEED_AT), "text", explain)
    _heading(f"The quality gate over the whole record (incident-rules check {path.name})")
    show_assessment(engine.check(incident), "text", "none" if explain == "none" else "fails")
    end = engine.assess(incident, at=record_end(incident))
    _glimpse("Incident report", f"incident-rules report {path.name}", report(incident, end))
    _glimpse("Postmortem", f"incident-rules postmortem {path.name}", postmortem(incident))
    at_update = engine.assess(incident, at="2025-06-15T15:00:00Z")
    command = f"incident-rules update {path.name} --at 2025-06-15T15:00:00Z"
    _glimpse("Stakeholder update", command, update(incident, at_update))
    emit(f"\nThe example is {path}; every command above takes --help.\n", "plain")
