"""The public engine: rulesets bound to params, run on a backend, decisions explained."""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Protocol

from incident_rules._backends.durable import DurableBackend, durable_available
from incident_rules._backends.native import NativeBackend
from incident_rules._backends.plan import BoundRule, Plan, bind
from incident_rules._backends.view import fact_view
from incident_rules._decisions.data import Assessment
from incident_rules._decisions.deadlines import DEADLINE_PARAMS, WorkHours, check_schedules, deadlines
from incident_rules._decisions.trace import Explainer
from incident_rules._facts.convert import BadValue, parse_time
from incident_rules._facts.model import Incident
from incident_rules._facts.schema import FieldType, incident_paths
from incident_rules._features import FEATURE_PARAMS, compute_features, feature_paths
from incident_rules._rulesets.model import Ruleset
from incident_rules._rulesets.params import ParamSpec, resolve_params
from incident_rules._rulesets.reading import load_files, read_sources
from incident_rules.errors import EngineError, InvalidIncident, Problem, RulesetError

__all__ = ["Engine", "default_rules_dir"]

BackendName = Literal["auto", "durable", "native"]
_BACKENDS = ("auto", "durable", "native")
#: Where the decisions of DESIGN.md's output appear; other rulesets follow in plan order.
_DISPLAY_ORDER = {
    name: position
    for position, name in enumerate(("severity", "mitigation", "escalations", "remediation", "communication"))
}


class _Backend(Protocol):
    name: str

    def run(self, facts: dict[str, Any]) -> dict[str, tuple[BoundRule, ...]]: ...


def default_rules_dir() -> Path:
    """The directory of the shipped rulesets, ``rules/`` beside the package or in the checkout.

    A wheel ships them inside the package (``incident_rules/rules``); an editable install from
    the checkout runs the package from ``src/``, so they are the checkout's own ``rules/``.
    Either way the directory is named ``rules``, so decision sources read ``rules/<file>:<line>``.
    """
    packaged = Path(str(resources.files("incident_rules") / "rules"))
    checkout = Path(__file__).resolve().parent.parent.parent / "rules"
    if not packaged.is_dir() and checkout.is_dir():
        return checkout
    return packaged  # when neither exists, reading it names the place the rules belong


@functools.cache
def _schema() -> dict[str, FieldType]:
    return incident_paths() | feature_paths()


@functools.cache
def _shipped_rules() -> tuple[tuple[Ruleset, ...], dict[str, ParamSpec]]:
    """The shipped rulesets, read and checked once per process; sources read ``rules/...``."""
    directory = default_rules_dir()
    return load_files(read_sources([directory], root=directory.parent), _schema())


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


def _instant(at: object) -> datetime:
    if isinstance(at, datetime):
        if at.utcoffset() is None:
            expected = "a timezone-aware datetime"
            message = f"expected {expected} (got naive {at.isoformat()!r})"
            raise InvalidIncident(Problem(message, path="at", value=at.isoformat(), expected=expected))
        return at
    try:
        return parse_time(at)
    except BadValue as error:
        raise InvalidIncident(
            Problem(str(error), path="at", value=error.value, expected=error.valid)
        ) from None


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
        self._plan = bind(rulesets, self._params)
        check_schedules(self._plan)
        self._backend = _choose_backend(backend, self._plan)
        self._explainer = Explainer(self._plan)
        self._display = sorted(
            (ruleset.name for ruleset in rulesets if ruleset.revises is None),
            key=lambda name: _DISPLAY_ORDER.get(name, len(_DISPLAY_ORDER)),
        )

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
        rulesets, specs = _shipped_rules()
        return cls(rulesets, specs, params=params, backend=backend)

    @classmethod
    def from_path(
        cls,
        *paths: Path | str,
        params: Mapping[str, object] | None = None,
        backend: BackendName = "auto",
    ) -> Engine:
        """The engine for the rules files at ``paths`` (files, or directories of ``.yaml``).

        Raises:
            RulesetError: With every problem of every file, each as ``file:line:col: message``.
            EngineError: The backend is unknown, or ``"durable"`` cannot be imported here.
        """
        if not paths:
            raise RulesetError("from_path: give at least one rules file or directory")
        rulesets, specs = load_files(read_sources(paths), _schema())
        return cls(rulesets, specs, params=params, backend=backend)

    @property
    def backend(self) -> str:
        """The backend in use: ``"durable"`` or ``"native"``."""
        return self._backend.name

    @property
    def params(self) -> Mapping[str, Any]:
        """Every param with the value this engine uses."""
        return dict(self._params)

    @property
    def rulesets(self) -> tuple[Ruleset, ...]:
        """The rulesets, in the order forward chaining settles them."""
        return self._rulesets

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
        instant = _instant(at)
        if not isinstance(incident, Incident):
            incident = Incident.from_dict(incident)
        if instant < incident.detected_at:  # practice.md 15: it did not exist for its responders yet
            detected = incident.detected_at.isoformat()
            message = (
                f"{instant.isoformat()} is before the incident was detected "
                f"(detected_at {detected}); assess at or after detection"
            )
            expected = f"a time at or after detected_at ({detected})"
            raise InvalidIncident(Problem(message, path="at", value=instant.isoformat(), expected=expected))
        features = compute_features(incident, instant, self._params)
        facts = fact_view(incident, features)
        chosen = self._backend.run(dict(facts))
        decisions = self._explainer.outcomes(chosen, facts)
        due = deadlines(incident, instant, decisions, self._hours)
        return Assessment(
            incident.id, instant, {name: decisions[name] for name in self._display}, features, due
        )

    def __repr__(self) -> str:
        names = ", ".join(ruleset.name for ruleset in self._rulesets)
        return f"<Engine rulesets=[{names}] backend={self.backend!r}>"
