"""The durable_rules backend: the bound rule model compiled to durable_rules rulesets.

durable_rules 2.0.28 is wrapped with care; each hazard in docs/practice/engine.md#durable-limits is guarded:

* Its ``Host`` starts background timer threads that crash the process under concurrent calls:
  we use a private ``Host`` subclass whose background loop never starts, and serialize every
  call into it with a lock.
* Sessions are found by a 32-bit hash of the sid and at most 1024 may live per ruleset: each
  evaluation runs in a one-shot session with a sid we count, deleted in ``finally``; with the
  lock held there is only ever one live sid.
* Exceptions inside actions are swallowed into the session state; posting an unused fact,
  asserting a fact twice and the engine's C errors raise its own exception types: all of these
  become :class:`~incident_rules.errors.EngineError` (or our own error an action raised).
* A condition with ``or`` fires once per true branch: firings are recorded as a set.
* Every limit of the C engine (tests holding at once, operators per rule, properties per fact,
  rules per ruleset, property-name hashes, doubles) is respected or refused as the plan is
  compiled (:mod:`~incident_rules._backends.durable_plan`): nothing reaches it that can crash it.
* Rulesets cannot be unregistered and a dropped ``Host`` leaks: one host per distinct plan,
  shared by every engine built with it.

Forward chaining happens inside the engine: each bucket's last action (the lowest salience)
settles the ruleset and asserts the next fact, which carries the decisions later rules match on.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
import re
import threading
import warnings
import weakref
from collections.abc import Iterator
from typing import Any, ClassVar

from incident_rules._backends.durable_plan import Step, definitions, steps
from incident_rules._backends.plan import BoundRule, Plan, assert_decision, settle
from incident_rules.errors import EngineError, IncidentRulesError

__all__ = ["DurableBackend", "definitions", "durable_available"]

#: The plan cut into durable_rules buckets (the raw benchmark builds its baseline from it).
_steps = steps


@contextlib.contextmanager
def _durable_warnings_ignored() -> Iterator[None]:
    """durable_rules' own deprecation warnings ignored, and no other warning.

    On 3.12+ its engine calls ``datetime.utcfromtimestamp()`` on every evaluation: a caller
    running with warnings as errors must still get a decision, and must still see the warnings
    of everything else, our own code inside durable_rules' callbacks included.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"durable(\.|$)")
        yield


def _import_engine() -> Any:
    with _durable_warnings_ignored():
        from durable import engine
    return engine


#: A JSON string (kept as it is) or a number written with an exponent but no fraction.
_EXPONENT = re.compile(r'("(?:[^"\\]|\\.)*")|(?<![\d.])(-?\d+)(e[-+]\d+)')


def _fraction(match: re.Match[str]) -> str:
    string, digits, exponent = match.groups()
    return string or f"{digits}.0{exponent}"


def _json(value: Any) -> str:
    """JSON as the C engine reads it: it rejects an exponent without a fraction (``1e-05``)."""
    text = json.dumps(value)
    if "e-" not in text and "e+" not in text:
        return text  # Python writes every exponent with a sign: none was written
    return _EXPONENT.sub(_fraction, text)


@functools.cache
def _host_class(engine: Any) -> type:
    """A durable_rules ``Host`` with no background loop, whose rulesets speak our JSON.

    Made once: classes are cyclic, so two new ones per backend would wait for a collection.
    """
    import durable_rules_engine as c_engine

    class _Ruleset(engine.Ruleset):  # type: ignore[misc]
        def __init__(self, name: str, host: Any, definition: dict[str, Any]) -> None:
            # As durable_rules' own, but the definition goes to the C engine as our JSON, and
            # without its reference cycles (the host holds its rulesets, which held the host;
            # a Promise is the root of its own chain, which we never extend): a dropped host is
            # freed as soon as the last reference to it goes, not at the next garbage collection.
            self._name, self._host, self._definition = name, weakref.proxy(host), definition
            self._actions = {rule: engine.Promise(spec.pop("run")) for rule, spec in definition.items()}
            for promise in self._actions.values():
                promise.root = None
            self._handle = c_engine.create_ruleset(name, _json(definition))

        def assert_fact(self, fact: dict[str, Any]) -> Any:
            return self._handle_result(c_engine.assert_fact(self._handle, _json(fact)), fact)

    class _QuietHost(engine.Host):  # type: ignore[misc]
        def _run(self) -> None:
            """The background timer loop crashes under threads; we never need timers."""

        def register_rulesets(self, definitions: dict[str, Any]) -> list[str]:
            for name, definition in definitions.items():
                ruleset = _Ruleset(name, self, definition)
                self._ruleset_directory[name] = ruleset
                self._ruleset_list.append(ruleset)
            return list(definitions)

    return _QuietHost


def durable_available() -> str | None:
    """None when durable_rules imports here, else why it does not."""
    try:
        _import_engine()
    except ModuleNotFoundError as error:
        if error.name not in ("durable", "durable_rules_engine"):
            return f"{type(error).__name__}: {error}"
        return "not installed: pip install 'incident-rules[durable]' on Python 3.10 to 3.12"
    except Exception as error:  # noqa: BLE001 -- any import failure means: not available
        return f"{type(error).__name__}: {error}"
    return None


class _Run:
    """What one evaluation has seen so far."""

    def __init__(self, facts: dict[str, Any]) -> None:
        self.facts = facts
        self.fired: set[int] = set()
        self.result: dict[str, tuple[BoundRule, ...]] = {}
        self.error: BaseException | None = None
        self.finished = False


def _handles(host: Any) -> list[int]:
    return [ruleset._handle for ruleset in host._ruleset_list]


def _delete_rulesets(handles: list[int]) -> None:
    import durable_rules_engine as c_engine

    for handle in handles:
        with contextlib.suppress(Exception):  # freeing is best effort: never fail a caller
            c_engine.delete_ruleset(handle)


class _Actions:
    """What the actions given to durable_rules reach: the plan's steps and the current run.

    Never the backend: durable_rules' host holds these actions, the backend holds the host, so
    an action holding the backend would make a cycle, and a dropped engine's rulesets would be
    freed only when the cyclic garbage collector next runs (never, where it is disabled).
    """

    def __init__(self, plan_steps: list[Step], prefix: str) -> None:
        self.steps, self.prefix = plan_steps, prefix
        self.run: _Run | None = None

    def part_name(self, part: int) -> str:
        return f"{self.prefix}_{part}"

    def _guarded(self, action: Any) -> Any:
        def run(closure: Any) -> None:
            current = self.run
            if current is None or current.error is not None:
                return
            try:
                action(current, closure)
            except BaseException as error:  # noqa: BLE001 -- durable_rules would swallow it
                current.error = error

        return run

    def fire(self, index: int) -> Any:
        return self._guarded(lambda run, closure: run.fired.add(index))

    def close(self, step: Step) -> Any:
        def close(run: _Run, closure: Any) -> None:
            if step.closes_stage:
                chosen = settle(step.stage, step.stage.holding(run.fired))
                assert_decision(run.facts, step.stage, chosen)
                run.result[step.stage.ruleset.name] = chosen
            following = step.number + 1
            if following == len(self.steps):
                run.finished = True
                return
            target = self.steps[following].part
            fact = self.steps[following].fact(run.facts, closure.s.sid)
            if target == step.part:
                closure.assert_fact(fact)
            else:
                closure.assert_fact(self.part_name(target), fact)

        return self._guarded(close)


class DurableBackend:
    """Runs a plan on durable_rules; one instance (and host) per distinct plan."""

    name = "durable"
    #: Held weakly: when the last engine using a plan is dropped, its rulesets are freed.
    _registry: ClassVar[weakref.WeakValueDictionary[str, DurableBackend]] = weakref.WeakValueDictionary()
    _registry_lock = threading.Lock()
    _names = itertools.count()

    @classmethod
    def for_plan(cls, plan: Plan) -> DurableBackend:
        """The shared backend for ``plan``, compiled on first use."""
        key = repr(plan)
        with cls._registry_lock:
            backend = cls._registry.get(key)
            if backend is None:
                backend = cls._registry[key] = cls(plan)
            return backend

    def __init__(self, plan: Plan) -> None:
        engine = _import_engine()
        self._steps = _steps(plan)
        self._actions = _Actions(self._steps, f"incident_rules_{next(self._names)}")
        self._part_name = self._actions.part_name
        self._parts = sorted({step.part for step in self._steps})
        self._lock = threading.Lock()
        self._sids = itertools.count()
        self.live_sids: set[str] = set()
        self._errors = (engine.MessageNotHandledException, engine.MessageObservedException)
        with _durable_warnings_ignored():
            self._host = _host_class(engine)()
        actions = self._actions
        rulesets = definitions(self._steps, actions.part_name, actions.fire, actions.close)
        try:
            with _durable_warnings_ignored():
                self._host.set_rulesets(rulesets)
        except Exception as error:  # noqa: BLE001 -- no dependency error reaches callers
            _delete_rulesets(_handles(self._host))
            raise self.translate(error) from None
        # A Host never deletes its rulesets: without this, every plan ever built stays in memory.
        weakref.finalize(self, _delete_rulesets, _handles(self._host))

    def run(self, facts: dict[str, Any]) -> dict[str, tuple[BoundRule, ...]]:
        """The rules that stand in each ruleset; ``facts`` gains the decisions."""
        with self._lock, _durable_warnings_ignored():
            sid = str(next(self._sids))
            self._actions.run = run = _Run(facts)
            self.live_sids.add(sid)
            try:
                first = self._part_name(self._steps[0].part)
                try:
                    state = self._host.assert_fact(first, self._steps[0].fact(facts, sid))
                except Exception as error:  # noqa: BLE001 -- no dependency error reaches callers
                    raise self.translate(error) from None
                self._check(run, state)
                return run.result
            finally:
                self._actions.run = None
                self._forget(sid)

    def _check(self, run: _Run, state: Any) -> None:
        if run.error is not None:
            # Our errors, and an interrupt (Ctrl-C, SystemExit) caught inside an action, go on
            # as they were raised: only a failure of the action itself becomes an EngineError.
            if isinstance(run.error, IncidentRulesError) or not isinstance(run.error, Exception):
                raise run.error
            raise EngineError(f"a rule action failed: {run.error!r}")
        if isinstance(state, dict) and "exception" in state:
            raise EngineError(f"durable_rules reported an action failure: {state['exception']}")
        if not run.finished:
            raise EngineError("durable_rules stopped before every ruleset was settled")

    def _forget(self, sid: str) -> None:
        for part in self._parts:
            # A part the run never reached has no state to delete.
            with contextlib.suppress(Exception):
                self._host.delete_state(self._part_name(part), sid)
        self.live_sids.discard(sid)

    def translate(self, error: BaseException) -> EngineError:
        """Our error for an exception durable_rules raised."""
        if isinstance(error, self._errors):
            return EngineError(f"durable_rules refused the facts: {getattr(error, 'message', error)}")
        return EngineError(f"durable_rules failed: {type(error).__name__}: {error}")


#: The backends whose locks a fork in progress holds.
_held: list[DurableBackend] = []


def _hold_every_lock() -> None:
    """Before a fork: wait until no thread is inside durable_rules, so the child's copy of the
    engine is consistent and no lock is copied held by a thread the child does not have."""
    DurableBackend._registry_lock.acquire()
    _held[:] = DurableBackend._registry.values()
    for backend in _held:
        backend._lock.acquire()


def _release_every_lock() -> None:
    for backend in _held:
        backend._lock.release()
    _held.clear()
    DurableBackend._registry_lock.release()


if hasattr(os, "register_at_fork"):  # POSIX only
    os.register_at_fork(
        before=_hold_every_lock, after_in_parent=_release_every_lock, after_in_child=_release_every_lock
    )
