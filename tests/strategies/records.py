"""Whole incident records, clustered around the quality gate's edges.

Each record is a valid incident document (from ``strategies.documents.incident_documents``)
whose timeline, updates, responders and postmortem are redrawn so that every check of the gate
both passes and fails often: severity assigned around 5 minutes, updates spaced around 15 and 30 minutes, the
postmortem scheduled around 48 hours and a week, whys that now and then name a responder.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from strategies.documents import incident_documents, iso

__all__ = ["RESPONDERS", "gate_records"]

#: The responders of every generated record: a handle with a name, and a team handle.
RESPONDERS = [
    {"handle": "@jane-doe", "name": "Jane Doe", "role": "incident_commander"},
    {"handle": "@sre-on-call", "role": "responder"},
]
_UTC_ZONES = [timezone.utc, timezone.utc, timezone(timedelta(hours=-8))]
_WORDS = ["the pool", "ran out", "because", "a canary", "missed it", "review", "approved it"]
_BLAME = ["@jane-doe", "Jane Doe", "jane-doe", "@sre-on-call", "@someone", "sre-on-call"]
_TEXT = st.sampled_from(["Investigating", "Rolled back", "Monitoring", "Resolved"])
_BLANKS = st.sampled_from(["", "  ", "\n"])
_ELEMENTS = ("status", "what_happened", "what_we_did", "next_steps", "next_update_at")
_MINUTES = st.sampled_from([0.5, 3, 5, 5.02, 6, 12])


def _read(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# The parts below take ``draw`` and are called inside ``gate_records``, not built as strategies:
# their arguments are drawn values, and a strategy built per draw costs Hypothesis a validation.


def _moment(draw: st.DrawFn, at: datetime) -> str:
    """``at`` as text, mostly in UTC (``Z`` or ``+00:00``), now and then at -08:00."""
    return iso(at, draw(st.sampled_from(_UTC_ZONES)), zulu=draw(st.booleans()))


def _timeline(draw: st.DrawFn, detected: datetime) -> tuple[list[dict[str, Any]], datetime | None]:
    entries = [{"at": _moment(draw, detected), "kind": "detected"}]
    if draw(st.integers(0, 4)):
        at = detected + timedelta(minutes=draw(_MINUTES))
        severity = draw(st.sampled_from(["SEV1", "SEV2", "SEV3", "SEV4"]))
        entries.append({"at": _moment(draw, at), "kind": "severity_assigned", "severity": severity})
    for kind in ("mitigation_started", "diagnosis_started", "rollback_started"):
        if draw(st.booleans()):
            at = detected + timedelta(minutes=draw(st.integers(1, 40)))
            entries.append({"at": _moment(draw, at), "kind": kind, "text": draw(st.text(max_size=8))})
    resolved = None
    if draw(st.integers(0, 3)):
        resolved = detected + timedelta(minutes=draw(st.integers(30, 150)))
        entries.append({"at": _moment(draw, resolved), "kind": "resolved"})
    return draw(st.permutations(entries)), resolved


def _updates(draw: st.DrawFn, detected: datetime) -> list[dict[str, Any]]:
    updates = []
    for audience in draw(st.lists(st.sampled_from(["stakeholders", "team", "status_page"]), max_size=2)):
        at = detected
        for _ in range(draw(st.integers(0, 8))):
            at += timedelta(minutes=draw(st.sampled_from([10, 15, 15, 16, 29, 30, 31, 45, 130])))
            update = {"at": _moment(draw, at), "audience": audience}
            update |= {key: draw(_TEXT) for key in _ELEMENTS[:4]}
            update["next_update_at"] = iso(at + timedelta(minutes=15))
            if draw(st.integers(0, 9)) == 0:  # now and then, one element is left out
                lacking = draw(st.sampled_from(_ELEMENTS))
                if lacking == "next_update_at":
                    del update[lacking]
                else:
                    update[lacking] = draw(_BLANKS)
            updates.append(update)
    return updates


@st.composite
def _why(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=5))
    if draw(st.integers(0, 4)) == 0:
        words.insert(draw(st.integers(0, len(words))), draw(st.sampled_from(_BLAME)))
    return " ".join(words)


_WHY = _why()


def _action_item(draw: st.DrawFn, due: str) -> dict[str, Any]:
    """An action item with an owner and a due date, now and then without one of them."""
    item = {"text": "Add a test", "owner": "@backend", "due": draw(st.sampled_from(["2025-07-01", due]))}
    if draw(st.integers(0, 6)) == 0:
        lacking = draw(st.sampled_from(["owner", "due"]))
        if draw(st.booleans()):
            del item[lacking]
        else:
            item[lacking] = " " if lacking == "owner" else None
    return item


def _postmortem(draw: st.DrawFn, resolved: datetime | None, detected: datetime) -> dict[str, Any]:
    base = resolved or detected
    after = timedelta(hours=draw(st.sampled_from([10, 47.9, 48, 48.1, 100, 167, 169])))
    published = base + timedelta(days=3)
    review: dict[str, Any] = {
        "published_at": iso(published),
        "whys": draw(st.lists(_WHY, max_size=5)),
        "action_items": [
            _action_item(draw, iso(base)) for _ in range(draw(st.sampled_from([0, 1, 2, 2, 3, 4])))
        ],
        "runbooks_updated": draw(st.booleans()),
    }
    if draw(st.integers(0, 4)):
        review["scheduled_at"] = iso(base + after)
    if draw(st.booleans()):
        review["root_cause"] = draw(_WHY)
    if draw(st.booleans()):
        review["runbooks_updated_at"] = iso(published + timedelta(hours=draw(st.sampled_from([-5, 0, 5]))))
    return review


@st.composite
def gate_records(draw: st.DrawFn) -> dict[str, Any]:
    """A valid incident record whose every gate check sits near its edge."""
    document = draw(incident_documents())
    detected = _read(document["detected_at"])
    document["timeline"], resolved = _timeline(draw, detected)
    document["updates"] = _updates(draw, detected)
    document["responders"] = RESPONDERS
    if draw(st.integers(0, 5)):
        document["postmortem"] = _postmortem(draw, resolved, detected)
    else:
        document.pop("postmortem", None)
    return document
