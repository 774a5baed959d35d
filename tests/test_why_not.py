"""Why-not: the fewest fact changes that make a rule hold, and whether it would then decide."""

from __future__ import annotations

import copy
import pickle
from datetime import datetime
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from authoring_samples import AT, PARTIAL, shipped_engine
from incident_rules import Incident, WhyNot, render
from incident_rules._authoring.space import stage_of
from incident_rules._backends.codegen import holding_function
from incident_rules._backends.plan import assert_decision, bind, settle
from incident_rules._backends.view import fact_view
from incident_rules._facts.schema import incident_paths
from strategies import assessments


def answer(rule: str, document: dict[str, Any] = PARTIAL) -> WhyNot:
    return shipped_engine().assess(document, at=AT).severity.why_not(rule)


class TestAnswers:
    """What why_not says for the shipped severity rules."""

    def test_a_share_below_the_threshold_must_rise_above_it(self) -> None:
        """8 % partial is not significant: the fraction must go above 0.1, and it would decide."""
        result = answer("severity.significant-degradation")
        assert [(c.fact, c.was, c.becomes) for c in result.changes] == [
            ("impact.affected_fraction", 0.08, "above 0.1")
        ]
        assert result.decides

    def test_the_text_names_the_change_and_the_outcome(self) -> None:
        """The text form reads 'impact.affected_fraction: 0.08 -> above 0.1'."""
        text = render.why_not(answer("severity.significant-degradation"))
        assert "impact.affected_fraction: 0.08 -> above 0.1" in text
        assert "would then decide severity" in text

    def test_a_rule_behind_an_earlier_one_would_not_decide(self) -> None:
        """On a widespread outage, data loss would hold but the widespread rule still comes first."""
        document = copy.deepcopy(PARTIAL)
        document["impact"]["scope"] = "widespread"
        result = answer("severity.data-loss", document)
        assert [(c.fact, c.becomes) for c in result.changes] == [("impact.data_loss", "true")]
        assert (result.decides, result.taken_by) == (False, "severity.widespread-outage")

    def test_two_facts_are_changed_when_one_is_not_enough(self) -> None:
        """A minor 5 % incident needs both a partial scope and a larger share."""
        document = copy.deepcopy(PARTIAL)
        document["impact"] |= {"scope": "minor", "affected_fraction": 0.05}
        changes = answer("severity.significant-degradation", document).changes
        assert {(c.fact, c.becomes) for c in changes} == {
            ("impact.scope", "'partial'"),
            ("impact.affected_fraction", "above 0.1"),
        }

    def test_the_rule_that_decided_holds_already(self) -> None:
        """why_not of the deciding rule: it holds, no changes, and it decides."""
        result = answer("severity.minor-with-workaround")
        assert (result.holds, result.changes, result.decides) == (True, (), True)

    def test_a_missing_value_is_shown_as_missing(self) -> None:
        """An unknown share reads 'missing -> above 0.1'."""
        document = copy.deepcopy(PARTIAL)
        del document["impact"]["affected_fraction"]
        (change,) = answer("severity.significant-degradation", document).changes
        assert (change.was, change.becomes) == (None, "above 0.1")

    def test_the_json_form_keeps_every_change(self) -> None:
        """to_dict lists the changes with fact, was, becomes and example."""
        data = answer("severity.significant-degradation").to_dict()
        assert data["changes"] == [
            {"fact": "impact.affected_fraction", "was": 0.08, "becomes": "above 0.1", "example": 0.55}
        ]


class TestErrors:
    """Asking about a rule that is not there, or without an engine's facts."""

    def test_an_unknown_rule_is_named_with_a_suggestion(self) -> None:
        """A misspelled id raises LookupError with the likely rule."""
        with pytest.raises(
            LookupError,
            match=r"no rule 'severity.data-los' in this engine \(did you mean 'severity.data-loss'\?\)",
        ):
            answer("severity.data-los")

    def test_an_unpickled_decision_says_it_cannot_answer(self) -> None:
        """The facts stay behind when a decision is pickled: why_not says so."""
        decision = pickle.loads(pickle.dumps(shipped_engine().assess(PARTIAL, at=AT).severity))
        with pytest.raises(LookupError, match="built by hand or unpickled"):
            decision.why_not("severity.data-loss")


def _stage_facts(document: dict[str, Any], at: datetime) -> dict[str, dict[str, Any]]:
    """The facts each ruleset read, replayed from the assessment's features."""
    assessment = shipped_engine().assess(document, at=at)
    facts = fact_view(Incident.from_dict(document), assessment.features)
    read = {}
    for stage in bind(shipped_engine().rulesets, shipped_engine().params).stages:
        read[stage.ruleset.name] = dict(facts)
        assert_decision(facts, stage, settle(stage, holding_function(stage)(facts)))
    return read


def _with_changes(facts: dict[str, Any], result: WhyNot) -> dict[str, Any]:
    changed = dict(facts)
    for change in result.changes:
        if change.example is None:
            changed.pop(change.fact, None)
        else:
            changed[change.fact] = change.example
    return changed


def _apply(document: dict[str, Any], result: WhyNot) -> dict[str, Any] | None:
    """The document with the answer's changes, or None if a change is not a document field."""
    changed = copy.deepcopy(document)
    for change in result.changes:
        path, _, choice = change.fact.partition(":")
        if path not in incident_paths() or not path.startswith(("impact.", "signals.")):
            return None
        record, leaf = changed.setdefault(path.split(".")[0], {}), path.split(".")[1]
        if choice:
            members = set(record.get(leaf, [])) - {choice}
            record[leaf] = sorted(members | ({choice} if change.example else set()))
        else:
            record[leaf] = change.example
    return changed


_RULES = [
    (stage.ruleset.name, bound)
    for stage in bind(shipped_engine().rulesets, shipped_engine().params).stages
    for bound in stage.rules
]


class TestEveryAnswerHolds:
    """Every why-not answer, applied, makes the rule hold."""

    @given(assessments(), st.sampled_from(_RULES))
    def test_the_changes_make_the_rule_hold_on_its_rulesets_facts(self, case: Any, rule: Any) -> None:
        """Applied to the facts the ruleset read, the changes make the rule hold; decides is right."""
        (document, at), (name, bound) = case, rule
        result = shipped_engine().assess(document, at=at).why_not(bound.rule.id)
        assume(result.possible and not result.holds)
        stage = next(
            s
            for s in bind(shipped_engine().rulesets, shipped_engine().params).stages
            if s.ruleset.name == name
        )
        changed = _with_changes(_stage_facts(document, at)[name], result)
        assert holding_function(stage_of([bound], stage))(changed)
        chosen = settle(stage, holding_function(stage)(changed)) if stage.ruleset.hit != "unique" else ()
        assert (bound in chosen) == result.decides

    @given(assessments(), st.sampled_from([r for r in _RULES if r[0] in ("severity", "remediation")]))
    def test_the_changed_document_is_decided_by_the_rule(self, case: Any, rule: Any) -> None:
        """For rules reading no decisions, assessing the changed document makes the rule hold."""
        (document, at), (_, bound) = case, rule
        result = shipped_engine().assess(document, at=at).why_not(bound.rule.id)
        assume(result.possible and not result.holds)
        changed = _apply(document, result)
        assume(changed is not None)
        again = shipped_engine().assess(changed, at=at).why_not(bound.rule.id)
        assert again.holds
        assert again.decides == result.decides
