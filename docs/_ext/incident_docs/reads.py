"""Who reads what: the document paths each feature reads, and the paths each shipped rule reads.

Rules are read from their parsed conditions. Features are plain Python, so what they read is
observed: each feature function of the two registries (``features.*`` and ``gate.*``) runs over
every shipped example record at several instants while the document classes record every field
read, attributed to the feature being computed. A feature that starts reading a new field shows
up on the next build.
"""

from __future__ import annotations

import contextlib
import functools
import json
import types
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import attrs

from incident_docs.markdown import Undocumented
from incident_rules import Engine, Incident, Rule, Ruleset
from incident_rules._features import _FEATURES, Registry
from incident_rules._gate.features import _GATE
from incident_rules._rulesets.expr import leaves

__all__ = ["document_classes", "feature_reads", "rule_reads", "shipped_engine"]

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@functools.cache
def shipped_engine() -> Engine:
    """The engine of the shipped rulesets, on the backend every Python has."""
    return Engine.default(backend="native")


def all_rulesets() -> tuple[Ruleset, ...]:
    """The shipped rulesets in the order the engine settles them, the quality gate last."""
    engine = shipped_engine()
    return engine.rulesets + engine.gates


def _attrs_class(annotation: Any) -> tuple[type | None, bool]:
    """The attrs class a field holds (alone, optionally, or as the items of a tuple) and
    whether it is a list of them."""
    if attrs.has(annotation):
        return annotation, False
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is tuple and args and attrs.has(args[0]):
        return args[0], True
    if origin in (Union, types.UnionType):
        for arg in args:
            if attrs.has(arg):
                return arg, False
    return None, False


@functools.cache
def document_classes() -> dict[type, str]:
    """Each class of the incident document with the path prefix it sits at (``signals.changes[].``)."""
    found: dict[type, str] = {Incident: ""}
    pending: list[type] = [Incident]
    while pending:
        cls = pending.pop(0)
        for field in attrs.fields(attrs.resolve_types(cls)):
            nested, is_list = _attrs_class(field.type)
            if nested is not None and nested not in found:
                found[nested] = f"{found[cls]}{field.name}{'[].' if is_list else '.'}"
                pending.append(nested)
    return found


def rule_reads(rulesets: tuple[Ruleset, ...]) -> dict[str, list[tuple[Ruleset, Rule]]]:
    """Every path the rules' conditions (``when`` and ``applies``) read, with the rules reading it."""
    reads: dict[str, list[tuple[Ruleset, Rule]]] = defaultdict(list)
    for ruleset in rulesets:
        for rule in ruleset.rules:
            conditions = [rule.condition] + ([rule.applies] if rule.applies is not None else [])
            for path in dict.fromkeys(test.path for c in conditions for test in leaves(c)):
                reads[path].append((ruleset, rule))
    return dict(reads)


@contextlib.contextmanager
def _recording(log: dict[str, set[str]]) -> Iterator[Callable[[str | None], None]]:
    """Record the document fields read while a feature is current, by that feature's path."""
    current: list[str | None] = [None]
    fields = {cls: {f.name for f in attrs.fields(cls)} for cls in document_classes()}

    def hook_for(cls: type, prefix: str) -> Callable[[Any, str], Any]:
        def read(self: Any, name: str) -> Any:
            if current[0] is not None and name in fields[cls]:
                log[current[0]].add(prefix + name)
            return object.__getattribute__(self, name)

        return read

    for cls, prefix in document_classes().items():
        cls.__getattribute__ = hook_for(cls, prefix)  # type: ignore[method-assign]
    try:
        yield lambda feature: current.__setitem__(0, feature)
    finally:
        for cls in document_classes():
            del cls.__getattribute__  # type: ignore[misc]


@contextlib.contextmanager
def _attributed(registry: Registry, current: Callable[[str | None], None]) -> Iterator[None]:
    """Each feature function of ``registry`` marks its features current while it runs."""
    saved = list(registry._derivers)

    def attributed(names: tuple[str, ...], compute: Callable[..., Any]) -> Callable[..., Any]:
        def run(*inputs: Any) -> Any:
            current(_key(registry, names))
            try:
                return compute(*inputs)
            finally:
                current(None)

        return run

    registry._derivers[:] = [(names, attributed(names, compute)) for names, compute in saved]
    try:
        yield
    finally:
        registry._derivers[:] = saved


def _instants(incident: Incident) -> list[datetime]:
    """Detection, every entry and update of the record, and a week after the last of them."""
    times = {incident.detected_at} | {e.at for e in incident.timeline} | {u.at for u in incident.updates}
    return [*sorted(times), max(times) + timedelta(days=7)]


def _leaves(paths: set[str]) -> frozenset[str]:
    """The paths less those only walked through (``signals`` on the way to ``signals.changes``)."""
    return frozenset(p for p in paths if not any(o.startswith((p + ".", p + "[]")) for o in paths))


@functools.cache
def feature_reads() -> tuple[tuple[tuple[str, ...], frozenset[str]], ...]:
    """Each feature function's features (``features.*``, ``gate.*``), with the document paths it
    reads on the shipped examples, in registry order."""
    engine = shipped_engine()
    log: dict[str, set[str]] = defaultdict(set)
    incidents = [
        Incident.from_dict(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(EXAMPLES.glob("*.json"))
    ]
    with _recording(log) as current, _attributed(_FEATURES, current), _attributed(_GATE, current):
        for incident in incidents:
            for at in _instants(incident):
                # The registry's own functions, called as the engine's compiled features call
                # them (that code binds them when it is generated, before they are wrapped here).
                _FEATURES.compute(incident, at, engine.params)
            engine.check(incident)
    found = tuple(
        (tuple(registry.prefix + name for name in names), _leaves(log.get(_key(registry, names), set())))
        for registry in (_FEATURES, _GATE)
        for names, _ in registry._derivers
    )
    unseen = [names for names, paths in found if not paths]
    if unseen:  # the engine no longer computes features through the registries: say so
        raise Undocumented(f"features seen reading no field of the shipped examples: {unseen}")
    return found


def _key(registry: Registry, names: tuple[str, ...]) -> str:
    return " ".join(registry.prefix + name for name in names)
