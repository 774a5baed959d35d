"""Errors as data: problem records behind every error, and no OverflowError ever reaching a caller."""

from __future__ import annotations

import json
import pickle
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from incident_rules import Engine, Incident, IncidentRulesError, InvalidIncident, RulesetError
from incident_rules.errors import Problem

PARAMS = Path(__file__).parent.parent / "rules" / "params.yaml"
SCOPE_LINE = "impact.scope: must be one of none, cosmetic, minor, partial, widespread (got 'global')"


def document(**changes: Any) -> dict[str, Any]:
    """A SEV1 outage (user facing, widespread) detected at 14:23 UTC, with ``changes`` applied."""
    base: dict[str, Any] = {
        "id": "INC-1",
        "title": "Checkout down",
        "detected_at": "2025-06-15T14:23:00Z",
        "impact": {"user_facing": True, "scope": "widespread"},
    }
    return base | changes


def sev3(**changes: Any) -> dict[str, Any]:
    """A SEV3 (minor, with a workaround): its team updates are due in work hours."""
    return document(impact={"user_facing": True, "scope": "minor", "workaround": True}, **changes)


def update(at: str, audience: str = "stakeholders") -> dict[str, Any]:
    """One update sent to ``audience`` at ``at``."""
    return {
        "at": at,
        "audience": audience,
        "status": "investigating",
        "what_happened": "errors",
        "what_we_did": "paged",
        "next_steps": "roll back",
    }


def caught(error: type[IncidentRulesError], call: Any, *args: Any, **kwargs: Any) -> IncidentRulesError:
    """The error of type ``error`` that ``call(*args, **kwargs)`` raises."""
    with pytest.raises(error) as raised:
        call(*args, **kwargs)
    return raised.value


def rules_file(directory: Path, text: str) -> Path:
    """A rules file holding ``text`` (dedented)."""
    path = directory / "demo.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The shipped rules on the native backend."""
    return Engine.default(backend="native")


class TestProblem:
    """``Problem``: a frozen record whose ``str`` is the line it reports."""

    def test_a_document_problem_reads_as_path_then_message(self) -> None:
        """A problem with a path reads ``path: message``."""
        problem = Problem(
            "must be one of none, cosmetic, minor, partial, widespread (got 'global')", path="impact.scope"
        )
        assert str(problem) == SCOPE_LINE

    def test_a_rules_problem_reads_as_file_line_column_then_message(self) -> None:
        """A problem in a rules file reads ``file:line:column: message``, even with a path."""
        problem = Problem("unknown field 'x'", path="rules[0].when", file="rules/x.yaml", line=3, column=7)
        assert str(problem) == "rules/x.yaml:3:7: unknown field 'x'"

    def test_a_problem_without_a_location_is_its_message(self) -> None:
        """A problem with neither path nor file is its message alone."""
        assert str(Problem("no rules files found in x")) == "no rules files found in x"

    def test_a_problem_equals_its_line_and_hashes_like_it(self) -> None:
        """A problem compares and hashes as its line, so it can be looked up by text."""
        problem = Problem("required key is missing", path="id")
        assert (problem == "id: required key is missing", hash(problem)) == (
            True,
            hash("id: required key is missing"),
        )

    def test_a_problem_cannot_be_changed(self) -> None:
        """Setting a field of a problem raises ``FrozenInstanceError``."""
        problem = Problem("bad", path="id")
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            problem.path = "title"  # type: ignore[misc]

    def test_to_dict_holds_every_field_and_the_line(self) -> None:
        """``to_dict`` gives each field by name and the line under ``text``."""
        problem = Problem(
            "bad", path="rules[0]", value=3, expected="a string", file="f.yaml", line=2, column=5
        )
        assert problem.to_dict() == {
            "text": "f.yaml:2:5: bad",
            "message": "bad",
            "path": "rules[0]",
            "value": 3,
            "expected": "a string",
            "file": "f.yaml",
            "line": 2,
            "column": 5,
        }

    def test_to_dict_gives_a_value_json_cannot_hold_as_its_repr(self) -> None:
        """A datetime value (or a set, or infinity) becomes its ``repr`` in ``to_dict``."""
        moment = datetime(2025, 6, 15, tzinfo=timezone.utc)
        values = [Problem("bad", value=value).to_dict()["value"] for value in (moment, {1}, float("inf"))]
        assert values == [repr(moment), "{1}", "inf"]

    def test_to_dict_keeps_json_values_as_they_are(self) -> None:
        """Lists and string-keyed mappings of JSON values stay JSON in ``to_dict``."""
        value = {"a": [1, 2.5, None, True, "x"]}
        assert Problem("bad", value=value).to_dict()["value"] == value

    def test_to_dict_of_a_value_nested_a_hundred_thousand_deep_is_json(self) -> None:
        """A value nested 100,000 deep is named as such, and the record still dumps as JSON."""
        value: list[Any] = []
        for _ in range(100_000):
            value = [value]
        record = Problem("bad", value=value).to_dict()
        assert "nested too deeply to show" in json.dumps(record)

    def test_to_dict_of_an_integer_python_will_not_print_is_json(self) -> None:
        """An integer of 5,000 digits is named by its size, and the record still dumps as JSON."""
        record = Problem("bad", value=10**5000).to_dict()
        assert record["value"] == f"an integer of {(10**5000).bit_length()} bits"
        json.dumps(record)

    def test_a_problem_survives_pickling(self) -> None:
        """A pickled problem comes back with the same fields and line."""
        problem = Problem("bad", path="x", value=[1], expected="y", file="f", line=1, column=2)
        restored = pickle.loads(pickle.dumps(problem))
        assert (attrs.asdict(restored), str(restored)) == (attrs.asdict(problem), str(problem))


class TestErrors:
    """The exceptions carry their problems as records; their text is what it always was."""

    def test_a_plain_string_becomes_a_problem_with_only_a_message(self) -> None:
        """``RulesetError("x")`` holds one ``Problem`` with message ``x`` and no location."""
        (problem,) = RulesetError("something is wrong").problems
        assert (type(problem), problem.message, problem.path, problem.file) == (
            Problem,
            "something is wrong",
            None,
            None,
        )

    def test_an_error_of_several_problems_lists_them_under_a_count(self) -> None:
        """Two problems read as ``2 problems:`` and one indented line each."""
        error = InvalidIncident([Problem("a", path="id"), "title: b"])
        assert str(error) == "2 problems:\n  id: a\n  title: b"

    def test_an_error_survives_pickling_with_its_records(self) -> None:
        """A pickled error comes back with its problem records, fields included."""
        error = InvalidIncident([Problem("a", path="id", value=1), Problem("b", path="title")])
        restored = pickle.loads(pickle.dumps(error))
        assert [attrs.asdict(problem) for problem in restored.problems] == [
            attrs.asdict(problem) for problem in error.problems
        ]

    def test_to_dict_names_the_type_the_text_and_every_problem(self) -> None:
        """``to_dict`` gives the class name, ``str(error)`` and each problem's ``to_dict``."""
        error = RulesetError([Problem("a", path="params.x")])
        assert error.to_dict() == {
            "type": "RulesetError",
            "message": "params.x: a",
            "problems": [Problem("a", path="params.x").to_dict()],
        }


class TestDocumentProblems:
    """A bad incident document gives records with the path, the value and what was expected."""

    def test_a_value_outside_the_choices_is_a_full_record(self) -> None:
        """``scope: global`` is a record at ``impact.scope`` with the value and the choices."""
        bad = document(impact={"user_facing": True, "scope": "global"})
        (problem,) = caught(InvalidIncident, Incident.from_dict, bad).problems
        assert (str(problem), problem.path, problem.value, problem.expected) == (
            SCOPE_LINE,
            "impact.scope",
            "global",
            "one of none, cosmetic, minor, partial, widespread",
        )

    def test_an_unknown_key_is_a_record_whose_value_is_the_key(self) -> None:
        """A misspelt ``titel`` is a record at ``titel`` holding the key."""
        bad = document(titel="x")
        (problem,) = caught(InvalidIncident, Incident.from_dict, bad).problems
        assert (problem.path, problem.value, problem.message) == (
            "titel",
            "titel",
            "unknown key (did you mean 'title'?)",
        )

    def test_a_missing_key_is_a_record_at_its_path(self) -> None:
        """A document without ``title`` gives a record at ``title`` saying it is required."""
        bad = document()
        del bad["title"]
        (problem,) = caught(InvalidIncident, Incident.from_dict, bad).problems
        assert (problem.path, problem.message) == ("title", "required key is missing")

    def test_an_integer_too_large_for_a_float_is_not_a_finite_number(self) -> None:
        """An estimate of 10**400 minutes is refused as not a finite number, with its value."""
        bad = document(rollback={"possible": True, "estimated_minutes": 10**400})
        (problem,) = caught(InvalidIncident, Incident.from_dict, bad).problems
        assert (problem.path, problem.message.split(" (got")[0], problem.value) == (
            "rollback.estimated_minutes",
            "expected a finite number",
            10**400,
        )

    def test_an_instant_without_an_offset_is_a_record_at_at(self, engine: Engine) -> None:
        """``at`` without an offset is a record at path ``at`` holding the text given."""
        (problem,) = caught(InvalidIncident, engine.assess, document(), at="2025-06-15T14:30:00").problems
        assert (problem.path, problem.value) == ("at", "2025-06-15T14:30:00")

    def test_an_instant_before_detection_is_a_record_at_at(self, engine: Engine) -> None:
        """``at`` before ``detected_at`` is a record at ``at`` holding that instant."""
        (problem,) = caught(InvalidIncident, engine.assess, document(), at="2025-06-15T14:00:00Z").problems
        assert (problem.path, problem.value) == ("at", "2025-06-15T14:00:00+00:00")


class TestRulesProblems:
    """A bad rules file gives records with the file, line, column and the YAML path."""

    def test_a_bad_value_is_a_record_at_its_file_line_and_column(self, tmp_path: Path) -> None:
        """``hit: frist`` is a record in that file at line 2, column 6, path ``hit``, value ``frist``."""
        path = rules_file(
            tmp_path, "ruleset: demo\nhit: frist\nvalues: [ok]\nrules:\n  - {id: a, when: true, then: ok}\n"
        )
        (problem,) = caught(RulesetError, Engine.from_path, path, PARAMS).problems
        assert (problem.file, problem.line, problem.column, problem.path, problem.value) == (
            str(path),
            2,
            6,
            "hit",
            "frist",
        )

    def test_a_value_of_the_wrong_type_says_what_was_expected(self, tmp_path: Path) -> None:
        """``ruleset: 3`` is a record holding the number 3 and expecting a string."""
        path = rules_file(tmp_path, "ruleset: 3\nvalues: [ok]\nrules:\n  - {id: a, when: true, then: ok}\n")
        (problem,) = caught(RulesetError, Engine.from_path, path, PARAMS).problems
        assert (problem.value, problem.expected) == (3, "a string")

    def test_an_unknown_key_in_a_rule_has_the_path_of_that_key(self, tmp_path: Path) -> None:
        """A misspelt ``thne`` in the second rule is at path ``rules[1].thne``."""
        path = rules_file(
            tmp_path,
            """
            ruleset: demo
            values: [ok]
            rules:
              - {id: a, when: true, then: ok}
              - {id: b, when: true, then: ok, thne: ok}
            """,
        )
        (problem,) = caught(RulesetError, Engine.from_path, path, PARAMS).problems
        assert (problem.path, problem.line) == ("rules[1].thne", 5)

    def test_a_problem_in_a_condition_is_at_its_line_and_column(self, tmp_path: Path) -> None:
        """An unknown field inside ``when`` is a record at the field's own line and column."""
        rule = "  - {id: a, when: impact.scop, then: ok}"
        path = rules_file(tmp_path, f"ruleset: demo\nvalues: [ok]\nrules:\n{rule}\n")
        (problem,) = caught(RulesetError, Engine.from_path, path, PARAMS).problems
        column = rule.index("impact") + 1
        assert (problem.line, problem.column, problem.message.startswith("unknown field")) == (
            4,
            column,
            True,
        )


class TestParamProblems:
    """Bad overrides give records at ``params.<name>``; no time span is too large to add."""

    def test_an_unknown_param_is_a_record_listing_the_params(self) -> None:
        """A misspelt override is a record at its path whose expected names the real param."""
        (problem,) = caught(RulesetError, Engine.default, params={"change_windw": "30m"}).problems
        assert (problem.path, problem.value, "change_window" in (problem.expected or "")) == (
            "params.change_windw",
            "change_windw",
            True,
        )

    def test_a_mistyped_override_is_a_record_with_what_was_expected(self) -> None:
        """``change_window: "soon"`` is a record holding ``soon`` and the duration format."""
        (problem,) = caught(RulesetError, Engine.default, params={"change_window": "soon"}).problems
        assert (problem.value, problem.expected) == (
            "soon",
            "a duration like '15m', '2h' or a number of minutes",
        )

    def test_a_huge_duration_param_is_refused_naming_the_largest_allowed(self) -> None:
        """The issue's ``sev1_executive_summary_within=9999999999h`` is a RulesetError, not an overflow."""
        error = caught(RulesetError, Engine.default, params={"sev1_executive_summary_within": "9999999999h"})
        assert str(error) == (
            "params.sev1_executive_summary_within: expected a duration of at most 3650d (got '9999999999h')"
        )

    def test_a_duration_of_exactly_ten_years_is_allowed(self) -> None:
        """3650d, the largest duration, is accepted and gives its deadline."""
        engine = Engine.default(params={"sev1_executive_summary_within": "3650d"}, backend="native")
        due = {
            action.action: action.due_at
            for action in engine.assess(document(), at="2025-06-15T14:30:00Z").due
        }
        assert due["executive_summary"] == datetime(2025, 6, 15, 14, 23, tzinfo=timezone.utc) + timedelta(
            days=3650
        )

    def test_a_fraction_param_beyond_float_range_is_not_a_number(self) -> None:
        """An override of 10**400 for a fraction is a RulesetError, not an OverflowError."""
        (problem,) = caught(RulesetError, Engine.default, params={"blast_radius_growth": 10**400}).problems
        assert (problem.path, problem.expected) == ("params.blast_radius_growth", "a number between 0 and 1")

    def test_a_huge_due_in_a_rules_file_is_refused_at_its_line(self, tmp_path: Path) -> None:
        """``due: {within: 99999d}`` is a problem at its line in the rules file."""
        path = rules_file(
            tmp_path,
            """
            ruleset: demo
            values: [ok]
            rules:
              - id: a
                when: true
                then: ok
                due: {within: 99999d}
            """,
        )
        (problem,) = caught(RulesetError, Engine.from_path, path, PARAMS).problems
        assert (problem.line, "at most 3650d" in problem.message) == (7, True)


class TestOffTheCalendar:
    """A deadline past the year 9999 (or before the year 1) is an ``InvalidIncident``."""

    def test_a_deadline_after_the_year_9999_is_an_invalid_incident(self, engine: Engine) -> None:
        """Detected at 23:30 on 9999-12-31, the one-hour executive summary cannot be due."""
        bad = document(detected_at="9999-12-31T23:30:00Z")
        (problem,) = caught(InvalidIncident, engine.assess, bad, at="9999-12-31T23:40:00Z").problems
        assert (problem.path, problem.value, "communication.sev1-executive-summary" in problem.message) == (
            "detected_at",
            "9999-12-31T23:30:00+00:00",
            True,
        )

    def test_a_work_hours_deadline_after_the_year_9999_is_an_invalid_incident(self, engine: Engine) -> None:
        """A SEV3 at 16:30 on 9999-12-31 has its team update due on a working day of year 10000."""
        bad = sev3(detected_at="9999-12-31T16:30:00Z")
        error = caught(InvalidIncident, engine.assess, bad, at="9999-12-31T16:40:00Z")
        assert "of work time later) falls outside the years 1 to 9999" in str(error)

    def test_a_deadline_before_the_year_1_in_utc_is_an_invalid_incident(self, engine: Engine) -> None:
        """A SEV3 at midnight of year 1 at +05:00 is before year 1 in UTC, where work hours count."""
        bad = sev3(detected_at="0001-01-01T00:00:00+05:00")
        (problem,) = caught(InvalidIncident, engine.assess, bad, at="0001-01-01T00:10:00+05:00").problems
        assert problem.path == "detected_at"

    def test_a_deadline_from_the_last_update_names_that_update(self, engine: Engine) -> None:
        """Stakeholders last told at 23:50 on 9999-12-31 are due an update past the calendar."""
        bad = document(detected_at="9999-12-31T20:00:00Z", updates=[update("9999-12-31T23:50:00Z")])
        problems = caught(InvalidIncident, engine.assess, bad, at="9999-12-31T23:55:00Z").problems
        assert [problem.path for problem in problems] == ["updates[0].at"]

    def test_deadlines_that_end_inside_the_calendar_are_given(self, engine: Engine) -> None:
        """Detected at 20:00 on 9999-12-31, a SEV1's deadlines (at most one hour) all fit."""
        assessment = engine.assess(document(detected_at="9999-12-31T20:00:00Z"), at="9999-12-31T20:05:00Z")
        assert max(action.due_at for action in assessment.due) == datetime(
            9999, 12, 31, 21, tzinfo=timezone.utc
        )

    @given(
        moment=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
        offset=st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
        scope=st.sampled_from(["widespread", "partial", "minor", "cosmetic"]),
        workaround=st.booleans(),
        edge=st.sampled_from([None, datetime.min, datetime.max]),
    )
    def test_any_detection_time_gives_an_assessment_or_our_error(
        self,
        engine: Engine,
        moment: datetime,
        offset: int,
        scope: str,
        workaround: bool,
        edge: datetime | None,
    ) -> None:
        """Any detection time and offset gives an assessment or ``InvalidIncident``, never an overflow."""
        zone = timezone(timedelta(minutes=offset))
        detected = (edge or moment).replace(tzinfo=zone)
        impact = {"user_facing": True, "scope": scope, "affected_fraction": 0.5, "workaround": workaround}
        bad = document(detected_at=detected.isoformat(), impact=impact)
        paths: set[str | None] = set()
        try:
            due = engine.assess(bad, at=detected).due
        except InvalidIncident as error:
            paths, due = {problem.path for problem in error.problems}, ()
        assert paths <= {"detected_at"}
        assert all(action.due_at >= detected for action in due)
