"""The bound rule model as durable_rules definitions, with every limit of its C engine checked.

What reaches durable_rules is built here, and nothing is built that its C engine (2.0.28) cannot
run; each limit below was measured, and a rule that would cross one is refused when the engine is
built, with its ``file:line``, the limit, and the native backend as the way out:

* at most 64 rule tests may hold at once for one fact (error 303 on assertion; heap corruption
  when the session is deleted afterwards), and 512 tests under one node corrupt the heap or never
  finish compiling. durable_rules expands every ``$or`` into one branch per alternative (an
  ``in`` list is one ``$or`` per value; a negated ``and``, or a negated test, an ``$or`` too):
  rules are cut into buckets of at most :data:`MAX_BUCKET_WEIGHT` alternatives, counted on the
  expression durable_rules is given;
* at most 15 ``$and``/``$or`` operators in one rule (error 113 when the ruleset is created);
* at most 251 properties on one fact (error 302 on every assertion): a bucket reads at most
  :data:`MAX_FACT_KEYS` facts;
* properties are found by a 32-bit FNV-1a hash of their name, so two names that collide read
  each other's values: the facts are renamed ``k0, k1, ...``, each name checked against every
  other (and ``sid``/``step``/``id``); rules are named ``r<index>`` and closers ``c<step>``, so
  no rule id (``$close:3``, a 5,000-digit number, a NUL) ever reaches durable_rules;
* numbers are compared as C doubles: a literal of magnitude 2**53 or more is refused, and a fact
  of that magnitude is given as +-2**53, which orders the same against every literal allowed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from incident_rules._backends.plan import BoundRule, Plan, Stage, fact_key
from incident_rules._rulesets.expr import All, Always, Condition, Not, Test, leaves
from incident_rules._rulesets.operators import OPERATORS, Operator
from incident_rules.errors import RulesetError

__all__ = [
    "MAX_BUCKET_WEIGHT",
    "MAX_FACT_KEYS",
    "MAX_OPERATORS",
    "MAX_RULES_PER_RULESET",
    "Step",
    "alternatives",
    "compile_condition",
    "definitions",
    "fnv1a",
    "operators",
    "steps",
]

#: Alternatives per bucket: durable_rules breaks when 65 or more rule tests hold for a fact.
MAX_BUCKET_WEIGHT = 48
#: Rules per durable_rules ruleset: a ruleset of 512 or more rules never finishes compiling.
MAX_RULES_PER_RULESET = 400
#: ``$and``/``$or`` operators per rule: durable_rules refuses 16 (error 113).
MAX_OPERATORS = 15
#: Facts one bucket reads: a fact of 252 properties is refused (error 302); sid and step are two.
MAX_FACT_KEYS = 240
#: Numbers durable_rules compares exactly: it compares through a C double.
EXACT_LIMIT = 2**53

_NEVER = {"$nex": {"sid": 1}}  # every fact has a sid: this test never holds
_RESERVED = ("sid", "step", "id")  # properties durable_rules or our facts use


def fnv1a(name: str) -> int:
    """The 32-bit FNV-1a hash durable_rules finds a property by."""
    value = 2166136261
    for byte in name.encode("utf-8", "surrogatepass"):
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


def _test(test: Test, key: str, negate: bool) -> dict[str, Any]:
    operator, value = OPERATORS[test.op], test.operand.value
    if operator.operand == "member":  # the fact of the choice is true
        operator, value = OPERATORS["=="], True
    if negate:
        assert operator.opposite is not None  # only "has" has none, and it was replaced above
        operator = OPERATORS[operator.opposite]
    if operator.operand == "list":  # one comparison per item, joined by the table's $or / $and
        assert operator.durable is not None
        assert operator.each is not None
        each = OPERATORS[operator.each]
        expression = _join(operator.durable, [_compare(key, each, item) for item in value])
    else:
        expression = _compare(key, operator, value)
    # A test on a missing value never holds, so its negation holds when the value is missing.
    return {"$or": [{"$nex": {key: 1}}, expression]} if negate else expression


def _compare(key: str, operator: Operator, value: Any) -> dict[str, Any]:
    return {key: value} if operator.durable is None else {operator.durable: {key: value}}


def _join(op: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
    if not parts:
        return _NEVER if op == "$or" else {"$ex": {"sid": 1}}
    return parts[0] if len(parts) == 1 else {op: parts}


def compile_condition(
    condition: Condition, names: Mapping[str, str], negate: bool = False
) -> dict[str, Any] | None:
    """The durable_rules expression for a condition; None means "always holds".

    ``names`` gives the property each fact key is renamed to. durable_rules has no ``not``:
    negation is pushed down to the tests (De Morgan), and a negated test also holds when its
    value is missing, as in the native backend.
    """
    if isinstance(condition, Always):
        return _NEVER if negate else None
    if isinstance(condition, Test):
        return _test(condition, names[fact_key(condition)], negate)
    if isinstance(condition, Not):
        return compile_condition(condition.item, names, not negate)
    is_all = isinstance(condition, All) != negate
    parts = [compile_condition(item, names, negate) for item in condition.items]
    if None in parts:  # an always-true part
        if not is_all:
            return None
        parts = [part for part in parts if part is not None]
    return _join("$and" if is_all else "$or", parts)  # type: ignore[arg-type]


def alternatives(expression: dict[str, Any]) -> int:
    """How many branches durable_rules expands an expression into (one per ``$or`` item).

    Counted up to one past :data:`MAX_BUCKET_WEIGHT`: a negated ``or`` of 4,000 tests would
    otherwise be a number of 1,200 digits.
    """
    if "$or" in expression:
        total = sum(alternatives(item) for item in expression["$or"])
    elif "$and" in expression:
        total = 1
        for item in expression["$and"]:
            total = min(total * alternatives(item), MAX_BUCKET_WEIGHT + 1)
    else:
        total = 1
    return min(total, MAX_BUCKET_WEIGHT + 1)


def operators(expression: dict[str, Any]) -> int:
    """How many ``$and``/``$or`` operators an expression holds."""
    items = expression.get("$or", expression.get("$and"))
    return 0 if items is None else 1 + sum(operators(item) for item in items)


def match(step: int, expression: dict[str, Any] | None) -> dict[str, Any]:
    """What a rule of ``step`` matches: its step's fact, and its condition."""
    if expression is None:
        return {"step": step}
    if "$and" in expression:  # one operator fewer than nesting it
        return {"$and": [{"step": step}, *expression["$and"]]}
    return {"$and": [{"step": step}, expression]}


@attrs.frozen
class Step:
    """One bucket of one ruleset: asserted as one fact, closed by a lowest-salience rule."""

    number: int
    stage: Stage
    rules: tuple[BoundRule, ...]
    closes_stage: bool
    part: int
    #: (fact key, the property durable_rules reads it as), for every fact the bucket reads.
    keys: tuple[tuple[str, str], ...]
    #: Each rule's match, as given to durable_rules.
    matches: tuple[dict[str, Any], ...] = attrs.field(eq=False, repr=False)

    def fact(self, facts: dict[str, Any], sid: str) -> dict[str, Any]:
        """The fact this step asserts: only what its rules read, to keep JSON rounds small."""
        fact: dict[str, Any] = {name: _exact(facts[key]) for key, name in self.keys if key in facts}
        fact.update(sid=sid, step=self.number)
        return fact


def _exact(value: Any) -> Any:
    """A value durable_rules orders as Python does against every literal it is given."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= EXACT_LIMIT:
        return math.copysign(float(EXACT_LIMIT), value)
    return value


def _refuse(bound: BoundRule, what: str, limit: str) -> RulesetError:
    return RulesetError(
        f"{bound.rule.source}: rule {bound.rule.id!r} {what}; the durable_rules backend supports "
        f"{limit}: simplify the rule, or use backend='native'"
    )


def _check_literals(bound: BoundRule) -> None:
    for test in leaves(bound.condition):
        value = test.operand.value
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, (int, float)) and not isinstance(item, bool) and abs(item) >= EXACT_LIMIT:
                raise _refuse(bound, f"compares with {item!r}", "numbers below 2**53 only")


def _compiled(bound: BoundRule, names: Mapping[str, str]) -> tuple[dict[str, Any] | None, int]:
    """A rule's durable expression and its weight, or our error for a limit it crosses."""
    _check_literals(bound)
    expression = compile_condition(bound.condition, names)
    if expression is None:
        return None, 1
    size = alternatives(expression)
    if size > MAX_BUCKET_WEIGHT:
        raise _refuse(
            bound,
            f"expands into more than {MAX_BUCKET_WEIGHT} alternatives (each 'or' branch, 'in' item "
            "and negated test is one)",
            f"at most {MAX_BUCKET_WEIGHT} per rule",
        )
    count = operators(match(0, expression))
    if count > MAX_OPERATORS:
        raise _refuse(bound, f"needs {count} and/or operators", f"at most {MAX_OPERATORS} per rule")
    return expression, size


def _property_names(plan: Plan) -> dict[str, str]:
    """A short property name for every fact key, no two (nor a reserved one) hashing alike."""
    keys = dict.fromkeys(
        fact_key(test) for stage in plan.stages for bound in stage.rules for test in leaves(bound.condition)
    )
    taken = {fnv1a(name) for name in _RESERVED}
    names: dict[str, str] = {}
    candidates = (f"k{number}" for number in range(2**31))
    for key in keys:
        name = next(candidates)
        while fnv1a(name) in taken:
            name = next(candidates)
        taken.add(fnv1a(name))
        names[key] = name
    return names


def _buckets(stage: Stage, names: Mapping[str, str]) -> Iterator[list[tuple[BoundRule, Any, set[str]]]]:
    bucket: list[tuple[BoundRule, Any, set[str]]] = []
    total, keys = 0, set[str]()
    for bound in stage.rules:
        expression, size = _compiled(bound, names)
        reads = {fact_key(test) for test in leaves(bound.condition)}
        if len(reads) > MAX_FACT_KEYS:
            raise _refuse(bound, f"reads {len(reads)} facts", f"at most {MAX_FACT_KEYS} per rule")
        if bucket and (total + size > MAX_BUCKET_WEIGHT or len(keys | reads) > MAX_FACT_KEYS):
            yield bucket
            bucket, total, keys = [], 0, set[str]()
        bucket.append((bound, expression, reads))
        total += size
        keys |= reads
    yield bucket


def steps(plan: Plan) -> list[Step]:
    """The plan cut into buckets, each checked against every limit of durable_rules.

    Raises:
        RulesetError: A rule crosses a limit of durable_rules (``file:line``, the limit).
    """
    names = _property_names(plan)
    result: list[Step] = []
    part, rules_in_part = 0, 0
    for stage in plan.stages:
        buckets = list(_buckets(stage, names))
        for position, bucket in enumerate(buckets):
            if rules_in_part + len(bucket) + 1 > MAX_RULES_PER_RULESET:
                part, rules_in_part = part + 1, 0
            rules_in_part += len(bucket) + 1
            number = len(result)
            keys = sorted({key for _, _, reads in bucket for key in reads})
            result.append(
                Step(
                    number,
                    stage,
                    tuple(bound for bound, _, _ in bucket),
                    position == len(buckets) - 1,
                    part,
                    tuple((key, names[key]) for key in keys),
                    tuple(match(number, expression) for _, expression, _ in bucket),
                )
            )
    return result


def definitions(
    plan_steps: list[Step],
    part_name: Callable[[int], str],
    fire: Callable[[int], Any],
    close: Callable[[Step], Any],
) -> dict[str, dict[str, Any]]:
    """durable_rules rulesets, as dicts, for ``plan_steps``, with the actions the factories give.

    Each rule matches its step's fact and its condition, at its salience in the bucket; each
    step ends with a rule of the lowest salience that closes it. Rules are named by their index
    in the plan (``r12``) and closers by their step (``c3``): no rule id reaches durable_rules.
    """
    result: dict[str, dict[str, Any]] = {part_name(step.part): {} for step in plan_steps}
    for step in plan_steps:
        rules = result[part_name(step.part)]
        for salience, (bound, matched) in enumerate(zip(step.rules, step.matches, strict=True)):
            rules[f"r{bound.index}"] = {"all": [{"m": matched}], "pri": salience, "run": fire(bound.index)}
        rules[f"c{step.number}"] = {
            "all": [{"m": {"step": step.number}}],
            "pri": len(step.rules) + 1,
            "run": close(step),
        }
    return result
