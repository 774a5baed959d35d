"""Lint: what the loader rejects, and what only the whole fact space shows, before production.

Every ruleset is enumerated over the cells of :mod:`~incident_rules._authoring.space` (exact,
not sampled), in the order the engine settles them, so a ruleset reading ``decisions.<name>``
sees only the values that decision can really take. Findings carry ``file:line:col``, a
severity, and where they are about inputs, an example input that shows them.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

from incident_rules._authoring.examples import example_document
from incident_rules._authoring.layers import Loaded, load_rules
from incident_rules._authoring.space import (
    MISSING,
    Axis,
    Cell,
    TooLarge,
    axes_of,
    every_cell,
    facts_of,
    stage_of,
    stage_schema,
)
from incident_rules._backends.codegen import holding_function
from incident_rules._backends.plan import Plan, Stage, bind
from incident_rules._decisions.deadlines import DEADLINE_PARAMS
from incident_rules._features import FEATURE_PARAMS
from incident_rules._rulesets.expr import Always, leaves
from incident_rules._rulesets.params import resolve_params
from incident_rules.errors import RulesetError

__all__ = ["LintFinding", "LintReport", "lint"]

Severity = Literal["error", "warning"]


@attrs.frozen
class LintFinding:
    """One lint finding.

    Attributes:
        file: The rules file, as the loader names it.
        line: 1-based line of what the finding is about.
        col: 1-based column.
        severity: ``"error"`` (the rules misbehave) or ``"warning"`` (probably unintended).
        code: A stable name of the check: ``load``, ``gap``, ``unreachable``, ``overlap``,
            ``never-true``, ``always-true``, ``unused-param``, ``too-large``.
        message: What is wrong.
        example: For findings about inputs: the facts of one input that shows it
            (``None`` for a fact that is absent).
        document: The same input as an incident document, when every fact it names is a
            field of the document (not a feature or a decision).
    """

    file: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str
    example: Mapping[str, Any] | None = None
    document: Mapping[str, Any] | None = attrs.field(init=False)

    @document.default
    def _document(self) -> Mapping[str, Any] | None:
        return example_document(self.example) if self.example is not None else None

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message} [{self.code}]"
        if self.example is not None:
            text += "\n    e.g. " + ", ".join(f"{key}={_shown(value)}" for key, value in self.example.items())
        return text


def _shown(value: Any) -> str:
    if value is None:
        return "missing"
    return "true" if value is True else "false" if value is False else repr(value)


@attrs.frozen
class LintReport:
    """Every finding of one lint run, and what it enumerated.

    Attributes:
        findings: In file and line order.
        cells: How many cells of the fact space each ruleset was checked on.
        seconds: How long the run took.
    """

    findings: tuple[LintFinding, ...]
    cells: Mapping[str, int]
    seconds: float

    @property
    def errors(self) -> tuple[LintFinding, ...]:
        """The findings of severity ``error``."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def clean(self) -> bool:
        """Whether nothing at all was found."""
        return not self.findings

    def text(self) -> str:
        """One finding per line (examples indented below), then a summary line."""
        lines = [str(finding) for finding in self.findings]
        warnings = len(self.findings) - len(self.errors)
        checked = ", ".join(f"{name} {count}" for name, count in self.cells.items())
        lines.append(
            f"{len(self.errors)} errors, {warnings} warnings; cells checked: {checked or 'none'} "
            f"({self.seconds:.2f} s)"
        )
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: the findings, the cells per ruleset, the time taken."""
        findings = [attrs.asdict(finding) for finding in self.findings]
        return {"findings": findings, "cells": dict(self.cells), "seconds": self.seconds}


def _load_findings(error: RulesetError) -> list[LintFinding]:
    """The loader's problem records as findings, at the file, line and column they name."""
    return [
        LintFinding(
            problem.file or "", problem.line or 0, problem.column or 0, "error", "load", problem.message
        )
        if problem.file is not None
        else LintFinding("", 0, 0, "error", "load", str(problem))
        for problem in error.problems
    ]


def _example(axes: Sequence[Axis], cells: Sequence[Cell]) -> dict[str, Any]:
    return {
        axis.key: None if cell.value is MISSING else cell.value
        for axis, cell in zip(axes, cells, strict=True)
    }


@attrs.define
class _Tally:
    """What one ruleset's enumeration saw, rule by rule (by position in the stage)."""

    cells: int = 0
    gap: tuple[Cell, ...] | None = None
    gaps: int = 0
    holds: dict[int, int] = attrs.Factory(dict)
    first: dict[int, int] = attrs.Factory(dict)
    example: dict[int, tuple[Cell, ...]] = attrs.Factory(dict)
    taken_by: dict[int, set[int]] = attrs.Factory(dict)
    overlaps: dict[tuple[int, int], tuple[Cell, ...]] = attrs.Factory(dict)
    values: set[str | None] = attrs.Factory(set)
    collected: set[tuple[str, bool]] = attrs.Factory(set)

    @classmethod
    def anything(cls, stage: Stage) -> _Tally:
        """What a ruleset not enumerated may conclude, for the rulesets that read it: anything."""
        values = stage.ruleset.values
        return cls(values={*values, None}, collected={(v, b) for v in values for b in (True, False)})

    def add(self, stage: Stage, cells: tuple[Cell, ...], holding: Sequence[int]) -> None:
        self.cells += 1
        if not holding:
            self.gap = self.gap or cells
            self.gaps += 1
            self.values.add(None)
        else:
            self.values.add(stage.rules[holding[0]].rule.then)
            self.first[holding[0]] = self.first.get(holding[0], 0) + 1
        for position in holding:
            self.holds[position] = self.holds.get(position, 0) + 1
            self.example.setdefault(position, cells)
            self.taken_by.setdefault(position, set()).add(holding[0])
        for pair in itertools.combinations(holding, 2):
            self.overlaps.setdefault(pair, cells)
        concluded = {stage.rules[position].rule.then for position in holding}
        self.collected |= {(value, value in concluded) for value in stage.ruleset.values}


def _enumerate(stage: Stage, axes: Sequence[Axis]) -> _Tally:
    holding = holding_function(stage_of(stage.rules, stage))
    position = {bound.index: number for number, bound in enumerate(stage.rules)}
    tally = _Tally()
    for cells in every_cell(axes):
        tally.add(stage, cells, [position[bound.index] for bound in holding(facts_of(axes, cells))])
    return tally


def _rule_findings(stage: Stage, axes: Sequence[Axis], tally: _Tally) -> Iterable[LintFinding]:
    hit = stage.ruleset.hit
    for position, bound in enumerate(stage.rules):
        rule, where = bound.rule, (bound.rule.source.file, bound.rule.source.line, 1)
        held = tally.holds.get(position, 0)
        if held == 0:
            yield LintFinding(
                *where,
                "error",
                "never-true",
                f"rule {rule.id!r} can never hold: no input makes its condition true",
            )
        elif held == tally.cells and not isinstance(rule.condition, Always) and len(stage.rules) > 1:
            yield LintFinding(
                *where,
                "warning",
                "always-true",
                f"rule {rule.id!r} holds for every input; write 'when: true' if that is meant",
            )
        elif hit == "first" and tally.first.get(position, 0) == 0:
            earlier = ", ".join(repr(stage.rules[p].rule.id) for p in sorted(tally.taken_by[position]))
            message = f"rule {rule.id!r} is unreachable: every input it holds for is taken first by {earlier}"
            yield LintFinding(
                *where, "error", "unreachable", message, _example(axes, tally.example[position])
            )
    if hit == "unique":
        for (a, b), cells in sorted(tally.overlaps.items()):
            first, second = stage.rules[a].rule, stage.rules[b].rule
            message = (
                f"rules {first.id!r} ({first.source}) and {second.id!r} both hold for some inputs, "
                "but the ruleset is unique"
            )
            yield LintFinding(
                second.source.file, second.source.line, 1, "error", "overlap", message, _example(axes, cells)
            )


def _gap_finding(stage: Stage, axes: Sequence[Axis], tally: _Tally) -> Iterable[LintFinding]:
    ruleset = stage.ruleset
    if tally.gap is None or ruleset.hit == "collect" or ruleset.revises is not None:
        return  # a revision that does not hold leaves the decision it revises as it was
    message = (
        f"gap: no rule of {ruleset.name!r} (hit: {ruleset.hit}) holds in {tally.gaps} of {tally.cells} "
        "cells of its inputs, so it decides nothing there"
    )
    yield LintFinding(ruleset.file, 1, 1, "error", "gap", message, _example(axes, tally.gap))


def _domains_after(stage: Stage, tally: _Tally, domains: dict[str, tuple[Any, ...]]) -> None:
    """Record the values the stage's decision can take, for the rulesets that read it."""
    ruleset = stage.ruleset
    if ruleset.hit == "collect":
        for value in ruleset.values:
            domains[f"decisions.{ruleset.name}:{value}"] = tuple(
                b for b in (True, False) if (value, b) in tally.collected
            )
        return
    key = f"decisions.{ruleset.revises or ruleset.name}"
    found = tally.values - {None} if ruleset.revises else tally.values
    known = set(domains.get(key, ())) | found
    ordered = dict.fromkeys((*domains.get(key, ()), *ruleset.values))  # in order, each once
    domains[key] = tuple(v for v in ordered if v in known and v is not None) + (
        (None,) if None in known else ()
    )


def _ruleset_findings(plan: Plan, cells: dict[str, int]) -> list[LintFinding]:
    findings: list[LintFinding] = []
    domains: dict[str, tuple[Any, ...]] = {}
    for stage in plan.stages:
        if stage.is_gate:
            findings += _check_findings(stage, plan, domains)
            continue
        axes = axes_of(stage.rules, stage_schema(stage, plan), domains)
        try:
            tally = _enumerate(stage, axes)
        except TooLarge as error:
            message = f"ruleset {stage.ruleset.name!r} is too large to check exactly: {error}; split it"
            findings.append(LintFinding(stage.ruleset.file, 1, 1, "warning", "too-large", message))
            _domains_after(stage, _Tally.anything(stage), domains)
            continue
        cells[stage.ruleset.name] = tally.cells
        findings += [*_gap_finding(stage, axes, tally), *_rule_findings(stage, axes, tally)]
        _domains_after(stage, tally, domains)
    return findings


def _check_findings(stage: Stage, plan: Plan, domains: dict[str, tuple[Any, ...]]) -> list[LintFinding]:
    """A quality gate's checks stand alone: each is linted over the facts it reads only.

    A check that never holds always fails, one that always holds never fails: both are found;
    gaps and overlaps mean nothing where every rule gives a finding of its own.
    """
    findings: list[LintFinding] = []
    for bound in stage.rules:
        alone = attrs.evolve(stage, rules=(bound,))
        axes = axes_of(alone.rules, stage_schema(alone, plan), domains)
        try:
            findings += _rule_findings(alone, axes, _enumerate(alone, axes))
        except TooLarge as error:
            message = f"check {bound.rule.id!r} is too large to lint exactly: {error}; split it"
            findings.append(
                LintFinding(stage.ruleset.file, bound.rule.source.line, 1, "warning", "too-large", message)
            )
    return findings


def _unused_params(loaded: Loaded) -> Iterable[LintFinding]:
    used = set(FEATURE_PARAMS) | set(DEADLINE_PARAMS)
    for ruleset in loaded.rulesets:
        for rule in ruleset.rules:
            used |= {test.operand.param for test in leaves(rule.condition) if test.operand.param}
            if rule.due is not None:
                used |= {o.param for o in (rule.due.within, rule.due.every) if o is not None and o.param}
    for spec in loaded.params.values():
        if spec.name not in used and spec.source in loaded.files:
            message = f"param {spec.name!r} is declared but no rule reads it"
            yield LintFinding(spec.source, spec.line, 1, "warning", "unused-param", message)


def lint(*paths: Path | str, extend: bool = False, params: Mapping[str, object] | None = None) -> LintReport:
    """Check rulesets before they run: load errors, gaps, shadowed rules, overlaps, dead params.

    Args:
        paths: Rules files or directories; none: the shipped rules.
        extend: Lint ``paths`` over the shipped rulesets, as ``Engine.from_path(extend=True)``
            would run them.
        params: Param overrides the rules are checked with.

    Returns:
        The findings; ``report.errors`` is empty when the rules are fit to run.
    """
    started = time.perf_counter()
    cells: dict[str, int] = {}
    try:
        loaded = load_rules(paths, extend=extend)
        plan = bind(loaded.rulesets, resolve_params(loaded.params, params or {}))
    except RulesetError as error:
        findings = _load_findings(error)
    else:
        findings = _ruleset_findings(plan, cells) + list(_unused_params(loaded))
    findings.sort(key=lambda f: (f.file, f.line, f.col, f.code))
    return LintReport(tuple(findings), cells, time.perf_counter() - started)
