"""What the benchmarks feed the engine: incident documents and generated rules files.

Everything is generated from a seed, so two runs measure the same inputs.
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from incident_rules import Incident

SEED_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "inc-2025-0142.json"
#: The instant the seed example is assessed at in issue 2 (seven minutes after the alert).
SEED_AT = "2025-06-15T14:30:00Z"

_BASE = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)
_SCOPES = ("none", "cosmetic", "minor", "partial", "widespread")
_FRACTIONS = (None, 0.0, 0.05, 0.1, 0.10001, 0.3, 0.75, 1.0)
_CHANGE_KINDS = ("deploy", "config", "flag", "migration", "infra")
_RESOURCES = ("cpu", "memory", "connections", "disk", "other")
_TIMELINE_KINDS = (
    "note",
    "severity_assigned",
    "escalated",
    "mitigation_started",
    "mitigated",
    "rollback_started",
    "diagnosis_started",
    "note",
    "note",
)
_AUDIENCES = ("status_page", "stakeholders", "executives", "team")


def parse_at(text: str) -> datetime:
    """An instant as the documents write it (``Z`` or an offset)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def seed_document() -> dict[str, Any]:
    """The seed example of issue 2, INC-2025-0142."""
    return json.loads(SEED_EXAMPLE.read_text(encoding="utf-8"))


def _impact(rng: random.Random, detected: datetime) -> dict[str, Any]:
    impact: dict[str, Any] = {
        "user_facing": rng.random() < 0.7,
        "scope": rng.choice(_SCOPES),
        "data_loss": rng.random() < 0.08,
        "security_breach": rng.random() < 0.05,
        "customer_data": rng.random() < 0.1,
        "pii_exposed": rng.random() < 0.05,
        "workaround": rng.random() < 0.4,
        "internal_only": rng.random() < 0.15,
    }
    fraction = rng.choice(_FRACTIONS)
    if fraction is not None:
        impact["affected_fraction"] = fraction
    impact["observations"] = [
        {"at": _iso(detected + timedelta(minutes=10 * k)), "affected_fraction": round(rng.random(), 2)}
        for k in range(rng.randrange(4))
    ]
    return impact


def _signals(rng: random.Random, onset: datetime) -> dict[str, Any]:
    changes = []
    for _ in range(rng.randrange(4)):
        change: dict[str, Any] = {
            # Before onset mostly, some inside the 60-minute window, some after onset.
            "at": _iso(onset - timedelta(minutes=rng.randrange(-30, 240))),
            "kind": rng.choice(_CHANGE_KINDS),
            "suspected": rng.random() < 0.1,
        }
        if rng.random() < 0.8:
            change["ref"] = f"v{rng.randrange(1, 4)}.{rng.randrange(30)}.{rng.randrange(10)}"
        if rng.random() < 0.8:
            change["service"] = rng.choice(("payments-api", "checkout", "search", "auth"))
        changes.append(change)
    down = rng.sample(("db", "cache", "queue", "idp"), rng.choice((0, 0, 0, 1, 1, 2)))
    return {
        "changes": changes,
        "dependencies_down": down,
        "exhausted_resources": rng.sample(_RESOURCES, rng.choice((0, 0, 0, 1, 2))),
        "data_corruption_suspected": rng.random() < 0.1,
    }


def _rollback(rng: random.Random) -> dict[str, Any] | None:
    if rng.random() < 0.25:
        return None
    rollback: dict[str, Any] = {
        "possible": rng.random() < 0.85,
        "loses_data": rng.random() < 0.12,
        "breaks_schema": rng.random() < 0.1,
        "migration_bug": rng.random() < 0.1,
    }
    if rng.random() < 0.85:
        rollback["estimated_minutes"] = rng.choice((1, 2, 4, 4.99, 5, 8, 15, 45))
    return rollback


def timeline(detected: datetime, length: int, rng: random.Random | None = None) -> list[dict[str, Any]]:
    """``length`` timeline entries from detection on, one every 20 seconds."""
    rng = rng or random.Random(length)  # noqa: S311 -- reproducible test data
    entries = [{"at": _iso(detected), "kind": "detected", "text": "Alert fires", "actor": "alertmanager"}]
    for k in range(1, length):
        entry: dict[str, Any] = {
            "at": _iso(detected + timedelta(seconds=20 * k)),
            "kind": rng.choice(_TIMELINE_KINDS),
            "text": f"entry {k}",
            "actor": rng.choice(("@ic", "@sre", "@dev")),
        }
        if entry["kind"] == "severity_assigned":
            entry["severity"] = rng.choice(("SEV1", "SEV2", "SEV3", "SEV4"))
        entries.append(entry)
    if length > 1 and rng.random() < 0.3:
        entries[-1] = {**entries[-1], "kind": "resolved", "text": "resolved"}
        entries[-1].pop("severity", None)
    return entries[:length]


def _updates(rng: random.Random, detected: datetime) -> list[dict[str, Any]]:
    return [
        {
            "at": _iso(detected + timedelta(minutes=15 * (k + 1))),
            "audience": rng.choice(_AUDIENCES),
            "status": "Investigating",
            "what_happened": "Requests fail.",
            "what_we_did": "Paged the team.",
            "next_steps": "Mitigate.",
            "next_update_at": _iso(detected + timedelta(minutes=15 * (k + 2))),
        }
        for k in range(rng.randrange(3))
    ]


def document(
    rng: random.Random, number: int, timeline_length: int | None = None
) -> tuple[dict[str, Any], str]:
    """A valid incident document v1 and an instant to assess it at."""
    detected = _BASE + timedelta(minutes=rng.randrange(200_000))
    onset = detected - timedelta(minutes=rng.randrange(30)) if rng.random() < 0.5 else None
    doc: dict[str, Any] = {
        "id": f"INC-BENCH-{number:05d}",
        "title": f"Generated incident {number}",
        "detected_at": _iso(detected),
        "status": rng.choice(("investigating", "identified", "monitoring", "resolved")),
        "impact": _impact(rng, detected),
        "signals": _signals(rng, onset or detected),
        "responders": [
            {"handle": f"@responder-{k}", "role": "responder", "blocked_on_access": rng.random() < 0.05}
            for k in range(1 + rng.randrange(3))
        ],
        "timeline": timeline(detected, timeline_length or 3 + rng.randrange(10), rng),
        "updates": _updates(rng, detected),
    }
    if onset is not None:
        doc["onset_at"] = _iso(onset)
    rollback = _rollback(rng)
    if rollback is not None:
        doc["rollback"] = rollback
    if rng.random() < 0.3:
        doc["postmortem"] = {
            "scheduled_at": _iso(detected + timedelta(hours=30)),
            "root_cause": "A configuration change exhausted the connection pool.",
            "whys": ["why 1", "why 2"],
            "action_items": [
                {"text": "Add a canary", "owner": "@dev", "due": _iso(detected + timedelta(days=14))}
            ],
            "runbooks_updated": rng.random() < 0.5,
        }
    return doc, _iso(detected + timedelta(minutes=rng.randrange(1, 180)))


def documents(count: int, seed: int = 4) -> list[tuple[dict[str, Any], str]]:
    """``count`` generated documents with their instants; the seed example comes first."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    return [(seed_document(), SEED_AT)] + [document(rng, number) for number in range(1, count)]


def workload_inputs(name: str, mixed_count: int) -> list[tuple[Incident, datetime]]:
    """``seed``: the seed example at 14:30; ``mixed``: generated documents, the seed first."""
    docs = documents(mixed_count if name == "mixed" else 1)
    return [(Incident.from_dict(doc), parse_at(at)) for doc, at in docs]


def long_timeline_document(length: int, longest: int = 10_000) -> tuple[dict[str, Any], str]:
    """The seed example with a timeline of ``length`` entries, assessed after the longest one.

    Detection, mitigation 20 seconds later, then notes: every length gives the same
    decisions, so the curve measures the timeline and nothing else.
    """
    doc = seed_document()
    detected = parse_at(doc["detected_at"])
    kinds = ["detected", "mitigated"] + ["note"] * max(0, length - 2)
    doc["timeline"] = [
        {
            "at": _iso(detected + timedelta(seconds=20 * k)),
            "kind": kind,
            "text": f"entry {k}",
            "actor": "@sre",
        }
        for k, kind in enumerate(kinds[:length])
    ]
    return doc, _iso(detected + timedelta(seconds=20 * longest + 60))


# -- generated rules ---------------------------------------------------------------------------

#: The document the rule-scaling curve assesses: a partial degradation of 40 % of users.
SCALING_AT = "2025-06-15T14:30:00Z"


def scaling_document() -> dict[str, Any]:
    """The seed example narrowed to a 40 % partial degradation, which the generated rules read."""
    doc = seed_document()
    doc["impact"]["scope"] = "partial"
    doc["impact"]["affected_fraction"] = 0.4
    return doc


def _scaling_condition(number: int, count: int, holds: bool) -> str:
    # Every rule has its own threshold, so no engine can share one test between two rules.
    # Holding: 0 < threshold < 0.25, below the document's 0.4; failing: 0.5 < threshold < 0.75.
    threshold = (0.0 if holds else 0.5) + 0.25 * (number + 1) / (count + 2)
    return f'impact.scope == "partial" and impact.affected_fraction > {threshold:.8f}'


def write_scaling_rules(directory: Path, params_file: Path, count: int, hit: str) -> Path:
    """A ruleset of ``count`` generated rules in ``directory`` (with a copy of the params file).

    ``first``: no rule holds but the last (``when: true``), so every rule is evaluated.
    ``collect``: every tenth rule holds, the others fail on their second test.
    """
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(params_file, directory / "params.yaml")
    values = [f"v{k}" for k in range(10)]
    lines = [f"ruleset: scale_{hit}_{count}", f"hit: {hit}", f"values: [{', '.join(values)}]", "rules:"]
    for number in range(count):
        last = hit == "first" and number == count - 1
        holds = hit == "collect" and number % 10 == 0
        when = "true" if last else _scaling_condition(number, count, holds)
        lines += [f"  - id: gen.rule-{number:04d}", f"    when: '{when}'", f"    then: v{number % 10}"]
    path = directory / f"scale_{hit}_{count}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
