"""The incident document v1: strict reading into frozen facts, and back to plain data."""

from __future__ import annotations

import copy
import json
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given

from incident_rules import Incident, IncidentRulesError, InvalidIncident
from strategies import damaged_documents

SEED = Path(__file__).parent.parent / "examples" / "inc-2025-0142.json"


def minimal(**changes: Any) -> dict[str, Any]:
    """The smallest valid document, with ``changes`` applied at the top level."""
    document: dict[str, Any] = {
        "id": "INC-1",
        "title": "Checkout slow",
        "detected_at": "2025-06-15T14:23:00Z",
        "impact": {"user_facing": True, "scope": "minor"},
    }
    document.update(changes)
    return document


def impact(**fields: Any) -> dict[str, Any]:
    """The minimal document with ``fields`` set in its impact."""
    return minimal(impact={"user_facing": True, "scope": "minor", **fields})


def problems(document: object) -> tuple[str, ...]:
    """The problems ``Incident.from_dict`` reports for ``document``."""
    with pytest.raises(InvalidIncident) as caught:
        Incident.from_dict(document)  # type: ignore[arg-type]
    return caught.value.problems


class TestFromDict:
    """``Incident.from_dict`` reads valid documents and rejects invalid ones with every problem named."""

    def test_the_seed_example_is_read(self) -> None:
        """The payment outage INC-2025-0142 reads into an incident with its change and rollback."""
        incident = Incident.from_dict(json.loads(SEED.read_text(encoding="utf-8")))
        assert (
            incident.id,
            incident.signals.changes[0].ref,
            incident.rollback and incident.rollback.estimated_minutes,
        ) == (
            "INC-2025-0142",
            "v2.14.3",
            4,
        )

    def test_absent_optional_fields_take_their_defaults(self) -> None:
        """A minimal document has no onset, no rollback and no signals."""
        incident = Incident.from_dict(minimal())
        assert (
            incident.onset_at,
            incident.rollback,
            incident.signals.changes,
            incident.impact.data_loss,
        ) == (
            None,
            None,
            (),
            False,
        )

    def test_explicit_nulls_read_as_absent(self) -> None:
        """``null`` for an optional field is the same as leaving it out."""
        assert Incident.from_dict(minimal(onset_at=None, rollback=None, status=None)) == Incident.from_dict(
            minimal()
        )

    def test_the_utc_offset_of_a_time_is_kept(self) -> None:
        """A time written in +05:30 keeps that offset."""
        incident = Incident.from_dict(minimal(detected_at="2025-06-15T19:53:00+05:30"))
        assert incident.detected_at.utcoffset() == timedelta(hours=5, minutes=30)

    def test_z_means_utc(self) -> None:
        """A time ending in ``Z`` is UTC."""
        assert Incident.from_dict(minimal()).detected_at.tzinfo == timezone.utc

    def test_incidents_are_frozen(self) -> None:
        """An incident cannot be changed after it is read."""
        incident = Incident.from_dict(minimal())
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            incident.title = "changed"  # type: ignore[misc]

    def test_unknown_keys_are_named_with_a_suggestion(self) -> None:
        """A misspelt key is reported at its path with the key it probably meant."""
        assert problems(impact(scop="minor")) == ("impact.scop: unknown key (did you mean 'scope'?)",)

    def test_unknown_enum_values_list_the_choices(self) -> None:
        """A scope outside the enum says which scopes exist and what it got."""
        assert problems(minimal(impact={"user_facing": True, "scope": "global"})) == (
            "impact.scope: must be one of none, cosmetic, minor, partial, widespread (got 'global')",
        )

    @pytest.mark.parametrize("text", ["2025-06-15T14:23:00", "2025-06-15", "2025-06-15 14:23"])
    def test_times_without_an_offset_are_rejected(self, text: str) -> None:
        """A naive time is an error at its path, showing the text it got."""
        (problem,) = problems(minimal(detected_at=text))
        assert problem.startswith("detected_at: ")
        assert "UTC offset" in problem
        assert repr(text) in problem

    @pytest.mark.parametrize("text", ["yesterday", "2025-13-01T00:00:00Z", "2025-06-15T14:23:00+25:00", ""])
    def test_text_that_is_not_a_time_is_rejected(self, text: str) -> None:
        """Text that is no ISO 8601 time is an error at its path."""
        (problem,) = problems(minimal(detected_at=text))
        assert problem.startswith("detected_at: expected an ISO 8601 time")

    def test_a_number_is_not_a_time(self) -> None:
        """A Unix timestamp is not accepted for a time."""
        (problem,) = problems(minimal(detected_at=1718461380))
        assert problem.startswith("detected_at: expected an ISO 8601 time")
        assert "1718461380" in problem

    @pytest.mark.parametrize("fraction", [1.5, -0.1, 1.0000001])
    def test_fractions_outside_zero_to_one_are_rejected(self, fraction: float) -> None:
        """An affected fraction must lie in 0..1."""
        assert problems(impact(affected_fraction=fraction)) == (
            f"impact.affected_fraction: must be a fraction between 0 and 1 (got {fraction!r})",
        )

    @pytest.mark.parametrize("fraction", [float("nan"), float("inf"), 10**400])
    def test_fractions_that_are_not_finite_numbers_are_rejected(self, fraction: float) -> None:
        """NaN, infinity and numbers too large for a float are errors at the path."""
        (problem,) = problems(impact(affected_fraction=fraction))
        assert problem.startswith("impact.affected_fraction: ")

    def test_fractions_at_both_ends_are_accepted(self) -> None:
        """0 and 1, as JSON integers, are fractions."""
        assert [Incident.from_dict(impact(affected_fraction=f)).impact.affected_fraction for f in (0, 1)] == [
            0,
            1,
        ]

    def test_a_boolean_is_not_a_number(self) -> None:
        """JSON ``true`` is not accepted where a number is expected."""
        assert problems(impact(affected_fraction=True)) == (
            "impact.affected_fraction: expected a finite number (got True)",
        )

    def test_a_number_is_not_a_boolean(self) -> None:
        """``1`` is not accepted where a boolean is expected."""
        assert problems(minimal(impact={"user_facing": 1, "scope": "minor"})) == (
            "impact.user_facing: expected a boolean (got 1)",
        )

    def test_a_number_in_text_is_not_a_number(self) -> None:
        """``"4"`` is not accepted for the rollback's estimated minutes."""
        assert problems(minimal(rollback={"possible": True, "estimated_minutes": "4"})) == (
            "rollback.estimated_minutes: expected a finite number (got '4')",
        )

    def test_a_string_is_not_a_list(self) -> None:
        """A single resource name is not accepted for the list of exhausted resources."""
        assert problems(minimal(signals={"exhausted_resources": "cpu"})) == (
            "signals.exhausted_resources: expected a list (got 'cpu')",
        )

    def test_list_items_are_named_by_index(self) -> None:
        """Problems inside a list name the item's index and the field."""
        changes = [
            {"at": "2025-06-15T14:18:00Z", "kind": "deploy"},
            {"at": "2025-06-15T14:18:00Z", "kind": "dpeloy"},
        ]
        assert problems(minimal(signals={"changes": changes})) == (
            "signals.changes[1].kind: must be one of deploy, config, flag, migration, infra (got 'dpeloy')",
        )

    def test_missing_required_keys_are_named(self) -> None:
        """Every required key that is missing is reported."""
        assert problems({}) == tuple(
            f"{key}: required key is missing" for key in ("detected_at", "id", "impact", "title")
        )

    def test_every_problem_is_reported_at_once(self) -> None:
        """Four problems in four places give four problems in one error."""
        document = minimal(
            detected_at="2025-06-15T14:23:00",
            impact={"user_facing": "yes", "scope": "global", "affected_fraction": 2},
            extra=1,
        )
        assert {problem.split(":")[0] for problem in problems(document)} == {
            "detected_at",
            "extra",
            "impact.user_facing",
            "impact.scope",
            "impact.affected_fraction",
        }

    @pytest.mark.parametrize("document", [None, "INC-1", [1, 2], 42])
    def test_a_document_that_is_not_an_object_is_rejected(self, document: object) -> None:
        """Anything but a mapping is reported as the wrong kind of document."""
        assert problems(document) == (f"document: expected an object (got {document!r})",)

    def test_a_key_that_is_not_a_string_is_rejected(self) -> None:
        """A non-string key is reported as an unknown key, not as a TypeError."""
        (problem,) = problems({**minimal(), 1: "x"})
        assert "unknown key" in problem

    def test_the_error_is_a_value_error_of_ours(self) -> None:
        """``InvalidIncident`` is caught as our root error and as ``ValueError``."""
        with pytest.raises(IncidentRulesError) as caught:
            Incident.from_dict(impact(affected_fraction=2))
        assert isinstance(caught.value, ValueError)


def problems_reading(document: object) -> tuple[str, ...] | None:
    """The problems ``Incident.from_dict`` reports for ``document``, or None if it reads."""
    try:
        Incident.from_dict(document)  # type: ignore[arg-type]
    except InvalidIncident as error:
        return error.problems
    return None


class TestBadDocuments:
    """Bad documents raise our error only, never a dependency's."""

    @given(document=damaged_documents())
    def test_any_json_value_anywhere_gives_an_incident_or_our_error(self, document: dict[str, Any]) -> None:
        """A document with a value replaced by any JSON either reads or raises ``InvalidIncident``."""
        problems = problems_reading(document)
        assert problems is None or (problems and all(isinstance(problem, str) for problem in problems))


class TestOnset:
    """``Incident.onset``: when symptoms started."""

    def test_onset_defaults_to_detection(self) -> None:
        """Without ``onset_at`` the onset is the detection time."""
        incident = Incident.from_dict(minimal())
        assert incident.onset == incident.detected_at

    def test_onset_is_onset_at_when_given(self) -> None:
        """With ``onset_at`` the onset is that time."""
        incident = Incident.from_dict(minimal(onset_at="2025-06-15T14:10:00Z"))
        assert incident.onset == incident.onset_at != incident.detected_at


class TestToDict:
    """``Incident.to_dict``: plain JSON-ready data that reads back into an equal incident."""

    def test_the_seed_example_round_trips(self) -> None:
        """The seed example survives dict -> Incident -> JSON -> Incident."""
        incident = Incident.from_dict(json.loads(SEED.read_text(encoding="utf-8")))
        assert Incident.from_dict(json.loads(json.dumps(incident.to_dict()))) == incident

    def test_absent_optional_fields_stay_absent(self) -> None:
        """A document without onset, rollback or postmortem gives data without those keys."""
        data = Incident.from_dict(minimal()).to_dict()
        assert {"onset_at", "rollback", "postmortem", "status"}.isdisjoint(data)

    def test_times_are_written_with_their_offset(self) -> None:
        """A time read in -09:30 is written back in -09:30."""
        data = Incident.from_dict(minimal(detected_at="2025-06-15T04:53:00-09:30")).to_dict()
        assert data["detected_at"] == "2025-06-15T04:53:00-09:30"

    def test_the_data_is_independent_of_the_incident(self) -> None:
        """Changing the returned data does not change what the next call returns."""
        incident = Incident.from_dict(json.loads(SEED.read_text(encoding="utf-8")))
        data = incident.to_dict()
        pristine = copy.deepcopy(data)
        data["impact"]["observations"].clear()
        assert incident.to_dict() == pristine
