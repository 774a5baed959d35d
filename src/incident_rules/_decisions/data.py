"""What an assessment concludes: frozen data, each decision with its explanation."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

import attrs

from incident_rules._decisions.display import html_of, short_instant
from incident_rules._decisions.log import DecisionLog
from incident_rules._decisions.whynot import WhyNot
from incident_rules._facts.convert import unstructure
from incident_rules._features import Feature
from incident_rules._rulesets.model import Schedule

__all__ = [
    "Assessment",
    "Check",
    "Decision",
    "DueAction",
    "Explanation",
    "Reference",
    "Rejection",
    "each_decision",
]


@attrs.frozen
class Check:
    """One test of a rule condition, with the value it read and whether it held.

    ``missing`` tells a value the record does not have apart from one that made the test false.
    ``op`` and ``expected`` are the comparison as written; ``negated`` says the condition tested
    its opposite (``not features.resolved``). So ``holds`` follows from the other fields alone:
    ``negated`` when the value is missing, else ``negated`` xor (``value`` ``op`` ``expected``),
    where ``has`` holds for a value of true (the set holds the choice ``expected``).
    """

    test: str
    path: str
    op: str
    value: Any
    missing: bool
    holds: bool
    expected: Any = None
    param: str | None = None
    negated: bool = False


@attrs.frozen
class Rejection:
    """Why an earlier rule of a first-hit ruleset did not decide: its first failing test."""

    rule: str
    title: str
    source: str
    failed: Check | None


@attrs.frozen
class Reference:
    """A decision another decision was derived from."""

    ruleset: str
    rule: str
    value: str


@attrs.frozen
class DueAction:
    """An action with its deadline at the assessed instant, and the rule behind it."""

    action: str
    due_at: datetime
    overdue: bool
    basis: str
    rule: str
    ruleset: str
    source: str
    audience: str | None = None


@attrs.frozen
class Explanation:
    """Why a rule concluded what it did.

    Attributes:
        because: The tests that made the rule hold, with the values they read.
        derived_from: The decisions of other rulesets the rule read.
        rejected: For a first-hit ruleset, why each earlier rule did not decide.
    """

    because: tuple[Check, ...] = ()
    derived_from: tuple[Reference, ...] = ()
    rejected: tuple[Rejection, ...] = ()


@attrs.frozen
class _Given:
    """An explanation already worked out, as a decision built by hand or unpickled carries it."""

    explanation: Explanation = Explanation()

    def __call__(self) -> Explanation:
        return self.explanation


def _explained(explain: Callable[[], Explanation]) -> Explanation:
    return explain()


def _no_why_not(rule: str) -> WhyNot:
    raise LookupError(
        f"why_not({rule!r}): this decision was built by hand or unpickled; "
        "ask a decision of an engine's assessment"
    )


@attrs.frozen
class Decision:
    """One conclusion, the rule that gave it, and the facts that made the rule hold.

    The explanation is worked out from the assessment's facts the first time it is read, so
    callers that only need the conclusions do not pay for it; decisions compare equal only when
    their explanations do too. The engine passes it as ``explain``, a callable returning the
    :class:`Explanation`; a decision built without one explains nothing.

    Attributes:
        value: The conclusion, a stable identifier such as ``"SEV1"`` or ``"rollback"``.
        rule: The id of the rule that concluded it.
        ruleset: The ruleset the rule belongs to.
        title: The rule's title.
        source: Where the rule is written, ``file:line``.
        schedule: When the action is due, for rules that say so.
    """

    #: The keys of a decision as JSON data: its explanation is read like its fields.
    __json_keys__ = (
        *("value", "rule", "ruleset", "title", "source"),
        *("because", "derived_from", "rejected", "schedule"),
    )

    value: str
    rule: str
    ruleset: str
    title: str
    source: str
    schedule: Schedule | None = None
    _explain: Callable[[], Explanation] = attrs.field(
        factory=_Given, eq=_explained, repr=False, alias="explain"
    )
    #: Given by the engine like ``explain``: the why-not of any rule on this assessment's facts.
    _why_not: Callable[[str], WhyNot] = attrs.field(
        default=_no_why_not, eq=False, repr=False, alias="why_not"
    )

    def why_not(self, rule: str) -> WhyNot:
        """What it would have taken for ``rule`` to fire, on the facts of this assessment.

        Args:
            rule: The id of any rule of the engine, such as ``"severity.data-loss"``.

        Returns:
            The fewest fact changes that make the rule hold, and whether it would then decide.

        Raises:
            LookupError: No rule has that id, or the decision does not come from an engine.
        """
        return self._why_not(rule)

    def __repr__(self) -> str:
        return f"<Decision {self.ruleset}={self.value} by {self.rule} ({self.source})>"

    def _repr_html_(self) -> str | None:
        return html_of(self)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled and copied with the explanation worked out: the facts behind it stay behind.
        fields = (self.value, self.rule, self.ruleset, self.title, self.source, self.schedule)
        return (Decision, (*fields, _Given(self.explanation)))

    @property
    def explanation(self) -> Explanation:
        """Why the rule concluded this: its tests, the decisions it read, the rules passed over."""
        return self._explain()

    @property
    def because(self) -> tuple[Check, ...]:
        """The tests that made the rule hold, with the values they read."""
        return self._explain().because

    @property
    def derived_from(self) -> tuple[Reference, ...]:
        """The decisions of other rulesets the rule read."""
        return self._explain().derived_from

    @property
    def rejected(self) -> tuple[Rejection, ...]:
        """For a first-hit ruleset, why each earlier rule did not decide."""
        return self._explain().rejected


Outcome = Decision | tuple[Decision, ...] | None


def _shown(outcome: Outcome) -> str:
    """An outcome in a repr: the value, ``[a, b]`` for a collected one, ``-`` for none."""
    if isinstance(outcome, Decision):
        return outcome.value
    if outcome is None:
        return "-"
    return "[" + ", ".join(decision.value for decision in outcome) + "]"


def each_decision(outcomes: Mapping[str, Outcome]) -> Iterator[Decision]:
    """Every decision of ``outcomes`` (one per ruleset), the collected ones one by one."""
    for outcome in outcomes.values():
        if isinstance(outcome, Decision):
            yield outcome
        elif outcome:
            yield from outcome


@attrs.frozen
class Assessment:
    """Every decision about one incident at one instant.

    ``decisions`` holds one entry per ruleset: a :class:`Decision` (or None when no rule held)
    for first-hit and unique rulesets, a tuple of them for collect rulesets. ``log`` is the
    decision log (policy digest, version, backend, decision id) an engine writes; an assessment
    built by hand has none. The log is about the decision, not part of it: it takes no part in
    equality, so the same decisions are equal whichever engine made them.
    """

    incident_id: str
    at: datetime
    decisions: Mapping[str, Outcome]
    features: Mapping[str, Feature]
    due: tuple[DueAction, ...] = ()
    log: DecisionLog | None = attrs.field(default=None, repr=False, eq=False)

    def __repr__(self) -> str:
        # One line a notebook or a log can show: the conclusions, not the explanations.
        values = ", ".join(f"{name}={_shown(outcome)}" for name, outcome in self.decisions.items())
        overdue = sum(action.overdue for action in self.due)
        due = f"; {len(self.due)} due ({overdue} overdue)" if self.due else ""
        return f"<Assessment {self.incident_id} at {short_instant(self.at)}: {values}{due}>"

    def _repr_html_(self) -> str | None:
        return html_of(self)

    def _single(self, name: str) -> Decision | None:
        outcome = self.decisions.get(name)
        return outcome if isinstance(outcome, Decision) else None

    @property
    def severity(self) -> Decision | None:
        """The severity: ``SEV1`` to ``SEV4``."""
        return self._single("severity")

    @property
    def mitigation(self) -> Decision | None:
        """What to do first to stop the impact."""
        return self._single("mitigation")

    @property
    def remediation(self) -> Decision | None:
        """Roll back or fix forward, or not applicable when no change correlates."""
        return self._single("remediation")

    def _many(self, name: str) -> tuple[Decision, ...]:
        outcome = self.decisions.get(name)
        return outcome if isinstance(outcome, tuple) else ()

    @property
    def escalations(self) -> tuple[Decision, ...]:
        """Everybody to escalate to now: ``leadership``, ``security``, ``legal``, ..."""
        return self._many("escalations")

    @property
    def communication(self) -> tuple[Decision, ...]:
        """The communication plan: who must hear what, and on what schedule."""
        return self._many("communication")

    def why_not(self, rule: str) -> WhyNot:
        """What it would have taken for ``rule`` to fire here; see :meth:`Decision.why_not`.

        Raises:
            LookupError: No rule has that id, or no decision of this assessment comes from an engine.
        """
        decision = next(each_decision(self.decisions), None)
        return (decision or Decision("", "", "", "", "")).why_not(rule)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: one top-level key per ruleset, plus the incident, instant and features.

        Returns:
            ``incident``, ``at``, one key per ruleset, ``due``, ``features``, and, for an
            assessment an engine made, ``decision_log``: ``decision_id``, ``library``,
            ``version``, ``policy_digest``, ``backend``, ``at`` (described in
            ``incident-rules schema assessment``).
        """
        result: dict[str, Any] = {"incident": self.incident_id, "at": self.at.isoformat()}
        result |= {name: unstructure(outcome) for name, outcome in self.decisions.items()}
        result["due"] = unstructure(self.due)
        result["features"] = {
            name: {"value": feature.value, "evidence": unstructure(dict(feature.evidence))}
            for name, feature in self.features.items()
        }
        if self.log is not None:
            result["decision_log"] = self.log.to_dict()
        return result
