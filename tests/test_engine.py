"""The engine on the seed example, at its boundaries, through the CLI, and its explanations."""

from __future__ import annotations

import copy
import json
import pickle
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import DURABLE_MISSING
from incident_rules import (
    Decision,
    Engine,
    EngineError,
    Incident,
    InvalidIncident,
    Reference,
    RulesetError,
    render,
)
from incident_rules._cli import main
from samples import ROOT, SEED_PATH, UNIQUE_BOTH, seed

SEED_AT = "2025-06-15T14:30:00Z"
DETECTED = datetime(2025, 6, 15, 14, 23, tzinfo=timezone.utc)


def incident(
    *,
    impact: dict[str, Any] | None = None,
    changes: list[dict[str, Any]] | None = None,
    rollback: dict[str, Any] | None = None,
    onset_at: str | None = None,
) -> dict[str, Any]:
    """A document detected at 14:23 UTC with only what a test needs."""
    document: dict[str, Any] = {
        "id": "INC-7",
        "title": "Checkout errors",
        "detected_at": DETECTED.isoformat(),
        "impact": impact or {"user_facing": True, "scope": "partial", "affected_fraction": 0.3},
        "signals": {"changes": changes or []},
    }
    if rollback is not None:
        document["rollback"] = rollback
    if onset_at is not None:
        document["onset_at"] = onset_at
    return document


def deploy(before_onset: timedelta, *, onset: datetime = DETECTED, suspected: bool = False) -> dict[str, Any]:
    """A deploy ``before_onset`` before ``onset`` (negative: after it)."""
    return {
        "at": (onset - before_onset).isoformat(),
        "kind": "deploy",
        "ref": "v1.2.3",
        "suspected": suspected,
    }


SAFE_ROLLBACK = {"possible": True, "estimated_minutes": 4, "loses_data": False, "breaks_schema": False}
LATER = DETECTED + timedelta(hours=1)


def decided(decision: Decision | None) -> tuple[str, str]:
    """The value and rule of a decision that must exist."""
    assert decision is not None
    return decision.value, decision.rule


def source_line(source: str) -> str:
    """The text of the line a ``rules/<file>.yaml:<line>`` source points at."""
    file, line = source.rsplit(":", 1)
    return (ROOT / file).read_text(encoding="utf-8").splitlines()[int(line) - 1].strip()


class TestSeedExample:
    """INC-2025-0142 at 14:30: SEV1, roll back, and the rollback is the remediation."""

    def test_severity_is_sev1_for_the_widespread_outage(self, engine: Engine) -> None:
        """All payments failing for users is SEV1 by the widespread-outage rule."""
        assessment = engine.assess(seed(), at=SEED_AT)
        assert decided(assessment.severity) == ("SEV1", "severity.widespread-outage")

    def test_mitigation_is_to_roll_back_the_correlated_deploy(self, engine: Engine) -> None:
        """The deploy at 14:18, 5 minutes before the 14:23 onset, is rolled back."""
        assessment = engine.assess(seed(), at=SEED_AT)
        assert decided(assessment.mitigation) == ("rollback", "mitigation.rollback-correlated-change")

    def test_remediation_is_rollback_because_it_is_safe_and_fast(self, engine: Engine) -> None:
        """A possible, 4-minute rollback that keeps data and schema is the remediation."""
        assessment = engine.assess(seed(), at=SEED_AT)
        assert decided(assessment.remediation) == ("rollback", "remediation.rollback-safe-and-fast")

    def test_each_decision_names_the_line_of_its_rule(self, engine: Engine) -> None:
        """Each source is ``rules/<file>.yaml:<line>`` and that line defines the rule."""
        assessment = engine.assess(seed(), at=SEED_AT)
        for decision in (assessment.severity, assessment.mitigation, assessment.remediation):
            assert decision is not None
            assert re.fullmatch(r"rules/[\w-]+\.yaml:\d+", decision.source), decision.source
            assert source_line(decision.source) == f"- id: {decision.rule}"

    def test_each_decision_lists_the_conditions_and_values_that_made_it_hold(self, engine: Engine) -> None:
        """Severity holds because the impact is user-facing and widespread, as read."""
        severity = engine.assess(seed(), at=SEED_AT).severity
        assert severity is not None
        assert [(c.test, c.value, c.holds) for c in severity.because] == [
            ("impact.user_facing", True, True),
            ('impact.scope == "widespread"', "widespread", True),
        ]

    def test_the_change_evidence_names_the_deploy_five_minutes_before_onset(self, engine: Engine) -> None:
        """The correlation's evidence names v2.14.3 and 5 minutes before the onset."""
        features = engine.assess(seed(), at=SEED_AT).features
        assert "v2.14.3" in features["change_correlated"].evidence["change"]
        assert features["change_minutes_before_onset"].value == 5

    def test_the_rules_passed_over_show_the_value_that_failed(self, engine: Engine) -> None:
        """The two deferring mitigation rules did not hold because the remediation is rollback."""
        mitigation = engine.assess(seed(), at=SEED_AT).mitigation
        assert mitigation is not None
        assert [
            (r.rule, r.failed and r.failed.value, r.failed and r.failed.holds) for r in mitigation.rejected
        ] == [
            ("mitigation.defer-to-forward-fix", "rollback", False),
            ("mitigation.defer-to-compensating-migration", "rollback", False),
        ]

    def test_the_rejections_name_where_each_rule_is_written(self, engine: Engine) -> None:
        """Each rule passed over names its own source line."""
        remediation = engine.assess(seed(), at=SEED_AT).remediation
        assert remediation is not None
        assert [source_line(r.source) for r in remediation.rejected] == [
            f"- id: {r.rule}" for r in remediation.rejected
        ]


def run_cli(*args: str) -> Any:
    """``incident-rules`` run in-process."""
    return CliRunner().invoke(main, list(args))


class TestCli:
    """``incident-rules assess DOCUMENT --at INSTANT``."""

    def test_text_output_shows_each_decision_with_its_rule_and_source(self) -> None:
        """The text names SEV1, rollback and rollback, each with rule id and source."""
        result = run_cli("assess", str(SEED_PATH), "--at", SEED_AT)
        assert result.exit_code == 0, result.output
        for line in ("severity: SEV1", "mitigation: rollback", "remediation: rollback"):
            assert line in result.stdout.splitlines()
        assert re.search(r"by severity\.widespread-outage\s+\(rules/severity\.yaml:\d+\)", result.stdout)

    def test_text_output_shows_why_earlier_rules_did_not_hold(self) -> None:
        """The text lists the rules passed over with the value that made them fail."""
        result = run_cli("assess", str(SEED_PATH), "--at", SEED_AT)
        assert "earlier rules that did not hold" in result.stdout
        assert re.search(r'mitigation\.defer-to-forward-fix .*\[false\].*read "rollback"', result.stdout)

    def test_json_output_has_the_decisions_as_top_level_keys(self) -> None:
        """``--format json`` has ``severity``, ``mitigation``, ``remediation``, each with its value."""
        result = run_cli("assess", str(SEED_PATH), "--at", SEED_AT, "--format", "json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert [data[key]["value"] for key in ("severity", "mitigation", "remediation")] == [
            "SEV1",
            "rollback",
            "rollback",
        ]

    def test_json_output_is_the_assessment_as_data(self) -> None:
        """``--format json`` prints exactly ``Assessment.to_dict()``."""
        result = run_cli("assess", str(SEED_PATH), "--at", SEED_AT, "--format", "json")
        expected = Engine.default().assess(seed(), at=SEED_AT).to_dict()
        assert json.loads(result.stdout) == json.loads(json.dumps(expected))

    def test_a_param_override_changes_the_decision(self) -> None:
        """With a 3-minute change window the 14:18 deploy no longer correlates."""
        result = run_cli(
            "assess", str(SEED_PATH), "--at", SEED_AT, "--format", "json", "--param", "change_window=3m"
        )
        data = json.loads(result.stdout)
        assert (data["mitigation"]["value"], data["remediation"]["value"]) == ("scale_out", "not_applicable")

    def test_each_backend_can_be_chosen(self, backend: str) -> None:
        """``--backend`` picks the backend, with the same decisions."""
        result = run_cli("assess", str(SEED_PATH), "--at", SEED_AT, "--backend", backend, "--format", "json")
        assert json.loads(result.stdout)["severity"]["value"] == "SEV1"

    def test_other_rules_can_be_given(self, tmp_path: Path) -> None:
        """``--rules`` loads the given rules instead of the shipped ones."""
        (tmp_path / "only.yaml").write_text(
            "ruleset: only\nvalues: [ok]\nrules:\n  - id: only.always\n    when: true\n    then: ok\n",
            encoding="utf-8",
        )
        (tmp_path / "params.yaml").write_text((ROOT / "rules" / "params.yaml").read_text(encoding="utf-8"))
        result = run_cli(
            "assess", str(SEED_PATH), "--at", SEED_AT, "--rules", str(tmp_path), "--format", "json"
        )
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert (data["only"]["value"], "severity" in data) == ("ok", False)

    def test_an_unknown_param_is_an_error_without_a_traceback(self) -> None:
        """A misspelt ``--param`` exits 4 (bad params) with our message and its suggestion."""
        result = run_cli("assess", str(SEED_PATH), "--at", SEED_AT, "--param", "change_windw=30m")
        assert result.exit_code == 4
        assert "Error: params.change_windw: unknown param (did you mean 'change_window'?)" in result.output
        assert "Traceback" not in result.output

    def test_a_param_without_a_value_is_a_usage_error(self) -> None:
        """``--param change_window`` without ``=`` is refused as usage."""
        result = run_cli("assess", str(SEED_PATH), "--at", SEED_AT, "--param", "change_window")
        assert result.exit_code == 2
        assert "NAME=VALUE" in result.output

    def test_a_missing_document_is_an_error(self, tmp_path: Path) -> None:
        """A document that does not exist exits 3 (bad input) naming it."""
        missing = tmp_path / "missing.json"
        result = run_cli("assess", str(missing), "--at", SEED_AT)
        assert (result.exit_code, str(missing) in result.output, "Traceback" in result.output) == (
            3,
            True,
            False,
        )

    def test_a_document_that_is_not_json_is_an_error(self, tmp_path: Path) -> None:
        """A document that is not JSON exits 3 (bad input) saying so."""
        broken = tmp_path / "broken.json"
        broken.write_text("{not json", encoding="utf-8")
        result = run_cli("assess", str(broken), "--at", SEED_AT)
        assert (result.exit_code, "not valid JSON" in result.output) == (3, True)

    def test_an_invalid_document_names_its_problem(self, tmp_path: Path) -> None:
        """A document with an unknown scope exits 3 (bad input) naming the path and the value."""
        document = seed()
        document["impact"]["scope"] = "global"
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        result = run_cli("assess", str(path), "--at", SEED_AT)
        assert result.exit_code == 3
        assert (
            "impact.scope: must be one of none, cosmetic, minor, partial, widespread (got 'global')"
            in result.output
        )

    def test_an_instant_without_an_offset_is_an_error(self) -> None:
        """``--at`` without an offset exits 3 (bad input) saying an offset is needed."""
        result = run_cli("assess", str(SEED_PATH), "--at", "2025-06-15T14:30:00")
        assert (result.exit_code, "UTC offset" in result.output) == (3, True)

    def test_the_installed_command_assesses_the_seed_example(self) -> None:
        """The ``incident-rules`` console script prints the same JSON as the library."""
        command = Path(sys.executable).parent / "incident-rules"
        done = subprocess.run(
            [str(command), "assess", str(SEED_PATH), "--at", SEED_AT, "--format", "json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["remediation"]["value"] == "rollback"


class TestExplanations:
    """Decisions explain themselves: values read, missing apart from false, rules passed over."""

    def test_a_missing_value_is_told_apart_from_a_false_one(self, engine: Engine) -> None:
        """With no rollback described, the rollback rules passed over read a missing value."""
        remediation = engine.assess(incident(changes=[deploy(timedelta(minutes=5))]), at=LATER).remediation
        assert remediation is not None
        harm = next(r for r in remediation.rejected if r.rule == "remediation.rollback-would-harm")
        assert harm.failed is not None
        assert (harm.failed.missing, harm.failed.value, harm.failed.holds) == (True, None, False)

    def test_a_false_value_is_not_reported_as_missing(self, engine: Engine) -> None:
        """With a rollback that loses no data, the same rule reads false, not missing."""
        rollback = {**SAFE_ROLLBACK, "estimated_minutes": 30}
        remediation = engine.assess(
            incident(changes=[deploy(timedelta(minutes=5))], rollback=rollback), at=LATER
        ).remediation
        assert remediation is not None
        harm = next(r for r in remediation.rejected if r.rule == "remediation.rollback-would-harm")
        assert harm.failed is not None
        assert (harm.failed.missing, harm.failed.value, harm.failed.holds) == (False, False, False)

    def test_explain_marks_missing_and_false_differently(self, engine: Engine) -> None:
        """The text shows ``[missing]`` for an absent value and ``[false]`` for a false one."""
        text = render.text(engine.assess(incident(changes=[deploy(timedelta(minutes=5))]), at=LATER))
        assert re.search(r"remediation\.rollback-would-harm .*\[missing\]", text)
        assert re.search(r"remediation\.no-correlated-change .*\[false\]", text)

    def test_mitigation_defers_to_a_forward_fix_and_shows_both_firings(self, engine: Engine) -> None:
        """A rollback that loses data fixes forward, and the mitigation says it followed the remediation."""
        rollback = {**SAFE_ROLLBACK, "loses_data": True}
        assessment = engine.assess(
            incident(changes=[deploy(timedelta(minutes=5))], rollback=rollback), at=LATER
        )
        assert decided(assessment.remediation) == ("forward_fix", "remediation.rollback-would-harm")
        assert decided(assessment.mitigation) == ("forward_fix", "mitigation.defer-to-forward-fix")
        assert assessment.mitigation is not None
        assert assessment.mitigation.derived_from == (
            Reference("remediation", "remediation.rollback-would-harm", "forward_fix"),
        )

    def test_mitigation_defers_to_a_compensating_migration(self, engine: Engine) -> None:
        """A bug in a migration is compensated, not rolled back, in mitigation too."""
        rollback = {**SAFE_ROLLBACK, "migration_bug": True}
        assessment = engine.assess(
            incident(changes=[deploy(timedelta(minutes=5))], rollback=rollback), at=LATER
        )
        assert decided(assessment.mitigation) == (
            "compensating_migration",
            "mitigation.defer-to-compensating-migration",
        )

    def test_remediation_is_not_applicable_without_a_correlated_change(self, engine: Engine) -> None:
        """With no change at all there is nothing to roll back (readings.md 3)."""
        assessment = engine.assess(incident(rollback=SAFE_ROLLBACK), at=LATER)
        assert decided(assessment.remediation) == ("not_applicable", "remediation.no-correlated-change")

    def test_explain_shows_every_decision_with_rule_and_source(self, engine: Engine) -> None:
        """``explain()`` has a block per decision naming its rule and source."""
        assessment = engine.assess(seed(), at=SEED_AT)
        text = render.text(assessment)
        for decision in (assessment.severity, assessment.mitigation, assessment.remediation):
            assert decision is not None
            assert f"{decision.ruleset}: {decision.value}\n  by {decision.rule}  ({decision.source})" in text

    def test_the_json_carries_the_same_explanation(self, engine: Engine) -> None:
        """``to_dict()`` has the same checks and rejections as the decision objects."""
        assessment = engine.assess(seed(), at=SEED_AT)
        data = assessment.to_dict()["mitigation"]
        assert assessment.mitigation is not None
        assert [(c["test"], c["value"], c["holds"]) for c in data["because"]] == [
            (c.test, c.value, c.holds) for c in assessment.mitigation.because
        ]
        assert [(r["rule"], r["source"], r["failed"]["value"]) for r in data["rejected"]] == [
            (r.rule, r.source, r.failed and r.failed.value) for r in assessment.mitigation.rejected
        ]


class TestExplanationsOnDemand:
    """Explanations are worked out when first read, from the facts of their own assessment."""

    def test_an_explanation_read_after_other_assessments_is_its_own(self, engine: Engine) -> None:
        """Reading it after assessing other documents gives what reading it at once gives."""
        late = engine.assess(seed(), at="2025-06-15T14:40:00Z")
        for minute in range(5):
            engine.assess(incident(rollback=SAFE_ROLLBACK), at=LATER + timedelta(minutes=minute))
        at_once = engine.assess(seed(), at="2025-06-15T14:40:00Z")
        assert [d.explanation for d in late.escalations] == [d.explanation for d in at_once.escalations]
        assert late.to_dict() == at_once.to_dict()

    @pytest.mark.parametrize("fractions", [(1, 1.0), (1.0, 1), (0.0, -0.0)])
    def test_a_number_read_is_shown_as_read_after_an_equal_number(
        self, engine: Engine, fractions: tuple[float, float]
    ) -> None:
        """A test reading 1.0 after one read 1 (equal, shown apart) shows the value it read."""
        checks = []
        for fraction in fractions:
            document = seed()
            document["impact"] |= {"scope": "partial", "affected_fraction": fraction}
            severity = engine.assess(document, at=SEED_AT).severity
            assert severity is not None
            read = [*severity.because, *(r.failed for r in severity.rejected if r.failed)]
            (check,) = [check for check in read if check.path == "impact.affected_fraction"]
            checks.append(check)
        assert [repr(check.value) for check in checks] == [repr(fraction) for fraction in fractions]

    def test_decisions_differing_only_in_what_they_read_are_not_equal(self, engine: Engine) -> None:
        """The same rule holding on another value read is another decision: explanations count."""
        (first,) = [d for d in engine.assess(seed(), at="2025-06-15T14:40:00Z").escalations]
        (second,) = [d for d in engine.assess(seed(), at="2025-06-15T14:41:00Z").escalations]
        assert (first.value, first.rule) == (second.value, second.rule)
        assert first.because != second.because
        assert first != second

    def test_equal_decisions_have_equal_hashes(self, engine: Engine) -> None:
        """Two assessments of the same input give equal, equally hashed decisions."""
        one, two = (engine.assess(seed(), at=SEED_AT).severity for _ in range(2))
        assert one == two
        assert hash(one) == hash(two)

    def test_threads_reading_one_explanation_read_the_same(self, engine: Engine) -> None:
        """Eight threads reading the explanations of one assessment at once all get equal ones."""
        assessment = engine.assess(seed(), at=SEED_AT)
        expected = engine.assess(seed(), at=SEED_AT).to_dict()
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: assessment.to_dict(), range(8)))
        assert results == [expected] * 8

    def test_an_assessment_pickles_and_copies_with_its_explanations(self, engine: Engine) -> None:
        """Pickled (for a process pool) or deep-copied, it keeps every explanation and equals the original."""
        assessment = engine.assess(seed(), at="2025-06-15T14:40:00Z")
        for copied in (pickle.loads(pickle.dumps(assessment)), copy.deepcopy(assessment)):
            assert copied == assessment
            assert copied.to_dict() == assessment.to_dict()

    def test_a_decision_built_by_hand_has_an_empty_explanation(self) -> None:
        """A Decision made without the engine explains nothing, rather than failing."""
        decision = Decision("SEV2", "r", "severity", "A rule", "rules/x.yaml:3")
        assert (decision.because, decision.derived_from, decision.rejected) == ((), (), ())


def severity_of(engine: Engine, impact: dict[str, Any]) -> tuple[str, str]:
    return decided(engine.assess(incident(impact=impact), at=LATER).severity)


def correlated(engine: Engine, document: dict[str, Any], at: datetime = LATER) -> bool:
    value: bool = engine.assess(document, at=at).features["change_correlated"].value
    return value


class TestBoundaries:
    """Thresholds decide exactly at their edge as the practice reads them."""

    def test_an_affected_fraction_of_exactly_ten_percent_is_not_significant(self, engine: Engine) -> None:
        """Partial, 10 %, with a workaround is SEV3: "> 10%" is strict."""
        impact = {"user_facing": True, "scope": "partial", "affected_fraction": 0.10, "workaround": True}
        assert severity_of(engine, impact) == ("SEV3", "severity.minor-with-workaround")

    def test_an_affected_fraction_just_over_ten_percent_is_significant(self, engine: Engine) -> None:
        """Partial, the next float above 10 %, is SEV2 by the significant-degradation rule."""
        impact = {
            "user_facing": True,
            "scope": "partial",
            "affected_fraction": 0.10000000000000002,
            "workaround": True,
        }
        assert severity_of(engine, impact) == ("SEV2", "severity.significant-degradation")

    def test_the_rule_passed_over_at_ten_percent_shows_the_fraction_and_threshold(
        self, engine: Engine
    ) -> None:
        """At exactly 10 % the significant-degradation rule failed reading 0.1 against params 0.1."""
        impact = {"user_facing": True, "scope": "partial", "affected_fraction": 0.10, "workaround": True}
        severity = engine.assess(incident(impact=impact), at=LATER).severity
        assert severity is not None
        failed = next(r.failed for r in severity.rejected if r.rule == "severity.significant-degradation")
        assert failed is not None
        assert (failed.value, failed.expected, failed.param, failed.holds) == (
            0.1,
            0.1,
            "significant_fraction",
            False,
        )

    def test_an_unknown_fraction_of_a_partial_degradation_is_closed_upward(self, engine: Engine) -> None:
        """Partial with no known share and no workaround is SEV2 by the gap rule (readings.md 7)."""
        impact = {"user_facing": True, "scope": "partial"}
        assert severity_of(engine, impact) == ("SEV2", "severity.gap-no-workaround")

    def test_a_change_exactly_at_the_window_edge_correlates(self, engine: Engine) -> None:
        """A deploy exactly 60 minutes before onset correlates."""
        assert correlated(engine, incident(changes=[deploy(timedelta(minutes=60))]))

    def test_a_change_one_second_past_the_window_edge_does_not_correlate(self, engine: Engine) -> None:
        """A deploy 60 minutes and 1 second before onset does not correlate."""
        document = incident(changes=[deploy(timedelta(minutes=60, seconds=1))])
        assert not correlated(engine, document)
        assert decided(engine.assess(document, at=LATER).remediation)[0] == "not_applicable"

    def test_the_window_edge_holds_across_utc_offsets(self, engine: Engine) -> None:
        """A deploy written in +05:30 exactly 60 minutes before a UTC onset correlates."""
        change = deploy(timedelta(minutes=60))
        change["at"] = (
            datetime.fromisoformat(change["at"])
            .astimezone(timezone(timedelta(hours=5, minutes=30)))
            .isoformat()
        )
        assert correlated(engine, incident(changes=[change]))

    def test_a_change_exactly_at_onset_correlates(self, engine: Engine) -> None:
        """A deploy at the very onset counts as "at or before" it."""
        assert correlated(engine, incident(changes=[deploy(timedelta(0))]))

    def test_a_change_after_onset_does_not_correlate(self, engine: Engine) -> None:
        """A deploy one second after onset did not cause it."""
        assert not correlated(engine, incident(changes=[deploy(-timedelta(seconds=1))]))

    def test_a_suspected_change_correlates_whatever_its_age(self, engine: Engine) -> None:
        """A deploy three weeks old that responders suspect correlates."""
        assert correlated(engine, incident(changes=[deploy(timedelta(days=21), suspected=True)]))

    def test_a_change_recorded_after_the_instant_is_not_known_yet(self, engine: Engine) -> None:
        """Assessed before a suspected change happened, the change does not count (time is an input)."""
        document = incident(changes=[deploy(-timedelta(minutes=30), suspected=True)])
        assert (
            correlated(engine, document, DETECTED + timedelta(minutes=10)),
            correlated(engine, document),
        ) == (
            False,
            True,
        )

    def test_onset_defaults_to_detection(self, engine: Engine) -> None:
        """A deploy 59 minutes before detection correlates with no onset given, not with onset 2 h earlier."""
        change = deploy(timedelta(minutes=59))
        early = (DETECTED - timedelta(hours=2)).isoformat()
        assert (
            correlated(engine, incident(changes=[change])),
            correlated(engine, incident(changes=[change], onset_at=early)),
        ) == (
            True,
            False,
        )

    def test_the_window_follows_the_param(self) -> None:
        """With ``change_window=30m`` a deploy 45 minutes before onset no longer correlates."""
        document = incident(changes=[deploy(timedelta(minutes=45))])
        narrow = Engine.default(params={"change_window": "30m"}, backend="native")
        assert (correlated(Engine.default(backend="native"), document), correlated(narrow, document)) == (
            True,
            False,
        )

    def test_a_rollback_of_exactly_five_minutes_is_not_fast(self, engine: Engine) -> None:
        """A 5-minute rollback is not "< 5 min", so it is not safe and fast."""
        rollback = {**SAFE_ROLLBACK, "estimated_minutes": 5}
        assessment = engine.assess(
            incident(changes=[deploy(timedelta(minutes=5))], rollback=rollback), at=LATER
        )
        feature = assessment.features["rollback_safe_and_fast"]
        assert (feature.value, feature.evidence["fast"]) == (False, False)

    def test_a_rollback_of_exactly_five_minutes_still_rolls_back_by_default(self, engine: Engine) -> None:
        """Not fast, but nothing argues against it: the default rule concludes rollback."""
        rollback = {**SAFE_ROLLBACK, "estimated_minutes": 5}
        assessment = engine.assess(
            incident(changes=[deploy(timedelta(minutes=5))], rollback=rollback), at=LATER
        )
        assert decided(assessment.remediation) == ("rollback", "remediation.rollback-by-default")
        assert decided(assessment.mitigation) == ("rollback", "mitigation.rollback-correlated-change")

    def test_a_rollback_just_under_five_minutes_is_safe_and_fast(self, engine: Engine) -> None:
        """A 4.999-minute rollback concludes rollback by the safe-and-fast rule."""
        rollback = {**SAFE_ROLLBACK, "estimated_minutes": 4.999}
        assessment = engine.assess(
            incident(changes=[deploy(timedelta(minutes=5))], rollback=rollback), at=LATER
        )
        assert decided(assessment.remediation) == ("rollback", "remediation.rollback-safe-and-fast")

    def test_a_rollback_that_is_not_possible_is_fixed_forward(self, engine: Engine) -> None:
        """``possible: false`` with nothing else known fixes forward rather than rolling back."""
        rollback = {"possible": False}
        assessment = engine.assess(
            incident(changes=[deploy(timedelta(minutes=5))], rollback=rollback), at=LATER
        )
        assert decided(assessment.remediation) == ("forward_fix", "remediation.rollback-impossible")

    def test_a_growth_of_exactly_the_threshold_counts_as_growing(self, engine: Engine) -> None:
        """From 10 % to 15 % is a rise of 5 points: "at least" the 0.05 of ``blast_radius_growth``."""
        observations = [
            {"at": DETECTED.isoformat(), "affected_fraction": 0.10},
            {"at": (DETECTED + timedelta(minutes=10)).isoformat(), "affected_fraction": 0.15},
        ]
        impact = {"user_facing": True, "scope": "minor", "workaround": True, "observations": observations}
        assert engine.assess(incident(impact=impact), at=LATER).features["blast_radius_growing"].value is True

    def test_a_growth_just_under_the_threshold_does_not_count(self, engine: Engine) -> None:
        """From 10 % to 14.99999999 % is less than the 5 points of ``blast_radius_growth``."""
        observations = [
            {"at": DETECTED.isoformat(), "affected_fraction": 0.10},
            {"at": (DETECTED + timedelta(minutes=10)).isoformat(), "affected_fraction": 0.1499999999},
        ]
        impact = {"user_facing": True, "scope": "minor", "workaround": True, "observations": observations}
        growing = engine.assess(incident(impact=impact), at=LATER).features["blast_radius_growing"]
        assert growing.value is False

    def test_the_order_of_simultaneous_observations_does_not_matter(self, engine: Engine) -> None:
        """Two observations at the same instant give the same decision in either order."""
        observations = [
            {"at": DETECTED.isoformat(), "affected_fraction": 0.1},
            {"at": DETECTED.isoformat(), "affected_fraction": 0.5},
        ]
        impact = {"user_facing": True, "scope": "minor", "workaround": True, "observations": observations}
        reordered = {**impact, "observations": observations[::-1]}
        assert severity_of(engine, impact) == severity_of(engine, reordered)


class TestAssess:
    """``Engine.assess``: arguments validated up front, our errors only."""

    def test_the_instant_may_be_text_or_a_datetime(self, engine: Engine) -> None:
        """ISO text and the equal aware datetime give equal assessments."""
        at = datetime(2025, 6, 15, 14, 30, tzinfo=timezone.utc)
        assert engine.assess(seed(), at=SEED_AT) == engine.assess(seed(), at=at)

    def test_the_assessment_records_the_incident_and_instant(self, engine: Engine) -> None:
        """The assessment names the incident and the instant it was made for."""
        assessment = engine.assess(seed(), at=SEED_AT)
        assert (assessment.incident_id, assessment.at) == (
            "INC-2025-0142",
            datetime(2025, 6, 15, 14, 30, tzinfo=timezone.utc),
        )

    def test_a_naive_instant_is_refused(self, engine: Engine) -> None:
        """A datetime without a time zone is ``InvalidIncident`` naming ``at``."""
        with pytest.raises(InvalidIncident, match=r"^at: "):
            engine.assess(seed(), at=datetime(2025, 6, 15, 14, 30))

    @pytest.mark.parametrize("at", ["soon", "2025-06-15T14:30:00", 1718461800, None])
    def test_an_instant_that_is_not_an_aware_time_is_refused(self, engine: Engine, at: object) -> None:
        """Text without offset, other text, numbers and None are ``InvalidIncident`` naming ``at``."""
        with pytest.raises(InvalidIncident, match=r"^at: "):
            engine.assess(seed(), at=at)  # type: ignore[arg-type]

    def test_an_invalid_document_is_refused_with_its_problems(self, engine: Engine) -> None:
        """A bad document passed to ``assess`` raises ``InvalidIncident`` with every problem."""
        document = seed()
        document["impact"]["scope"] = "global"
        document["detected_at"] = "2025-06-15T14:23:00"
        with pytest.raises(InvalidIncident) as caught:
            engine.assess(document, at=SEED_AT)
        assert [problem.split(":")[0] for problem in caught.value.problems] == ["detected_at", "impact.scope"]

    def test_an_incident_object_is_accepted(self, engine: Engine) -> None:
        """An ``Incident`` gives the same assessment as its document."""
        assert engine.assess(Incident.from_dict(seed()), at=SEED_AT) == engine.assess(seed(), at=SEED_AT)


class TestHitPolicies:
    """How a ruleset settles the rules that hold, the same on every backend."""

    @pytest.fixture
    def pick(self, backend: str, tmp_path: Path) -> Engine:
        """The ``pick`` ruleset (unique) on each backend that runs here."""
        path = tmp_path / "pick.yaml"
        path.write_text(UNIQUE_BOTH, encoding="utf-8")
        return Engine.from_path(path, ROOT / "rules" / "params.yaml", backend=backend)  # type: ignore[arg-type]

    def test_a_unique_ruleset_with_two_rules_holding_is_refused_naming_both(self, pick: Engine) -> None:
        """Two rules of a unique ruleset holding is ``RulesetError`` naming both rules."""
        with pytest.raises(RulesetError) as caught:
            pick.assess(seed(), at=SEED_AT)
        assert "'pick.outage'" in str(caught.value)
        assert "'pick.broad'" in str(caught.value)

    def test_a_unique_ruleset_with_one_rule_holding_decides(self, pick: Engine) -> None:
        """One rule of a unique ruleset holding is its decision."""
        document = seed()
        document["impact"]["user_facing"] = False
        decision = pick.assess(document, at=SEED_AT).decisions["pick"]
        assert isinstance(decision, Decision)
        assert decision.rule == "pick.broad"


class TestBackends:
    """``backend=``: auto, durable, native."""

    def test_auto_picks_durable_where_it_imports(self) -> None:
        """``auto`` is durable_rules where it imports, the native backend elsewhere."""
        expected = "durable" if DURABLE_MISSING is None else "native"
        assert Engine.default().backend == expected

    def test_native_is_always_available(self) -> None:
        """``backend='native'`` works on every interpreter."""
        assert Engine.default(backend="native").backend == "native"

    def test_an_unknown_backend_is_refused(self) -> None:
        """``backend='drools'`` is ``EngineError`` listing the backends."""
        with pytest.raises(EngineError, match="auto, durable, native"):
            Engine.default(backend="drools")  # type: ignore[arg-type]

    @pytest.mark.skipif(DURABLE_MISSING is None, reason="durable_rules imports here")
    def test_durable_where_it_cannot_import_says_why(self) -> None:
        """``backend='durable'`` on Python 3.13+ is ``EngineError`` naming the interpreter and the way out."""
        with pytest.raises(EngineError) as caught:
            Engine.default(backend="durable")
        message = str(caught.value)
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        assert "durable_rules cannot be imported" in message
        assert version in message
        assert "backend='native'" in message
