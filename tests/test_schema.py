"""JSON Schema of the document and the outputs: generated, valid, and as strict as the library.

The incident schema accepts a superset of what ``Incident.from_dict`` accepts, by exactly one
rule JSON Schema cannot state: a date whose day does not exist in its month. The tests below
hold both directions: whatever the library accepts the schema accepts, and whatever the schema
accepts that the library refuses is refused only for such a day.
"""

from __future__ import annotations

import calendar
import copy
import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from incident_rules import Engine, Incident, InvalidIncident
from incident_rules._cli import main
from incident_rules._decisions.jsonschema import assessment_schema, gate_schema
from incident_rules._facts.convert import BadValue, parse_time
from incident_rules._facts.jsonschema import DATE_PATTERN, TIME_PATTERN, incident_schema
from strategies.documents import assessments, incident_documents
from strategies.fuzz import damaged_documents, hostile_documents
from strategies.records import gate_records

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
SEED = json.loads((ROOT / "examples" / "inc-2025-0142.json").read_text(encoding="utf-8"))
ENGINE = Engine.default(backend="native")
INCIDENT = jsonschema.Draft202012Validator(incident_schema())
ASSESSMENT = jsonschema.Draft202012Validator(assessment_schema(ENGINE.rulesets, ENGINE.decision_names))
GATE = jsonschema.Draft202012Validator(gate_schema())


def accepted(document: object) -> bool:
    try:
        Incident.from_dict(document)  # type: ignore[arg-type]
    except InvalidIncident:
        return False
    return True


def no_such_day(value: object) -> bool:
    """Whether ``value`` is a date or time text whose day does not exist in its month."""
    match = re.match(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", value) if isinstance(value, str) else None
    if match is None:
        return False
    year, month, day = (int(part) for part in match.groups())
    return 1 <= month <= 12 and day > calendar.monthrange(year, month)[1]


def agrees_with_the_library(document: object) -> None:
    """The schema accepts all the library accepts; it accepts more only for days that do not exist."""
    valid = INCIDENT.is_valid(document)
    if accepted(document):
        assert valid, [error.message for error in INCIDENT.iter_errors(document)]
    elif valid:
        with pytest.raises(InvalidIncident) as refused:
            Incident.from_dict(document)  # type: ignore[arg-type]
        assert all(no_such_day(problem.value) for problem in refused.value.structured), refused.value


def json_of(data: object) -> Any:
    return json.loads(json.dumps(data))


class TestSchemasAreSchemas:
    """Each generated schema is a valid draft 2020-12 schema."""

    @pytest.mark.parametrize(
        "validator", [INCIDENT, ASSESSMENT, GATE], ids=["incident", "assessment", "gate"]
    )
    def test_the_schema_is_valid_draft_2020_12(self, validator: Any) -> None:
        """The metaschema accepts it, and it says which dialect it is."""
        jsonschema.Draft202012Validator.check_schema(validator.schema)
        assert validator.schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"

    def test_the_enums_are_the_documents_enums(self) -> None:
        """``impact.scope`` lists the scopes of the document format, in order."""
        scope = INCIDENT.schema["$defs"]["Impact"]["properties"]["scope"]
        assert scope["enum"] == ["none", "cosmetic", "minor", "partial", "widespread"]

    def test_the_severity_lists_its_values(self) -> None:
        """The assessment's ``severity`` value may be SEV1 to SEV4 and nothing else."""
        decision = ASSESSMENT.schema["properties"]["severity"]["anyOf"][0]
        assert decision["properties"]["value"]["enum"] == ["SEV1", "SEV2", "SEV3", "SEV4"]


class TestValidDocuments:
    """What the library accepts, the schema accepts."""

    @pytest.mark.parametrize("path", EXAMPLES, ids=[path.name for path in EXAMPLES])
    def test_every_example_validates(self, path: Path) -> None:
        """Each document in examples/ is valid under the schema."""
        document = json.loads(path.read_text(encoding="utf-8"))
        assert [error.message for error in INCIDENT.iter_errors(document)] == []

    @given(incident_documents())
    def test_every_generated_document_validates(self, document: dict[str, Any]) -> None:
        """A generated valid document is valid under the schema."""
        assert [error.message for error in INCIDENT.iter_errors(document)] == []


#: Damaged copies of the seed, one per way from_dict refuses a document: (path, value).
BAD = [
    (("impact", "scope"), "global"),
    (("impact", "affected_fraction"), 1.5),
    (("impact", "affected_fraction"), -0.1),
    (("impact", "affected_fraction"), 10**400),
    (("impact", "affected_fraction"), True),
    (("impact", "user_facing"), 1),
    (("impact", "user_facing"), None),
    (("detected_at",), "2025-06-15T14:23:00"),
    (("detected_at",), "2025-06-15T14:23:00Z\n"),
    (("detected_at",), "2025-13-15T14:23:00Z"),
    (("detected_at",), "2025-06-15T24:00:00Z"),
    (("detected_at",), "2025-06-15T14:23:60Z"),
    (("detected_at",), "2025-06-15T14:23:00+24:00"),
    (("detected_at",), "0000-06-15T14:23:00Z"),
    (("detected_at",), "٢٠٢٥-06-15T14:23:00Z"),
    (("detected_at",), "2025-06-15"),
    (("detected_at",), 1750000000),
    (("id",), 142),
    (("title",), None),
    (("status",), "closed"),
    (("signals", "exhausted_resources"), ["gpu"]),
    (("signals", "changes"), {"at": "2025-06-15T14:00:00Z", "kind": "deploy"}),
    (("timeline", 0, "kind"), "paged"),
    (("postmortem", "action_items", 0, "due"), "2025-06-32"),
    (("postmortem", "action_items", 0, "due"), "next week"),
    (("impact", "blast"), 0.2),
    (("surprise",), True),
]


def damaged(path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    document = copy.deepcopy(SEED)
    holder: Any = document
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    return document


class TestInvalidDocuments:
    """What the library refuses, the schema refuses, but for days that do not exist."""

    @pytest.mark.parametrize(
        ("path", "value"), BAD, ids=[f"{'.'.join(map(str, p))}={v!r:.20}" for p, v in BAD]
    )
    def test_the_schema_refuses_what_from_dict_refuses(
        self, path: tuple[str | int, ...], value: object
    ) -> None:
        """Each damaged seed is refused by both the library and the schema."""
        document = damaged(path, value)
        assert (accepted(document), INCIDENT.is_valid(document)) == (False, False)

    def test_a_missing_required_key_is_refused(self) -> None:
        """A document without ``detected_at`` is refused by both."""
        document = copy.deepcopy(SEED)
        del document["detected_at"]
        assert (accepted(document), INCIDENT.is_valid(document)) == (False, False)

    @pytest.mark.parametrize("day", ["2025-02-30T10:00:00Z", "2025-02-29T10:00:00Z", "2025-04-31T10:00:00Z"])
    def test_a_day_that_does_not_exist_is_the_one_difference(self, day: str) -> None:
        """The schema accepts a day beyond its month's length; the library refuses it."""
        document = damaged(("detected_at",), day)
        assert (accepted(document), INCIDENT.is_valid(document)) == (False, True)

    @given(damaged_documents())
    def test_a_damaged_document_is_judged_alike(self, document: dict[str, Any]) -> None:
        """A valid document with one value replaced is accepted by the schema iff by the library."""
        agrees_with_the_library(document)

    @given(hostile_documents)
    def test_any_json_is_judged_alike(self, document: object) -> None:
        """Arbitrary JSON (or a mapping of the document's keys to it) is judged alike."""
        agrees_with_the_library(document)


#: Texts shaped like times, with every field's digits free (so out of range too), maybe no offset.
_TIMES = st.from_regex(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,10})?)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})?\n?",
    fullmatch=True,
)


class TestTimePattern:
    """The time pattern matches exactly the texts the parser reads, but for days that do not exist."""

    @given(st.one_of(_TIMES, st.text(max_size=30)))
    def test_the_pattern_matches_what_the_parser_reads(self, text: str) -> None:
        """A text matches the pattern iff ``parse_time`` reads it (days beyond the month aside)."""
        assume(not no_such_day(text))
        try:
            parse_time(text)
        except BadValue:
            parsed = False
        else:
            parsed = True
        assert (re.search(TIME_PATTERN, text) is not None) == parsed

    @given(st.dates())
    def test_a_calendar_date_matches_the_date_pattern(self, day: Any) -> None:
        """Every real date, written ISO, matches the date pattern."""
        assert re.search(DATE_PATTERN, day.isoformat())


class TestOutputs:
    """What ``to_dict()`` writes validates against the output schemas."""

    @pytest.mark.parametrize("path", EXAMPLES, ids=[path.name for path in EXAMPLES])
    def test_the_assessment_of_every_example_validates(self, path: Path) -> None:
        """The JSON of each example's assessment at detection, and an hour later, is valid."""
        document = json.loads(path.read_text(encoding="utf-8"))
        at = datetime.fromisoformat(document["detected_at"].replace("Z", "+00:00"))
        for instant in (at, at.replace(hour=(at.hour + 1) % 24) if at.hour < 23 else at):
            data = json_of(ENGINE.assess(document, at=instant).to_dict())
            assert [error.message for error in ASSESSMENT.iter_errors(data)] == []

    @pytest.mark.slow
    @settings(max_examples=min(50, settings().max_examples))  # each example assesses: bounded in CI too
    @given(assessments())
    def test_a_generated_assessment_validates(self, case: tuple[dict[str, Any], datetime]) -> None:
        """The JSON of an assessment of a generated document is valid."""
        document, at = case
        data = json_of(ENGINE.assess(document, at=at).to_dict())
        assert [error.message for error in ASSESSMENT.iter_errors(data)] == []

    @pytest.mark.parametrize("path", EXAMPLES, ids=[path.name for path in EXAMPLES])
    def test_the_gate_result_of_every_example_validates(self, path: Path) -> None:
        """The JSON of each example's quality gate is valid."""
        data = json_of(ENGINE.check(json.loads(path.read_text(encoding="utf-8"))).to_dict())
        assert [error.message for error in GATE.iter_errors(data)] == []

    @pytest.mark.slow
    @settings(max_examples=min(50, settings().max_examples))  # each example runs the gate over time
    @given(gate_records())
    def test_a_generated_gate_result_validates(self, record: dict[str, Any]) -> None:
        """The JSON of the gate over a generated record is valid."""
        data = json_of(ENGINE.check(record).to_dict())
        assert [error.message for error in GATE.iter_errors(data)] == []

    def test_a_wrong_severity_value_is_refused(self) -> None:
        """An assessment whose severity reads ``SEV0`` is not valid: the schema is not a rubber stamp."""
        data = json_of(ENGINE.assess(SEED, at="2025-06-15T14:30:00Z").to_dict())
        data["severity"]["value"] = "SEV0"
        assert not ASSESSMENT.is_valid(data)

    def test_an_unknown_key_in_the_decision_log_is_refused(self) -> None:
        """The decision log is a closed shape: an unlisted key is refused."""
        data = json_of(ENGINE.assess(SEED, at="2025-06-15T14:30:00Z").to_dict())
        data["decision_log"]["timestamp"] = "now"
        assert not ASSESSMENT.is_valid(data)


class TestCommand:
    """``incident-rules schema incident|assessment|gate``."""

    def test_the_entry_point_prints_the_incident_schema(self) -> None:
        """Run as a user would, the command prints the generated incident schema as JSON."""
        done = subprocess.run(
            [sys.executable, "-m", "incident_rules", "schema", "incident"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert (done.returncode, json.loads(done.stdout or "null")) == (0, incident_schema())

    def test_the_gate_schema_is_printed(self) -> None:
        """``schema gate`` prints the gate schema."""
        result = CliRunner().invoke(main, ["schema", "gate"])
        assert json.loads(result.output) == gate_schema()

    def test_custom_rules_give_their_decisions(self, tmp_path: Path) -> None:
        """``schema assessment --rules`` lists the decisions of those rules."""
        (tmp_path / "pick.yaml").write_text(
            "ruleset: pick\nhit: first\nvalues: [open, shut]\nrules:\n"
            "  - id: pick.open\n    when: impact.user_facing\n    then: open\n"
            "  - id: pick.shut\n    when: true\n    then: shut\n",
            encoding="utf-8",
        )
        result = CliRunner().invoke(
            main,
            [
                "schema",
                "assessment",
                "--rules",
                str(tmp_path),
                "--rules",
                str(ROOT / "rules" / "params.yaml"),
            ],
        )
        assert "pick" in json.loads(result.output)["properties"], result.output

    def test_an_unknown_kind_is_a_usage_error(self) -> None:
        """``schema report`` exits 2 naming the kinds."""
        result = CliRunner().invoke(main, ["schema", "report"])
        assert (result.exit_code, "'incident', 'assessment', 'gate'" in result.output) == (2, True)
