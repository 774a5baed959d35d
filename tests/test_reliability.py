"""Custom rules at the edges of durable_rules: refused at load with our error, or decided as natively.

Every case runs in a subprocess with a time limit: without its fix it crashes or hangs the
interpreter, and that must fail one test, not the run.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from incident_rules import Engine, Incident, InvalidIncident, RulesetError
from incident_rules._backends.durable import durable_available
from incident_rules._decisions.deadlines import WorkHours
from isolated import run_isolated

needs_durable = pytest.mark.skipif(
    durable_available() is not None, reason="durable_rules does not import here"
)

ROOT = Path(__file__).parent.parent
PARAMS = ROOT / "rules" / "params.yaml"
SEED = ROOT / "examples" / "inc-2025-0142.json"
SEED_AT = "2025-06-15T14:30:00Z"
#: Two decision values whose fact keys ``decisions.first:<value>`` share one FNV-1a hash.
COLLIDING = ("jikxw", "pjtra")


def verdict(directory: Path, text: str, document: dict[str, object] | None = None) -> str:
    """Build both engines for ``text`` and assess; ``refused: <message>``, ``agree`` or ``differ``."""
    path = directory / "custom.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return run_isolated(
        f"""
        import json
        from incident_rules import Engine, RulesetError
        seed = json.loads(open({str(SEED)!r}).read())
        seed.update(json.loads({json.dumps(document or {})!r}))
        try:
            durable = Engine.from_path({str(path)!r}, {str(PARAMS)!r}, backend="durable")
        except RulesetError as error:
            print("refused: " + str(error).replace("\\n", " "))
            raise SystemExit(0)
        native = Engine.from_path({str(path)!r}, {str(PARAMS)!r}, backend="native")
        same = durable.assess(seed, at={SEED_AT!r}) == native.assess(seed, at={SEED_AT!r})
        print("agree" if same else "differ")
        """
    )


def one_rule(when: str, rule_id: str = "big.rule") -> str:
    return (
        f"ruleset: big\nvalues: [a]\nrules:\n  - id: {json.dumps(rule_id)}\n    when: {when}\n    then: a\n"
    )


def assert_refused(answer: str, limit: str) -> None:
    assert answer.startswith("refused: "), answer
    assert "custom.yaml:4" in answer, answer
    assert limit in answer, answer
    assert "backend='native'" in answer, answer


@needs_durable
class TestExpansionLimits:
    """Alternatives are counted as durable_rules expands them, and refused past its limit."""

    def test_an_in_list_of_sixty_five_true_values_is_refused_at_load(self, tmp_path: Path) -> None:
        """``x in [true] * 65`` (65 tests holding at once: a heap corruption) is refused with file:line."""
        when = "impact.user_facing in [" + ", ".join(["true"] * 65) + "]"
        assert_refused(verdict(tmp_path, one_rule(when)), "at most 48")

    def test_an_in_list_of_six_hundred_values_is_refused_without_hanging(self, tmp_path: Path) -> None:
        """An ``in`` list of 600 values (ruleset creation never returns) is refused in time."""
        when = "features.dependencies_down in [" + ", ".join(map(str, range(600))) + "]"
        assert_refused(verdict(tmp_path, one_rule(when)), "at most 48")

    def test_a_negated_or_of_sixty_five_tests_is_refused_at_load(self, tmp_path: Path) -> None:
        """``not (a or b or ...)`` with 65 tests expands to ``$or``s per negated test and is refused."""
        when = "not (" + " or ".join(f"features.dependencies_down != {i}" for i in range(65)) + ")"
        assert_refused(verdict(tmp_path, one_rule(when)), "at most 48")

    def test_an_in_list_of_forty_values_decides_as_natively(self, tmp_path: Path) -> None:
        """An ``in`` list within the limit compiles and agrees with the native backend."""
        when = "impact.user_facing in [" + ", ".join(["true"] * 40) + "]"
        assert verdict(tmp_path, one_rule(when)) == "agree"

    def test_sixteen_or_operators_in_one_rule_are_refused_at_load(self, tmp_path: Path) -> None:
        """16 ``or`` groups (error 113 from durable_rules) are refused naming the limit."""
        groups = [f"(features.dependencies_down == {i} or impact.data_loss)" for i in range(16)]
        when = (
            "impact.user_facing or ("
            + " and ".join(groups[:2])
            + ") or "
            + " or ".join(f"(not impact.data_loss and features.dependencies_down == {i})" for i in range(14))
        )
        assert_refused(verdict(tmp_path, one_rule(when)), "and/or operators")


@needs_durable
class TestNames:
    """No rule id and no fact key reaches durable_rules as written."""

    @pytest.mark.parametrize("rule_id", ["$close:0", "$close:1", "9" * 5000])
    def test_a_rule_id_durable_rules_uses_itself_decides_as_natively(
        self, tmp_path: Path, rule_id: str
    ) -> None:
        """A rule named like the backend's own closing rule, or a 5,000-digit id, is not lost."""
        assert verdict(tmp_path, one_rule("impact.user_facing", rule_id)) == "agree"

    @pytest.mark.parametrize("hash_seed", ["0", "1", "2", "3"])
    def test_decision_values_whose_keys_collide_in_durable_rules_decide_as_natively(
        self, tmp_path: Path, hash_seed: str
    ) -> None:
        """Two values whose ``decisions.first:<value>`` keys share a 32-bit hash are read apart."""
        held, absent = COLLIDING
        first = f"""
            ruleset: first
            hit: collect
            values: [{held}, {absent}]
            rules:
              - id: first.held
                when: impact.user_facing
                then: {held}
              - id: first.absent
                when: not impact.user_facing
                then: {absent}
        """
        second = f"""
            ruleset: second
            values: [hit, miss]
            uses: [first]
            rules:
              - id: second.hit
                when: "'{held}' in decisions.first and '{absent}' in decisions.first"
                then: hit
              - id: second.miss
                when: true
                then: miss
        """
        for name, text in (("first.yaml", first), ("second.yaml", second)):
            (tmp_path / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        answer = run_isolated(
            f"""
            import json
            from incident_rules import Engine
            seed = json.loads(open({str(SEED)!r}).read())
            paths = {str(tmp_path / "first.yaml")!r}, {str(tmp_path / "second.yaml")!r}, {str(PARAMS)!r}
            engines = [Engine.from_path(*paths, backend=b) for b in ("durable", "native")]
            print([e.assess(seed, at={SEED_AT!r}).decisions["second"].value for e in engines])
            """,
            env={"PYTHONHASHSEED": hash_seed},
        )
        assert answer == "['miss', 'miss']"


@needs_durable
class TestNumbers:
    """Numbers durable_rules would compare through a double."""

    def test_a_literal_beyond_two_to_the_fifty_three_is_refused_at_load(self, tmp_path: Path) -> None:
        """``x >= 2**53 + 1`` cannot be compared exactly by durable_rules: refused, naming the limit."""
        answer = verdict(tmp_path, one_rule(f"rollback.estimated_minutes >= {2**53 + 1}"))
        assert_refused(answer, "2**53")

    def test_a_document_number_beyond_two_to_the_fifty_three_decides_as_natively(
        self, tmp_path: Path
    ) -> None:
        """A fact of 2**60 + 1 against the literal 2**53 - 1 orders as in Python."""
        rollback = json.loads(SEED.read_text(encoding="utf-8"))["rollback"] | {"estimated_minutes": 2**60 + 1}
        text = one_rule(f"rollback.estimated_minutes > {2**53 - 1}")
        assert verdict(tmp_path, text, {"rollback": rollback}) == "agree"


class TestParsing:
    """Conditions are cut into tests in one pass, keeping each test's text as written."""

    def test_each_test_keeps_its_text_across_lines_and_non_ascii_text(self) -> None:
        """Offsets counted once in UTF-8 bytes give every test's source text, durations included."""
        from incident_rules._rulesets.expr import leaves, parse

        condition = parse('impact.scope == "é" and features.x > 15m and\r\n  (y.z < 2h or not a.b)')
        assert [test.text for test in leaves(condition)] == [
            'impact.scope == "é"',
            "features.x > 15m",
            "y.z < 2h",
            "a.b",
        ]

    def test_a_flat_condition_of_four_thousand_tests_parses_into_as_many_tests(self) -> None:
        """``a and a and ...`` of 4,000 terms (23 s when parsing was quadratic) gives 4,000 tests."""
        from incident_rules._rulesets.expr import leaves, parse

        condition = parse(" and ".join(f"features.minutes_unmitigated > {i}m" for i in range(4000)))
        assert [test.operand.value for test in leaves(condition)] == list(range(4000))


class TestHandBuiltFacts:
    """An ``Incident`` built from the attrs classes is held to the document's checks."""

    @staticmethod
    def valid() -> Incident:
        return Incident.from_dict(json.loads(SEED.read_text(encoding="utf-8")))

    @pytest.mark.parametrize(
        ("change", "problem"),
        [
            ({"scope": "global"}, "impact.scope: must be one of"),
            ({"affected_fraction": 5.0}, "impact.affected_fraction: must be a fraction"),
            ({"affected_fraction": math.nan}, "impact.affected_fraction: expected a finite number"),
        ],
    )
    def test_a_hand_built_impact_outside_the_format_is_invalid(
        self, change: dict[str, object], problem: str
    ) -> None:
        """Scope ``global``, a fraction of 5.0 or NaN in a hand-built incident raise InvalidIncident."""
        incident = self.valid()
        with pytest.raises(InvalidIncident, match=re.escape(problem)):
            attrs.evolve(incident, impact=attrs.evolve(incident.impact, **change))

    def test_a_hand_built_naive_time_is_invalid(self) -> None:
        """A naive ``detected_at`` raises InvalidIncident naming the field, not a TypeError later."""
        with pytest.raises(InvalidIncident, match="detected_at: time has no UTC offset"):
            attrs.evolve(self.valid(), detected_at=datetime(2025, 6, 15, 14, 23))

    def test_a_hand_built_list_where_a_tuple_belongs_is_invalid(self) -> None:
        """A list of responders (the classes are frozen and hashable) raises InvalidIncident."""
        with pytest.raises(InvalidIncident, match="responders: expected tuple"):
            attrs.evolve(self.valid(), responders=[])

    def test_a_valid_hand_built_incident_is_assessed_as_its_document(self) -> None:
        """Checking a hand-built incident changes nothing about a valid one."""
        document = json.loads(SEED.read_text(encoding="utf-8"))
        engine = Engine.default(backend="native")
        rebuilt = attrs.evolve(self.valid())
        assert engine.assess(rebuilt, at=SEED_AT) == engine.assess(document, at=SEED_AT)


class TestRecordReading:
    """Resolution, status and responders read as the record means them."""

    @staticmethod
    def features(document: dict[str, object], at: str) -> dict[str, object]:
        assessment = Engine.default(backend="native").assess(document, at=at)
        return {name: feature.value for name, feature in assessment.features.items()}

    @staticmethod
    def seed() -> dict[str, Any]:
        document: dict[str, Any] = json.loads(SEED.read_text(encoding="utf-8"))
        return document

    def test_a_detection_after_the_resolution_is_a_recurrence_not_resolved(self) -> None:
        """A ``detected`` entry after ``resolved`` (and before ``at``) leaves the incident open."""
        document = self.seed()
        del document["status"]
        document["timeline"].append({"at": "2025-06-15T16:10:00Z", "kind": "detected"})
        assert self.features(document, "2025-06-15T16:20:00Z")["resolved"] is False

    def test_a_resolution_after_the_recurrence_resolves_it_again(self) -> None:
        """``resolved``, ``detected``, ``resolved`` again: resolved."""
        document = self.seed()
        del document["status"]
        document["timeline"] += [
            {"at": "2025-06-15T16:10:00Z", "kind": "detected"},
            {"at": "2025-06-15T16:30:00Z", "kind": "resolved"},
        ]
        assert self.features(document, "2025-06-15T16:40:00Z")["resolved"] is True

    def test_a_resolved_status_without_a_resolved_entry_is_not_a_resolution(self) -> None:
        """``status: resolved`` alone gives no time of resolution: the incident stays open."""
        document = self.seed()
        document["timeline"] = [entry for entry in document["timeline"] if entry["kind"] != "resolved"]
        assert self.features(document, "2025-06-15T16:00:00Z")["resolved"] is False

    def test_an_open_status_past_every_entry_reopens_a_resolved_timeline(self) -> None:
        """``status: monitoring`` past the latest entry says the record is not resolved."""
        document = self.seed() | {"status": "monitoring"}
        assert self.features(document, "2025-06-15T16:00:00Z")["resolved"] is False

    def test_a_blocked_responder_listed_twice_counts_once(self) -> None:
        """Two entries of one handle blocked on access are one responder blocked."""
        document = self.seed()
        blocked = {"handle": "@jane-doe", "blocked_on_access": True}
        document["responders"] = [blocked, blocked | {"role": "incident_commander"}]
        assert self.features(document, SEED_AT)["responders_blocked"] == 1


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Zones with gaps, folds, 30-minute shifts, a skipped day (Apia, 2011-12-30) and moving DST.
_ZONES = ("America/New_York", "Pacific/Apia", "Australia/Lord_Howe", "Africa/Casablanca", "America/Santiago")


def _worked_minute_by_minute(hours: WorkHours, start: datetime, minutes: int) -> datetime:
    """The oracle: walk minute by minute, counting those whose wall-clock time is working time."""
    instant, left = start.astimezone(timezone.utc), minutes
    while True:
        local = instant.astimezone(hours.zone)
        if _DAYS[local.weekday()] in hours.days and hours.start <= local.time() < hours.end:
            left -= 1
            if left == 0:
                return instant + timedelta(minutes=1)
        instant += timedelta(minutes=1)


class TestWorkHours:
    """Work time is counted on the work zone's wall clock, across every kind of transition."""

    @given(
        zone=st.sampled_from(_ZONES),
        start_hour=st.integers(0, 22),
        start_quarter=st.integers(0, 3),
        length=st.integers(1, 23),
        days=st.sets(st.sampled_from(_DAYS), min_size=1),
        start=st.datetimes(datetime(2011, 1, 1), datetime(2025, 12, 31)).map(
            lambda moment: moment.replace(second=0, microsecond=0, tzinfo=timezone.utc)
        ),
        minutes=st.integers(1, 2500),
    )
    @example(
        "Africa/Casablanca", 2, 3, 4, set(_DAYS), datetime(2014, 3, 4, 19, 32, tzinfo=timezone.utc), 2107
    )
    @example("America/New_York", 2, 2, 1, {"sun"}, datetime(2024, 3, 10, 5, 0, tzinfo=timezone.utc), 30)
    @example("Pacific/Apia", 0, 0, 23, set(_DAYS), datetime(2011, 12, 29, 9, 0, tzinfo=timezone.utc), 1500)
    @example("America/New_York", 1, 0, 1, {"sun"}, datetime(2024, 11, 3, 4, 0, tzinfo=timezone.utc), 90)
    def test_a_deadline_in_work_time_is_the_minute_the_wall_clock_count_reaches(
        self,
        zone: str,
        start_hour: int,
        start_quarter: int,
        length: int,
        days: set[str],
        start: datetime,
        minutes: int,
    ) -> None:
        """``WorkHours.add`` equals counting working minutes one by one on the local wall clock."""
        opens = time(start_hour, 15 * start_quarter)
        end_hour = start_hour + length
        assume(end_hour < 24 or (end_hour, start_quarter) == (24, 0))
        closes = time(23, 59) if end_hour == 24 else time(end_hour, 15 * start_quarter)
        hours = WorkHours(opens, closes, tuple(days), ZoneInfo(zone))
        assert hours.add(start, minutes) == _worked_minute_by_minute(hours, start, minutes)


def _load(directory: Path, text: str) -> Engine:
    path = directory / "custom.yaml"
    path.write_text(text, encoding="utf-8")
    return Engine.from_path(path, PARAMS, backend="native")


class TestHostileFiles:
    """Rules files no loader should choke on are refused with our error."""

    def test_a_complex_yaml_key_is_a_ruleset_error(self, tmp_path: Path) -> None:
        """``? [a, b]`` as a key is refused naming the file, not a TypeError."""
        problem = "custom.yaml:1:3: keys of a rules file must be plain names (got a list)"
        with pytest.raises(RulesetError, match=re.escape(problem)):
            _load(tmp_path, "? [a, b]\n: 1\nruleset: x\n")

    def test_yaml_nested_two_thousand_deep_is_a_ruleset_error(self, tmp_path: Path) -> None:
        """2,000 nested lists are refused as too deep, not a RecursionError."""
        with pytest.raises(RulesetError, match="nested too deeply"):
            _load(tmp_path, "ruleset: " + "[" * 2000 + "]" * 2000 + "\n")

    def test_a_five_thousand_digit_rule_id_is_a_ruleset_error(self, tmp_path: Path) -> None:
        """An unquoted 5,000-digit id (past Python's int digit limit) is refused as not a string."""
        with pytest.raises(RulesetError, match=re.escape("custom.yaml:4")):
            _load(tmp_path, one_rule("impact.user_facing").replace('"big.rule"', "9" * 5000))

    def test_a_due_time_beyond_ten_years_is_refused_at_load(self, tmp_path: Path) -> None:
        """``due: {within: 1e12}`` is refused when the engine is built, not on every assessment."""
        text = one_rule("impact.user_facing") + "    due: {within: 1000000000000.0}\n"
        with pytest.raises(RulesetError, match=r"custom\.yaml:7:\d+: within: expected a duration of at most"):
            _load(tmp_path, text)


class TestHostileDocuments:
    """Documents no converter should choke on are refused with our error, in bounded work."""

    @pytest.mark.parametrize("number", [10**400, 10**5000], ids=["400 digits", "5000 digits"])
    def test_a_number_beyond_a_float_is_invalid(self, number: int) -> None:
        """``estimated_minutes`` of 10**400 or 10**5000 is InvalidIncident, not OverflowError."""
        document = json.loads(SEED.read_text(encoding="utf-8"))
        document["rollback"]["estimated_minutes"] = number
        with pytest.raises(
            InvalidIncident, match=re.escape("rollback.estimated_minutes: expected a finite number")
        ):
            Incident.from_dict(document)

    def test_a_million_invalid_timeline_entries_report_twenty_and_count_the_rest(self) -> None:
        """The report names the first 20 invalid entries and how many more were not checked."""
        document = json.loads(SEED.read_text(encoding="utf-8"))
        document["timeline"] = [{"at": "x", "kind": "detected"}] * 1_000_000
        with pytest.raises(InvalidIncident) as caught:
            Incident.from_dict(document)
        assert len(caught.value.problems) == 21
        assert (
            "timeline: 999980 more items not checked after the first 20 invalid ones" in caught.value.problems
        )

    @pytest.mark.parametrize(
        "text",
        [
            "20250615T142300Z",
            "2025-W24-7T14:23:00Z",
            "2025-06-15T14Z",
            "2025-06-15T14:23:00+0000",
            "2025-166T14:23Z",
        ],
    )
    def test_iso_forms_only_newer_pythons_accept_are_invalid_on_every_python(self, text: str) -> None:
        """Basic format, week and ordinal dates (3.11+ ``fromisoformat`` takes them) are refused."""
        with pytest.raises(InvalidIncident, match="detected_at: expected an ISO 8601 time"):
            Incident.from_dict(json.loads(SEED.read_text(encoding="utf-8")) | {"detected_at": text})

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2025-06-15T14:23Z", datetime(2025, 6, 15, 14, 23, tzinfo=timezone.utc)),
            (
                "2025-06-15 14:23:00.5+02:00",
                datetime(2025, 6, 15, 14, 23, 0, 500000, timezone(timedelta(hours=2))),
            ),
            (
                "2025-06-15t14:23:00.1234567-05:30",
                datetime(2025, 6, 15, 14, 23, 0, 123456, timezone(-timedelta(hours=5, minutes=30))),
            ),
        ],
    )
    def test_iso_extended_forms_read_the_same_on_every_python(self, text: str, expected: datetime) -> None:
        """Minutes-only, space-separated, seven fraction digits (3.10 refused some) all read alike."""
        document = json.loads(SEED.read_text(encoding="utf-8")) | {"detected_at": text}
        detected = Incident.from_dict(document).detected_at
        assert (detected, detected.utcoffset()) == (expected, expected.utcoffset())
