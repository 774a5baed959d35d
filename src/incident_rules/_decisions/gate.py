"""What a quality gate finds: one finding per check, frozen data like every decision."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import attrs

from incident_rules._decisions.data import Check, Explanation, Reference
from incident_rules._decisions.display import html_of, short_instant
from incident_rules._facts.convert import unstructure

__all__ = ["Finding", "GateResult", "Status"]

Status = Literal["passed", "failed", "not_applicable"]


@attrs.frozen
class Finding:
    """The verdict of one check over an incident record, and what it was judged on.

    Attributes:
        check: The check's id (its rule's id), such as ``"gate.severity-within-5-minutes"``.
        status: ``passed``, ``failed``, or ``not_applicable`` (it does not apply to this record,
            and so does not fail the gate).
        title: The check's title.
        ruleset: The quality gate it belongs to.
        source: Where the check is written, ``file:line``.
        evidence: What the record showed, for every fact about the record the check read.
        explanation: The tests that decided the verdict with the values read (for a check that
            does not apply, the tests of its ``applies``), and the decisions it read.
    """

    __json_keys__ = (
        *("check", "status", "title", "ruleset", "source"),
        *("evidence", "because", "derived_from"),
    )

    check: str
    status: Status
    title: str
    ruleset: str
    source: str
    evidence: Mapping[str, Any] = attrs.field(factory=dict)
    explanation: Explanation = attrs.field(factory=Explanation)

    @property
    def because(self) -> tuple[Check, ...]:
        """The tests that decided the verdict, with the values they read."""
        return self.explanation.because

    @property
    def derived_from(self) -> tuple[Reference, ...]:
        """The decisions (the severity, say) the check read."""
        return self.explanation.derived_from


@attrs.frozen
class GateResult:
    """Every finding of a quality gate over one incident record, judged at one instant."""

    __json_keys__ = ("incident", "at", "passed", "findings")

    incident_id: str
    at: datetime
    findings: tuple[Finding, ...]

    def __repr__(self) -> str:
        verdict = "passed" if self.passed else "failed"
        failed = ", ".join(finding.check for finding in self.failed)
        shown = f" ({failed})" if failed else ""
        return (
            f"<GateResult {self.incident_id} at {short_instant(self.at)}: {verdict}, "
            f"{len(self.failed)} of {len(self.findings)} checks failed{shown}>"
        )

    def _repr_html_(self) -> str | None:
        return html_of(self)

    @property
    def incident(self) -> str:
        """The id of the incident judged."""
        return self.incident_id

    @property
    def passed(self) -> bool:
        """Whether no check failed (a check that does not apply does not fail)."""
        return all(finding.status != "failed" for finding in self.findings)

    @property
    def failed(self) -> tuple[Finding, ...]:
        """The findings that failed, in check order."""
        return tuple(finding for finding in self.findings if finding.status == "failed")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: the incident, the instant, the verdict and every finding."""
        result: dict[str, Any] = unstructure(self)
        return result
