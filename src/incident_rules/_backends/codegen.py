"""Conditions compiled once per engine to Python functions: to decide, and to explain.

A ruleset becomes one function that tests its rules in order, like a hand-written if/elif (the
native backend runs it). A rule becomes one function that reports the tests deciding its
condition, for explanations (both backends share them). A test reads the fact ``fact_key`` names;
on a missing fact it does not hold (and ``not`` of it does); otherwise it runs the Python of its
operator in the operator table (``_rulesets.operators``). The
property tests hold the compiled functions to an interpreter of the condition tree.

The source holds only names made up here and the operator table's expressions. Every rule,
path and value a rules file wrote is handed to the functions as a constant, never spelled into
the source, so a rules file cannot inject code; ``MAX_NESTING`` bounds how deep it nests.
"""

from __future__ import annotations

import functools
import itertools
import linecache
import weakref
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from incident_rules._backends.plan import BoundRule, Stage, fact_key
from incident_rules._diskcache import COMPILED
from incident_rules._rulesets.expr import All, Always, AnyOf, Condition, Not, Test
from incident_rules._rulesets.operators import OPERATORS

__all__ = ["Explain", "Holding", "Source", "Tested", "explaining_functions", "holding_function"]

#: The rules of a ruleset that hold on the facts, in order (the first only, for first-hit).
Holding = Callable[[Mapping[str, Any]], tuple[BoundRule, ...]]
#: A test as explanations report it: ``(test, negated, holds, value read, value missing)``.
Tested = tuple[Test, bool, bool, Any, bool]
#: Whether a condition holds on the facts, and the tests that decide it.
Explain = Callable[[Mapping[str, Any]], tuple[bool, list[Tested]]]

_MISSING = object()
_FILES = itertools.count()


def _note(bound: BoundRule) -> str:
    """Which rule a generated line runs, as a traceback shows it (``repr``: one line, inert)."""
    return f"# {bound.rule.id!r} at {str(bound.source)!r}: {bound.rule.when!r}"


class Source:
    """The source of functions over the facts ``f``, and the constants they read.

    Each line may carry a note naming the rule it runs. The notes are not compiled: they are only
    in the copy of the source registered with :mod:`linecache`, so a traceback through generated
    code shows the Python line and the rule, as written, beside it.
    """

    def __init__(self) -> None:
        self.constants: dict[str, Any] = {"_missing": _MISSING}
        self.lines: list[tuple[str, str | None]] = []
        self.functions = 0
        #: The note of the lines being generated now, when they all run one rule.
        self.note: str | None = None

    def constant(self, value: Any) -> str:
        name = f"_c{len(self.constants)}"
        self.constants[name] = value
        return name

    def function(self, body: list[str], notes: list[str | None] | None = None, parameters: str = "f") -> str:
        """Define ``def <name>(<parameters>):`` with ``body`` (each line with its note); returns its name."""
        name = f"_f{self.functions}"
        self.functions += 1
        self.lines.append((f"def {name}({parameters}):", self.note))
        self.lines += zip((f"    {line}" for line in body), notes or [self.note] * len(body), strict=True)
        self.lines.append(("", None))
        return name

    def compile(self, title: str) -> dict[str, Any]:
        """Every function defined, by name; their source is registered as ``<title #n>``."""
        # The title holds a ruleset's name, which may hold any text: a NUL, a line break or a
        # control character in the file name would garble a traceback.
        printable = "".join(char if char.isprintable() else ascii(char)[1:-1] for char in title)
        filename = f"<{printable} #{next(_FILES)}>"
        code = COMPILED.code("\n".join(line for line, _ in self.lines), filename)
        exec(code, self.constants)  # noqa: S102 -- our own names only, see the module docstring
        shown = [f"{line}  {note}\n" if note else f"{line}\n" for line, note in self.lines]
        linecache.cache[filename] = (sum(map(len, shown)), None, shown, filename)
        # The functions and their namespace hold each other and go together: so does the entry.
        if self.functions:
            weakref.finalize(self.constants["_f0"], linecache.cache.pop, filename, None)
        return self.constants

    def comparison(self, test: Test) -> str:
        """An expression: whether ``test`` holds on a value ``v`` that is present."""
        # The operator table's own code; the operand only ever by the name of its constant.
        return OPERATORS[test.op].python.format(c=self.constant(test.operand.value))

    def holds(self, condition: Condition) -> str:
        """An expression: whether ``condition`` holds on the facts ``f``."""
        if isinstance(condition, Test):
            key = self.constant(fact_key(condition))
            return f"((v := f.get({key}, _missing)) is not _missing and {self.comparison(condition)})"
        if isinstance(condition, Always):
            return "True"
        if isinstance(condition, Not):
            return f"(not {self.holds(condition.item)})"
        joiner = " or " if isinstance(condition, AnyOf) else " and "
        assert isinstance(condition, All | AnyOf)
        return "(" + joiner.join(self.holds(item) for item in condition.items) + ")"


#: Compiled functions are kept for this many rulesets: engines built again for the same rules
#: and params (``Engine.default()`` in a loop, or per request) compile nothing new.
_CACHED_STAGES = 256


@functools.lru_cache(maxsize=_CACHED_STAGES)
def holding_function(stage: Stage) -> Holding:
    """The function giving the rules of ``stage`` that hold."""
    source = Source()
    first = stage.ruleset.hit == "first"
    body = [] if first else ["holding = []"]
    for bound in stage.rules:
        then = f"return {source.constant((bound,))}" if first else f"holding.append({source.constant(bound)})"
        body.append(f"if {source.holds(bound.condition)}: {then}")
    body.append("return ()" if first else "return tuple(holding)")
    notes = [None] * (not first) + [_note(bound) for bound in stage.rules] + [None]
    name = source.function(body, notes)
    holding: Holding = source.compile(f"ruleset {stage.ruleset.name}")[name]
    return holding


def _tested(source: Source, test: Test, negated: bool) -> list[str]:
    """Statements setting ``h`` (holds) and ``t`` (the tests deciding it) for one test."""
    key, test_name = source.constant(fact_key(test)), source.constant(test)
    holds = f"not ({source.comparison(test)})" if negated else source.comparison(test)
    return [
        f"v = f.get({key}, _missing)",
        "if v is _missing:",
        f"    h = {negated}; t = [({test_name}, {negated}, h, None, True)]",
        "else:",
        f"    h = {holds}; t = [({test_name}, {negated}, h, v, False)]",
    ]


def _inline(condition: Condition) -> bool:
    """Whether a part is a test (or ``not`` of one, or ``true``): explained without a call."""
    if isinstance(condition, Not):
        return isinstance(condition.item, Test)
    return isinstance(condition, Test | Always)


def _explaining(source: Source, condition: Condition) -> list[str]:
    """Statements setting ``h`` and ``t`` for ``condition``, as ``explaining_functions`` documents."""
    if isinstance(condition, Test):
        return _tested(source, condition, negated=False)
    if isinstance(condition, Not) and isinstance(condition.item, Test):  # "not x" is one test
        return _tested(source, condition.item, negated=True)
    if isinstance(condition, Always):
        return ["h = True; t = []"]
    if isinstance(condition, Not):
        return [f"h, t = {_explaining_part(source, condition.item)}(f)", "h = not h"]
    # and/or return early, so each is the whole body of a function of its own.
    settles = isinstance(condition, AnyOf)  # the part value that decides the whole early
    assert isinstance(condition, All | AnyOf)
    body = ["gathered = []"]
    for item in condition.items:
        if _inline(item):
            body += _explaining(source, item)
        else:
            body.append(f"h, t = {_explaining_part(source, item)}(f)")
        body += [f"if h == {settles}: return h, t", "gathered += t"]
    return [*body, f"h = {not settles}; t = gathered"]


def _explaining_part(source: Source, condition: Condition) -> str:
    return source.function([*_explaining(source, condition), "return h, t"])


@functools.lru_cache(maxsize=_CACHED_STAGES)
def explaining_functions(stage: Stage) -> Mapping[int, Explain]:
    """For each rule of ``stage``, by index: whether it holds and the tests that decide it.

    For ``and`` that held: all its tests; that failed: the first failing part. For ``or`` that
    held: the first part that held; that failed: all its parts. ``not`` keeps its part's tests.
    """
    source = Source()
    names = {}
    for bound in stage.rules:
        source.note = _note(bound)
        names[bound.index] = _explaining_part(source, bound.condition)
    functions = source.compile(f"explanations of ruleset {stage.ruleset.name}")
    return MappingProxyType({index: functions[name] for index, name in names.items()})
