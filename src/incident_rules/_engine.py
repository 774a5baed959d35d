"""The public engine: rulesets bound to params, run on a backend, decisions explained."""

from __future__ import annotations

import os
import sys
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from incident_rules._authoring.layers import default_rules_dir, load_rules, load_sources, read_params_file
from incident_rules._authoring.whynot import WhyNotFinder
from incident_rules._backends.durable import DurableBackend, durable_available
from incident_rules._backends.native import NativeBackend
from incident_rules._backends.plan import BoundRule, Plan, bind
from incident_rules._backends.view import features_and_facts
from incident_rules._decisions.data import Assessment, DueAction, Outcome
from incident_rules._decisions.deadlines import DEADLINE_PARAMS, WorkHours, check_schedules, deadlines
from incident_rules._decisions.log import DecisionLog, PolicyDigest, library_version
from incident_rules._decisions.trace import Explainer
from incident_rules._facts.convert import parse_instant
from incident_rules._facts.fast import incident_from_document
from incident_rules._facts.model import Incident
from incident_rules._features import FEATURE_PARAMS, Feature
from incident_rules._rulesets.files import read_sources
from incident_rules._rulesets.model import Ruleset
from incident_rules._rulesets.params import ParamSpec, resolve_params
from incident_rules.errors import EngineError, InvalidIncident, Problem, RulesetError

if TYPE_CHECKING:
    from incident_rules._decisions.gate import GateResult
    from incident_rules._replay.diff import PolicyDiff

__all__ = ["Engine", "default_rules_dir"]

BackendName = Literal["auto", "durable", "native"]
_BACKENDS = ("auto", "durable", "native")
#: The order of an assessment's decisions (docs/guide/concepts.md#decisions); others follow in plan order.
_DISPLAY_ORDER = {
    name: position
    for position, name in enumerate(("severity", "mitigation", "escalations", "remediation", "communication"))
}


class _Backend(Protocol):
    name: str

    def run(self, facts: dict[str, Any]) -> dict[str, tuple[BoundRule, ...]]: ...


def _check_required_params(specs: Mapping[str, ParamSpec]) -> None:
    problems = []
    for name, kind in (FEATURE_PARAMS | DEADLINE_PARAMS).items():
        spec = specs.get(name)
        if spec is None or spec.kind != kind:
            got = "not declared" if spec is None else f"declared as {spec.kind} in {spec.source}"
            message = f"the engine needs this {kind} param ({got})"
            problems.append(
                Problem(
                    message, path=f"params.{name}", value=None if spec is None else spec.kind, expected=kind
                )
            )
    if problems:
        raise RulesetError(problems)


def _mapping(params: object) -> Mapping[str, object]:
    if not isinstance(params, Mapping):
        raise RulesetError(f"params: expected a mapping of param names to values (got {params!r})")
    return params


#: Every engine alive, so that a forked child gets fresh gate locks: a lock another thread of
#: the parent held (compiling the gate backend) at the fork would stay held in the child forever.
_LIVE_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def _fresh_gate_locks() -> None:
    for engine in list(_LIVE_ENGINES):
        engine._gate_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_gate_locks)


def _choose_backend(name: object, plan: Plan) -> _Backend:
    if not isinstance(name, str) or name not in _BACKENDS:
        expected = f"one of {', '.join(_BACKENDS)}"
        raise EngineError(
            Problem(f"must be {expected} (got {name!r})", path="backend", value=name, expected=expected)
        )
    if name == "native":
        return NativeBackend(plan)
    why_not = durable_available()
    if why_not is None:
        return DurableBackend.for_plan(plan)
    if name == "durable":
        message = (
            f"backend 'durable': durable_rules cannot be imported on Python "
            f"{sys.version_info.major}.{sys.version_info.minor} ({why_not}); use backend='native'"
        )
        raise EngineError(Problem(message, value=name, expected="a backend that imports here"))
    return NativeBackend(plan)


class Engine:
    """Rulesets bound to params and compiled for a backend; call :meth:`assess`.

    Build one with :meth:`default` (the shipped rulesets) or :meth:`from_path`. An engine is
    immutable and safe to share between threads.
    """

    def __init__(
        self,
        rulesets: tuple[Ruleset, ...],
        param_specs: Mapping[str, ParamSpec],
        *,
        params: Mapping[str, object] | None = None,
        backend: BackendName = "auto",
    ) -> None:
        _check_required_params(param_specs)
        self._rulesets = rulesets
        self._params = resolve_params(param_specs, params or {})
        self._hours = WorkHours.from_params(self._params)
        self._features_and_facts = features_and_facts(self._params)
        deciding = tuple(ruleset for ruleset in rulesets if not ruleset.is_gate)
        self._plan = bind(deciding, self._params)
        check_schedules(self._plan)
        self._backend = _choose_backend(backend, self._plan)
        self._digest = PolicyDigest(deciding, self._params)
        self._version = library_version()
        self._explainer = Explainer(self._plan, WhyNotFinder(self._plan))
        # The gate runs every ruleset, so its checks read the decisions as assess() makes them.
        # Its plan is bound (and checked) now; its backend is compiled at the first check(), as
        # most engines only assess and that backend costs more to build than the others.
        self._gate: tuple[Plan, Explainer] | None = None
        self._gate_backend: _Backend | None = None
        self._gate_lock = threading.Lock()
        _LIVE_ENGINES.add(self)
        if len(deciding) < len(rulesets):
            gate_plan = bind(rulesets, self._params)
            self._gate = (gate_plan, Explainer(gate_plan))
        self._display = sorted(
            (ruleset.name for ruleset in deciding if ruleset.revises is None),
            key=lambda name: _DISPLAY_ORDER.get(name, len(_DISPLAY_ORDER)),
        )
        # How to build this engine again in another process (see __reduce__).
        self._origin: _Origin = ("rulesets", rulesets, dict(param_specs))
        self._overrides = dict(params or {})
        self._backend_asked = backend

    @classmethod
    def default(cls, *, params: Mapping[str, object] | None = None, backend: BackendName = "auto") -> Engine:
        """The engine for the shipped rulesets.

        Args:
            params: Overrides of the shipped params, by name (``{"change_window": "30m"}``).
            backend: ``"auto"`` (durable_rules where it imports, else native), ``"durable"``
                or ``"native"``.

        Raises:
            RulesetError: An override names an unknown param or has the wrong type.
            EngineError: The backend is unknown, or ``"durable"`` cannot be imported here.
        """
        loaded = load_rules()
        engine = cls(loaded.rulesets, loaded.params, params=params, backend=backend)
        engine._origin = ("default",)
        return engine

    @classmethod
    def from_path(
        cls,
        *paths: Path | str,
        extend: bool = False,
        params: Mapping[str, object] | None = None,
        params_file: Path | str | None = None,
        backend: BackendName = "auto",
    ) -> Engine:
        """The engine for the rules files at ``paths`` (files, or directories of ``.yaml``).

        The shipped params are always the base: the files may declare params of their own and
        redeclare shipped ones. With ``extend``, the shipped rulesets are the base too: a
        ruleset of the same name replaces a shipped one, an ``overrides: <ruleset>`` file
        changes, disables or adds single rules by id, and other rulesets are added.

        Args:
            paths: Rules files, or directories of ``.yaml`` files.
            extend: Add to and override the shipped rulesets instead of replacing them.
            params: Overrides of the params, by name; applied after ``params_file``.
            params_file: A YAML file mapping param names to values.
            backend: As for :meth:`default`.

        Raises:
            RulesetError: With every problem of every file, each as ``file:line:col: message``;
                or an override names an unknown param, ruleset or rule, or has the wrong type.
            EngineError: The backend is unknown, or ``"durable"`` cannot be imported here.
        """
        if not paths:
            raise RulesetError("from_path: give at least one rules file or directory")
        if params_file is not None:
            params = {**read_params_file(params_file), **_mapping(params or {})}
        return cls._from_sources(read_sources(paths), extend=extend, params=params, backend=backend)

    @classmethod
    def _from_sources(
        cls,
        sources: list[tuple[str, str]],
        *,
        extend: bool = False,
        params: Mapping[str, object] | None = None,
        backend: BackendName = "auto",
    ) -> Engine:
        """The engine for rules files given as ``(display name, text)``; it pickles as them."""
        loaded = load_sources(sources, extend=extend)
        engine = cls(loaded.rulesets, loaded.params, params=params, backend=backend)
        engine._origin = ("sources", tuple(sources), extend)
        return engine

    @property
    def backend(self) -> str:
        """The backend in use: ``"durable"`` or ``"native"``."""
        return self._backend.name

    @property
    def params(self) -> Mapping[str, Any]:
        """Every param with the value this engine uses."""
        return dict(self._params)

    @property
    def decision_names(self) -> tuple[str, ...]:
        """The names of the decisions an assessment holds, in the order it holds them."""
        return tuple(self._display)

    @property
    def rulesets(self) -> tuple[Ruleset, ...]:
        """The rulesets :meth:`assess` runs, in the order forward chaining settles them."""
        return tuple(ruleset for ruleset in self._rulesets if not ruleset.is_gate)

    @property
    def gates(self) -> tuple[Ruleset, ...]:
        """The quality gates (``hit: check`` rulesets) :meth:`check` runs after them."""
        return tuple(ruleset for ruleset in self._rulesets if ruleset.is_gate)

    def assess(self, incident: Incident | Mapping[str, Any], *, at: datetime | str) -> Assessment:
        """Every decision about ``incident`` at instant ``at``.

        Args:
            incident: An :class:`Incident`, or an incident document (it is not modified).
            at: The instant to decide at: an aware datetime or ISO 8601 text with an offset.

        Raises:
            InvalidIncident: The document or ``at`` is not valid, or ``at`` is before detection.
            RulesetError: A ``unique`` ruleset has two rules holding.
            EngineError: The backend failed.
        """
        instant = parse_instant(at)
        incident = incident_from_document(incident)
        features, facts, chosen = self._run(incident, instant)
        decisions = self._explainer.outcomes(chosen, facts)
        due = deadlines(incident, instant, decisions, self._hours)
        log = DecisionLog(self._version, self._digest, self._backend.name, instant, incident)
        return Assessment(
            incident.id, instant, {name: decisions[name] for name in self._display}, features, due, log
        )

    def _run(
        self, incident: Incident, instant: datetime
    ) -> tuple[dict[str, Feature], dict[str, Any], dict[str, tuple[BoundRule, ...]]]:
        """The features, the facts before any decision, and the rules that stood in each ruleset."""
        if instant < incident.detected_at:  # docs/practice/readings.md#reading-15: not an incident yet
            detected = incident.detected_at.isoformat()
            message = (
                f"{instant.isoformat()} is before the incident was detected "
                f"(detected_at {detected}); assess at or after detection"
            )
            expected = f"a time at or after detected_at ({detected})"
            raise InvalidIncident(Problem(message, path="at", value=instant.isoformat(), expected=expected))
        features, facts = self._features_and_facts(incident, instant)
        return features, facts, self._backend.run(dict(facts))

    def _conclusions(
        self, incident: Incident, instant: datetime
    ) -> tuple[dict[str, Outcome], tuple[DueAction, ...]]:
        """The decisions :meth:`assess` concludes, by ruleset, and the actions due: without the
        explanations (a batch row needs no more)."""
        decisions = self._explainer.conclusions(self._run(incident, instant)[2])
        return decisions, deadlines(incident, instant, decisions, self._hours)

    def assess_many(
        self,
        documents: object,
        *,
        at: datetime | str | Callable[[Any], datetime | str],
        workers: int = 1,
        explain: bool = False,
        errors: Literal["raise", "record"] = "raise",
        progress: Callable[[int, int | None], object] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Assess many documents; one flat record per document, in order, as they are decided.

        Args:
            documents: An iterable of documents (dicts, :class:`Incident` objects or JSON text), a
                path to a JSON file, a JSON lines file (``.jsonl``) or a directory of them, or an
                open text stream of JSON lines. Documents are read as they are assessed.
            at: The instant for every document: an aware datetime, ISO 8601 text with an offset,
                an offset from a time of the record (``"detected+30m"``, ``"onset+1h"``), or a
                function of the document returning one of the first two.
            workers: Processes to decide in; above 1 the engine is pickled once per worker.
            explain: Also give each record the full :class:`Assessment` under ``"assessment"``.
            errors: ``"raise"`` stops at the first bad document with its error (its problems
                prefixed with where it came from, ``incidents.jsonl:12: ...``); ``"record"``
                turns it into a record whose ``error`` holds its problems, and goes on.
            progress: Called as ``progress(done, total)`` after each chunk of documents;
                ``total`` is None where the batch size is not known up front.

        Returns:
            An iterator of records: ``id``, ``source``, ``at``, each decision's value and rule
            (``severity``, ``severity_rule``, ...), ``due``, ``overdue``, ``error``.

        Raises:
            InvalidIncident: An argument is not valid; under ``errors="raise"``, a bad document.
            RulesetError: Under ``errors="raise"``, a ``unique`` ruleset has two rules holding.
            EngineError: Under ``errors="raise"``, the backend failed.
        """
        from incident_rules._replay.runner import (
            assess_many,
        )  # replay is a later stage: imported on first use

        return assess_many(
            self, documents, at=at, workers=workers, explain=explain, errors=errors, progress=progress
        )

    def compare(
        self,
        other: Engine,
        documents: object,
        *,
        at: datetime | str | Callable[[Any], datetime | str],
        progress: Callable[[int, int | None], object] | None = None,
    ) -> PolicyDiff:
        """The decisions that differ between this engine and ``other`` over ``documents``.

        Args:
            other: The candidate engine (other rules or other params).
            documents: As for :meth:`assess_many`.
            at: As for :meth:`assess_many`.
            progress: As for :meth:`assess_many`.

        Returns:
            A :class:`~incident_rules.PolicyDiff`: per decision, how many documents changed and
            from what to what, and every changed document with both deciding rules. Documents
            that fail are counted, not compared.

        Raises:
            InvalidIncident: ``documents`` or ``at`` is not valid.
            EngineError: ``other`` is not an engine.
        """
        from incident_rules._replay.diff import compare  # replay is a later stage: imported on first use

        return compare(self, other, documents, at=at, progress=progress)

    def check(
        self, incident: Incident | Mapping[str, Any], *, at: datetime | str | None = None
    ) -> GateResult:
        """Judge the whole record of ``incident`` with the quality gate (``hit: check`` rulesets).

        Args:
            incident: An :class:`Incident`, or an incident document (it is not modified).
            at: The instant of the review. Timeline entries and updates after it are not
                written yet, the postmortem is judged as it stands, and the decisions the
                checks read (the severity) are assessed then. By default, the latest instant
                the record tells of (detection, timeline, updates, observations).

        Returns:
            One finding per check, in file order; ``passed`` when none failed.

        Raises:
            InvalidIncident: The document or ``at`` is not valid.
            RulesetError: The engine's rulesets hold no quality gate.
            EngineError: The backend failed.
        """
        # The gate's features are imported by the first check: an assessment never needs them.
        from incident_rules._decisions.gate import GateResult
        from incident_rules._gate.features import Record, compute_gate_features
        from incident_rules._gate.review import plans_over_time, record_end

        if not isinstance(incident, Incident):
            incident = Incident.from_dict(incident)
        instant = record_end(incident) if at is None else parse_instant(at)
        if self._gate is None:
            names = ", ".join(ruleset.name for ruleset in self._rulesets)
            raise RulesetError(f"check: none of the rulesets ({names}) is a quality gate (hit: check)")
        plan, explainer = self._gate
        with self._gate_lock:
            if self._gate_backend is None:
                self._gate_backend = _choose_backend(self._backend_asked, plan)
        backend = self._gate_backend
        plans = plans_over_time(incident, instant, lambda moment: self.assess(incident, at=moment))
        gate = compute_gate_features(Record(incident, instant, plans, self._hours))
        facts = self._features_and_facts(incident, instant)[1]
        facts |= {path: feature.value for path, feature in gate.items() if feature.value is not None}
        chosen = backend.run(dict(facts))
        evidence = {path: feature.evidence for path, feature in gate.items()}
        return GateResult(incident.id, instant, explainer.findings(chosen, facts, evidence))

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from what it was built from: a worker process never reads the rules directory.
        return (_rebuild, (self._origin, self._overrides, self._backend_asked))

    def __repr__(self) -> str:
        names = ", ".join(ruleset.name for ruleset in self._rulesets)
        return f"<Engine rulesets=[{names}] backend={self.backend!r}>"


_Origin = tuple[Any, ...]


def _rebuild(origin: _Origin, params: Mapping[str, object], backend: BackendName) -> Engine:
    """An engine built again from the origin :meth:`Engine.__reduce__` recorded."""
    if origin[0] == "default":
        return Engine.default(params=params, backend=backend)
    if origin[0] == "sources":
        return Engine._from_sources(list(origin[1]), extend=origin[2], params=params, backend=backend)
    return Engine(origin[1], origin[2], params=params, backend=backend)
