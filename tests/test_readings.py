"""The readings of readings.md 10 to 15, each on a document a responder would recognise."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from incident_rules import Engine, InvalidIncident
from strategies import assessments

SEED = json.loads(
    (Path(__file__).parent.parent / "examples" / "inc-2025-0142.json").read_text(encoding="utf-8")
)
AT = "2025-06-15T14:50:00Z"
RESOURCES = ["cpu", "memory", "connections", "disk", "other"]


def seed(**impact: Any) -> dict[str, Any]:
    """The seed example with ``impact`` fields replaced."""
    document = copy.deepcopy(SEED)
    document["impact"] |= impact
    return document


def quiet(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with no change, dependency or resource signal: mitigation falls through."""
    document = copy.deepcopy(document)
    document["signals"] = {"changes": [], "dependencies_down": [], "exhausted_resources": []}
    return document


def observed(*points: tuple[str, float], **impact: Any) -> dict[str, Any]:
    """The seed, with the affected share observed at each ``(HH:MM, fraction)``."""
    observations = [{"at": f"2025-06-15T{at}:00Z", "affected_fraction": share} for at, share in points]
    return seed(observations=observations, **impact)


def escalations(engine: Engine, document: dict[str, Any], at: str = "2025-06-15T14:50:00Z") -> dict[str, str]:
    """Each escalation's value with the rule that gave it."""
    return {decision.value: decision.rule for decision in engine.assess(document, at=at).escalations}


class TestSecurityOnEveryBreach:
    """Reading 10: a breach pages security with or without customer data; legal needs exposed PII."""

    def test_a_breach_without_customer_data_pages_security(self, engine: Engine) -> None:
        """A breach that touched no customer data still pages security on-call."""
        found = escalations(engine, seed(security_breach=True, customer_data=False, pii_exposed=False))
        assert found["security"] == "escalation.security"
        assert "legal" not in found

    def test_customer_data_without_a_breach_pages_security(self, engine: Engine) -> None:
        """Accounts mixed up by a bug (customer data, no breach) page security too."""
        found = escalations(engine, seed(security_breach=False, customer_data=True))
        assert "security" in found

    def test_exposed_personal_data_involves_legal(self, engine: Engine) -> None:
        """Legal stays tied to exposed personal data."""
        found = escalations(engine, seed(security_breach=True, pii_exposed=True))
        assert {"security", "legal"} <= set(found)

    def test_no_breach_and_no_customer_data_pages_nobody_for_security(self, engine: Engine) -> None:
        """The seed (a bad deploy) pages neither security nor legal."""
        assert not {"security", "legal"} & set(escalations(engine, SEED))


class TestGrowthAtSev1:
    """Reading 11: a growing blast radius at SEV1 expands the responder pool; SEV1 stays."""

    def test_a_sev1_growing_from_one_to_a_hundred_percent_expands_the_responders(
        self, engine: Engine
    ) -> None:
        """1 % to 100 % of users at SEV1 escalates raise_severity, and the severity stays SEV1."""
        assessment = engine.assess(observed(("14:23", 0.01), ("14:30", 1.0)), at="2025-06-15T14:31:00Z")
        raise_severity = next(d for d in assessment.escalations if d.value == "raise_severity")
        assert raise_severity.rule == "escalation.expand-responders"
        assert "expand the responder pool" in raise_severity.title
        assert assessment.severity is not None
        assert (assessment.severity.value, assessment.severity.rule) == ("SEV1", "severity.widespread-outage")

    def test_below_sev1_the_raise_is_one_level(self, engine: Engine) -> None:
        """A growing SEV2 is raised to SEV1 by the effective-severity ruleset, as before."""
        document = observed(("14:23", 0.2), ("14:30", 0.4), scope="partial", affected_fraction=0.2)
        assessment = engine.assess(document, at="2025-06-15T14:31:00Z")
        assert (
            escalations(engine, document, "2025-06-15T14:31:00Z")["raise_severity"]
            == "escalation.raise-severity"
        )
        assert assessment.severity is not None
        assert (assessment.severity.value, assessment.severity.rule) == ("SEV1", "severity.raised-to-sev1")


class TestRelativeGrowth:
    """Reading 12: growth by points or by factor; from zero any rise counts."""

    @pytest.mark.parametrize(
        ("earlier", "later", "by"),
        [
            (0.01, 0.04, "factor"),  # quadrupled, up three points
            (0.02, 0.04, "factor"),  # exactly the factor
            (0.0, 0.001, "factor"),  # from zero
            (0.10, 0.15, "points"),  # exactly the points
            (0.30, 0.90, "points"),  # both; the points test is named first
        ],
    )
    def test_growth_names_the_observations_and_the_test(
        self, engine: Engine, earlier: float, later: float, by: str
    ) -> None:
        """The evidence names both observations and whether points or factor made it grow."""
        document = observed(("14:25", earlier), ("14:45", later))
        feature = engine.assess(document, at="2025-06-15T14:50:00Z").features["blast_radius_growing"]
        assert feature.value is True
        assert feature.evidence["by"] == by
        assert feature.evidence["from"] == f"{earlier:g} at 2025-06-15T14:25:00+00:00"
        assert feature.evidence["to"] == f"{later:g} at 2025-06-15T14:45:00+00:00"

    @pytest.mark.parametrize(("earlier", "later"), [(0.30, 0.33), (0.021, 0.04), (0.0, 0.0), (0.5, 0.2)])
    def test_a_rise_below_both_thresholds_is_not_growth(
        self, engine: Engine, earlier: float, later: float
    ) -> None:
        """Under 5 points and under twice the share, or no rise at all, is not growth."""
        document = observed(("14:25", earlier), ("14:45", later))
        assert engine.assess(document, at=AT).features["blast_radius_growing"].value is False

    def test_two_observations_at_one_instant_are_not_growth_by_factor(self, engine: Engine) -> None:
        """1 % and 4 % seen at the same moment are two readings, not a rise."""
        document = observed(("14:25", 0.01), ("14:25", 0.04))
        assert engine.assess(document, at=AT).features["blast_radius_growing"].value is False

    def test_the_factor_is_a_param(self, backend: str, engines: Any) -> None:
        """With a factor of 5, a quadrupling is not growth; with 4 it is."""
        document = observed(("14:25", 0.01), ("14:45", 0.04))
        grows = {
            factor: engines(backend, {"blast_radius_factor": factor})
            .assess(document, at=AT)
            .features["blast_radius_growing"]
            .value
            for factor in (4, 5)
        }
        assert grows == {4: True, 5: False}

    @given(st.data())
    def test_a_larger_later_share_never_removes_growth(self, engine: Engine, data: st.DataObject) -> None:
        """Growth is monotone in the later observation: raising it keeps the growth."""
        earlier = data.draw(st.floats(0, 0.5), label="earlier")
        # Mostly shares that grew by points or by factor from it, sometimes ones just short of it.
        later = data.draw(st.floats(min(1.0, earlier + 0.04), 1), label="later")
        larger = data.draw(st.floats(later, 1), label="larger")
        at, name = "2025-06-15T14:50:00Z", "blast_radius_growing"
        grew = engine.assess(observed(("14:25", earlier), ("14:45", later)), at=at).features[name].value
        assume(grew)
        assert engine.assess(observed(("14:25", earlier), ("14:45", larger)), at=at).features[name].value


class TestAnyExhaustedResource:
    """Reading 13: every kind of exhausted resource is scaled out first."""

    @pytest.mark.parametrize("resource", RESOURCES)
    def test_each_exhausted_resource_scales_out(self, engine: Engine, resource: str) -> None:
        """With no correlated change and no dependency down, any exhausted resource scales out."""
        document = quiet(SEED)
        document["signals"]["exhausted_resources"] = [resource]
        mitigation = engine.assess(document, at="2025-06-15T14:50:00Z").mitigation
        assert mitigation is not None
        assert (mitigation.value, mitigation.rule) == ("scale_out", "mitigation.scale-out")

    @given(st.lists(st.sampled_from(RESOURCES), unique=True), st.sampled_from(RESOURCES))
    def test_exhausting_one_more_resource_keeps_scale_out(
        self, engine: Engine, exhausted: list[str], more: str
    ) -> None:
        """Adding an exhausted resource never moves mitigation away from scale_out."""
        document = quiet(SEED)
        document["signals"]["exhausted_resources"] = exhausted
        before = engine.assess(document, at="2025-06-15T14:50:00Z").mitigation
        assume(before is not None and before.value == "scale_out")
        document["signals"]["exhausted_resources"] = sorted({*exhausted, more})
        after = engine.assess(document, at="2025-06-15T14:50:00Z").mitigation
        assert after is not None
        assert after.value == "scale_out"


class TestImpossibleRollback:
    """Reading 14: a rollback that cannot be done is a forward fix."""

    def test_a_correlated_change_that_cannot_be_rolled_back_is_fixed_forward(self, engine: Engine) -> None:
        """Remediation says forward fix by its own rule, and mitigation defers to it."""
        document = copy.deepcopy(SEED)
        document["rollback"] = {"possible": False}
        assessment = engine.assess(document, at="2025-06-15T14:30:00Z")
        assert assessment.remediation is not None
        assert assessment.mitigation is not None
        assert (assessment.remediation.value, assessment.remediation.rule) == (
            "forward_fix",
            "remediation.rollback-impossible",
        )
        assert (assessment.mitigation.value, assessment.mitigation.rule) == (
            "forward_fix",
            "mitigation.defer-to-forward-fix",
        )


class TestBeforeDetection:
    """Reading 15: an assessment before detection is an error."""

    def test_at_before_detection_names_both_instants(self, engine: Engine) -> None:
        """The error names the instant asked for and the detection."""
        with pytest.raises(InvalidIncident) as raised:
            engine.assess(SEED, at="2025-06-15T14:22:59Z")
        assert "2025-06-15T14:22:59+00:00" in str(raised.value)
        assert "detected_at 2025-06-15T14:23:00+00:00" in str(raised.value)

    def test_at_detection_itself_is_assessed(self, engine: Engine) -> None:
        """The instant of detection is the first that can be assessed."""
        assert engine.assess(SEED, at="2025-06-15T14:23:00Z").severity is not None

    def test_the_same_instant_in_another_offset_is_not_before(self, engine: Engine) -> None:
        """Instants compare as instants: 16:23+02:00 is the detection itself."""
        assert engine.assess(SEED, at="2025-06-15T16:23:00+02:00").severity is not None


#: Each operator's comparison of the value read with the expected one, as the docs state it.
_COMPARED = {
    "==": lambda value, expected: value == expected,
    "!=": lambda value, expected: value != expected,
    "<": lambda value, expected: value < expected,
    "<=": lambda value, expected: value <= expected,
    ">": lambda value, expected: value > expected,
    ">=": lambda value, expected: value >= expected,
    "in": lambda value, expected: value in expected,
    "not in": lambda value, expected: value not in expected,
    "has": lambda value, expected: value is True,  # the fact of the choice ``expected``
}


def recomputed(check: dict[str, Any]) -> bool:
    """Whether a check holds, from its JSON alone: what a frontend can do."""
    if check["missing"]:
        return bool(check["negated"])
    return _COMPARED[check["op"]](check["value"], check["expected"]) != check["negated"]


def every_check(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every check of an assessment's JSON: the tests of each decision and of each rejection."""
    decisions = [data[key] for key in data if key not in ("incident", "at", "due", "features")]
    flat = [d for item in decisions for d in (item if isinstance(item, list) else [item]) if d]
    checks = [check for decision in flat for check in decision.get("because", [])]
    return checks + [r["failed"] for d in flat for r in d.get("rejected", []) if "failed" in r]


class TestChecksAFrontendCanRecompute:
    """Explanations a frontend can recompute: ``holds`` follows from op, value, expected, negated."""

    def test_a_negated_test_says_so(self, engine: Engine) -> None:
        """``not features.resolved`` is a check of ``features.resolved`` with ``negated: true``."""
        data = engine.assess(SEED, at="2025-06-15T14:40:00Z").to_dict()
        resolved = [c for c in every_check(data) if c["path"] == "features.resolved"]
        assert resolved
        assert all(c["negated"] and c["test"] == "not features.resolved" for c in resolved)
        assert all(recomputed(c) == c["holds"] for c in resolved)

    @given(assessments())
    def test_every_check_of_every_assessment_recomputes_from_its_json(
        self, engine: Engine, case: tuple[dict[str, Any], Any]
    ) -> None:
        """From its JSON alone, each check's ``holds`` comes out as the engine said."""
        document, at = case
        data = json.loads(json.dumps(engine.assess(document, at=at).to_dict()))
        checks = every_check(data)
        assert checks  # every assessment explains something
        for check in checks:
            assert recomputed(check) == check["holds"], check
