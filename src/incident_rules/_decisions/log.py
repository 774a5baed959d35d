"""The decision log of an assessment: which policy decided, on what, when, and under which id.

The shape follows what OPA's decision logs carry, so an assessment's JSON can go to an audit log
as it is; :class:`DecisionLog` describes each key (and ``incident-rules schema assessment``
carries the same descriptions).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from incident_rules._facts.convert import unstructure
from incident_rules._facts.model import Incident
from incident_rules._rulesets.model import Ruleset

__all__ = ["LIBRARY", "DecisionLog", "PolicyDigest", "library_version", "policy_digest"]

LIBRARY = "incident-rules"
#: The namespace of decision ids: fixed forever, so an id means the same in every release.
_NAMESPACE = "5f0c1f1e-3d3b-4c52-9a53-6e7d1b0c2a41"


def library_version() -> str:
    """The version of incident-rules, as the package root writes it."""
    # The root is imported before any module of the package, and importing it from here would
    # close a circle (the root imports the stages); importlib.metadata costs tens of ms at start.
    return str(sys.modules["incident_rules"].__version__)


def _canonical(data: object) -> bytes:
    # Sorted keys and no whitespace: the same data always hashes the same.
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()


def _ruleset_content(ruleset: Ruleset) -> dict[str, Any]:
    rules = [
        {
            "id": rule.id,
            "when": rule.when,
            "then": rule.then,
            "applies_when": rule.applies_when,
            "due": unstructure(rule.due),
        }
        for rule in ruleset.rules
    ]
    fields = ("name", "hit", "values", "uses", "revises")
    return {**{name: getattr(ruleset, name) for name in fields}, "rules": rules}


def policy_digest(rulesets: Iterable[Ruleset], params: Mapping[str, Any]) -> str:
    """``sha256:<hex>`` over what decides: the rulesets' logic and every param value.

    Args:
        rulesets: The deciding rulesets, in the order the engine settles them.
        params: Every param with the value in force.

    Returns:
        The digest; prose and file locations of the rules do not enter it.
    """
    import hashlib  # with uuid, loaded only when a log is written: not on a command's start

    content = {"rulesets": [_ruleset_content(ruleset) for ruleset in rulesets], "params": dict(params)}
    return "sha256:" + hashlib.sha256(_canonical(content)).hexdigest()


class PolicyDigest:
    """The :func:`policy_digest` of an engine's policy, worked out the first time it is read.

    An engine that is never asked for a log line (text output, replay records) never hashes its
    rules. Digests compare, hash and pickle as their value.
    """

    __slots__ = ("_content", "_value")

    def __init__(self, rulesets: Iterable[Ruleset], params: Mapping[str, Any]) -> None:
        self._content: tuple[tuple[Ruleset, ...], dict[str, Any]] | None = (tuple(rulesets), dict(params))
        self._value: str | None = None

    @classmethod
    def of_value(cls, value: str) -> PolicyDigest:
        """A digest already worked out (an unpickled one)."""
        digest = cls((), {})
        digest._value, digest._content = value, None
        return digest

    @property
    def value(self) -> str:
        """``sha256:<hex>``; two threads reading it first both work out the same text."""
        if self._value is None:
            assert self._content is not None
            self._value = policy_digest(*self._content)
        return self._value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PolicyDigest) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"PolicyDigest({self.value!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (PolicyDigest.of_value, (self.value,))


@attrs.frozen
class DecisionLog:
    """What an audit log records of one assessment: its ``decision_log`` key, a stable shape.

    Keys are added, never renamed or removed, within a major version. The decision id is
    derived, not drawn: deciding the same document at the same instant under the same policy
    gives the same id, so a rerun reproduces its log line (golden files stay stable, an audit
    trail can drop replays it has already), and any change to the policy, the document or the
    instant gives a new one. A random or clock-based id would differ on every rerun and say
    nothing about what was decided.

    Attributes:
        decision_id: A UUID (version 5) derived from the policy digest, the incident document
            and the instant.
        library: Always "incident-rules".
        version: The version of incident-rules that decided.
        policy_digest: "sha256:" and the hex digest of every deciding ruleset (name, hit policy,
            values, uses, revises, and each rule's id, condition, conclusion and due) and every
            param value. Titles, descriptions and file locations do not change a decision and
            do not enter it: the same policy has the same digest wherever it is installed.
        backend: The backend that ran the rules, "native" or "durable". Both decide alike, so
            it enters neither the decision id nor the equality of assessments.
        at: The instant decided at (ISO 8601), not the wall-clock time of the call: an
            assessment is a function of the instant, and the log stays reproducible.
        policy: The policy digest, worked out when first read (written as policy_digest).
        incident: The incident decided on (not written out; the decision id is derived from it).
    """

    __json_keys__ = ("decision_id", "library", "version", "policy_digest", "backend", "at")

    version: str
    policy: PolicyDigest
    backend: str = attrs.field(eq=False)
    at: datetime
    incident: Incident = attrs.field(repr=False)

    @property
    def library(self) -> str:
        """Always ``"incident-rules"``: which library wrote the log line."""
        return LIBRARY

    @property
    def policy_digest(self) -> str:
        """``sha256:<hex>`` of the deciding rulesets and params."""
        return self.policy.value

    @property
    def decision_id(self) -> str:
        """A UUID derived from the policy digest, the document and the instant (reproducible)."""
        import hashlib
        import uuid

        document = hashlib.sha256(_canonical(self.incident.to_dict())).hexdigest()
        name = f"{self.policy_digest}\n{document}\n{self.at.isoformat()}"
        return str(uuid.uuid5(uuid.UUID(_NAMESPACE), name))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: the keys of ``__json_keys__``, in that order."""
        result: dict[str, Any] = unstructure(self)
        return result
