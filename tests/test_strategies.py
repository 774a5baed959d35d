"""The strategies deliver what their names promise, so no property test checks nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from incident_rules import Engine, Impact, Incident
from strategies import SCOPES, assessments, impact_pairs, instant_pairs, open_assessments, param_overrides


def at_least_as_bad(worse: Impact, impact: Impact) -> bool:
    """Whether ``worse`` is at least as bad as ``impact`` in every impact field."""
    fraction_kept = impact.affected_fraction is None or (
        worse.affected_fraction is not None and worse.affected_fraction >= impact.affected_fraction
    )
    flags = ("user_facing", "data_loss", "security_breach", "customer_data", "pii_exposed")
    return (
        all(getattr(worse, flag) >= getattr(impact, flag) for flag in flags)
        and worse.workaround <= impact.workaround
        and worse.internal_only <= impact.internal_only
        and SCOPES.index(worse.scope) >= SCOPES.index(impact.scope)
        and fraction_kept
        and worse.observations == impact.observations
    )


class TestMoreImpact:
    """``impact_pairs``: an incident and the same incident with more impact."""

    @given(pair=impact_pairs())
    def test_every_pair_differs_in_impact(
        self, pair: tuple[dict[str, Any], dict[str, Any], datetime]
    ) -> None:
        """100 % of generated pairs have impacts that differ once read, not merely as dicts."""
        document, worse, _ = pair
        assert Incident.from_dict(worse).impact != Incident.from_dict(document).impact

    @given(pair=impact_pairs())
    def test_the_worse_impact_is_at_least_as_bad_in_every_field(
        self, pair: tuple[dict[str, Any], dict[str, Any], datetime]
    ) -> None:
        """No field of the worse impact is better than the original's."""
        document, worse, _ = pair
        assert at_least_as_bad(Incident.from_dict(worse).impact, Incident.from_dict(document).impact)

    @given(pair=impact_pairs())
    def test_only_the_impact_changes(self, pair: tuple[dict[str, Any], dict[str, Any], datetime]) -> None:
        """Everything outside the impact is the original document's."""
        document, worse, _ = pair
        assert {k: v for k, v in worse.items() if k != "impact"} == {
            k: v for k, v in document.items() if k != "impact"
        }


class TestInstants:
    """The instants property tests compare."""

    @given(data=st.data())
    def test_instant_pairs_are_ordered_and_before_mitigation(self, data: st.DataObject) -> None:
        """The first instant is strictly earlier; no mitigated or resolved entry is known at the second."""
        document, _ = data.draw(assessments())
        early, late = data.draw(instant_pairs(document))
        incident = Incident.from_dict(document)
        ended = [e.at for e in incident.timeline if e.kind in ("mitigated", "resolved") and e.at <= late]
        assert early < late
        assert ended == []

    @given(case=open_assessments())
    def test_open_assessments_are_not_resolved_at_the_instant(
        self, case: tuple[dict[str, Any], datetime]
    ) -> None:
        """No timeline entry known at the instant says the incident was resolved."""
        document, at = case
        incident = Incident.from_dict(document)
        assert [e for e in incident.timeline if e.kind == "resolved" and e.at <= at] == []


class TestParams:
    """``param_overrides``: params a caller may pass."""

    @given(drawn=param_overrides())
    def test_every_drawn_override_is_accepted_and_read_as_drawn(
        self, drawn: tuple[dict[str, object], dict[str, float]]
    ) -> None:
        """The engine takes every drawn override, and reads each duration as the minutes drawn."""
        overrides, minutes = drawn
        params = Engine.default(params=overrides, backend="native").params
        assert {name: params[name] for name in minutes} == minutes
