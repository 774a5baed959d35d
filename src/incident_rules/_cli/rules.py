"""The rule-authoring commands: ``incident-rules rules list|show|params|lint|test|graph`` and ``why-not``.

They are commands of the shared group in :mod:`incident_rules._cli`, so they exit with its codes
(lint and policy tests exit 1 on an error or a failure) and report errors the same way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from incident_rules._authoring.graph import FORMATS, decision_graph, render
from incident_rules._authoring.junit import junit_xml
from incident_rules._authoring.layers import Loaded, load_rules
from incident_rules._authoring.lint import lint
from incident_rules._authoring.policy import PolicyReport, read_cases, run_cases
from incident_rules._authoring.tables import params_table, ruleset_table, rulesets_table
from incident_rules._cli.base import ExitCode
from incident_rules._cli.options import (
    EngineChoice,
    at_option,
    color_option,
    document_argument,
    engine_options,
    examples,
    format_option,
    read_document,
)
from incident_rules._cli.output import emit
from incident_rules._rulesets.params import resolve_params
from incident_rules._suggest import did_you_mean
from incident_rules.errors import RulesetError
from incident_rules.render.whynot import why_not as why_not_text

__all__ = ["rules", "why_not"]


def _loaded(engine: EngineChoice) -> tuple[Loaded, dict[str, Any]]:
    """The rules chosen, and the params they run with, without compiling an engine."""
    loaded = load_rules(engine.rules, extend=engine.extend)
    return loaded, resolve_params(loaded.params, engine.overrides())


def _ruleset(loaded: Loaded, name: str) -> Any:
    by_name = {ruleset.name: ruleset for ruleset in loaded.rulesets}
    if name not in by_name:
        raise click.BadParameter(
            f"no ruleset {name!r}{did_you_mean(name, by_name)}; there are {', '.join(by_name)}",
            param_hint="RULESET",
        )
    return by_name[name]


@click.group(
    epilog=examples(
        "incident-rules rules list --rules examples/custom-rules --extend",
        "incident-rules rules show severity",
        "incident-rules rules lint examples/custom-rules --extend",
    )
)
def rules() -> None:
    """Author rulesets: list, show, lint, test and draw them."""


@rules.command("list", epilog=examples("incident-rules rules list --rules examples/custom-rules --extend"))
@engine_options(backend=False)
@color_option
def list_rulesets(engine: EngineChoice) -> None:
    """Every ruleset, shipped and custom, and where each lives."""
    loaded, _ = _loaded(engine)
    emit(rulesets_table(loaded), "plain")


@rules.command(
    "show", epilog=examples("incident-rules rules show severity --param significant_fraction=0.05")
)
@click.argument("name", metavar="RULESET")
@engine_options(backend=False)
@color_option
def show(name: str, engine: EngineChoice) -> None:
    """The rules of RULESET in order, with params resolved."""
    loaded, values = _loaded(engine)
    emit(ruleset_table(_ruleset(loaded, name), values), "plain")


@rules.command(
    "params", epilog=examples("incident-rules rules params --params-file examples/custom-params.yaml")
)
@engine_options(backend=False)
@color_option
def show_params(engine: EngineChoice) -> None:
    """Every param: type, default, the value in use, where it is declared, what it means."""
    loaded, values = _loaded(engine)
    emit(params_table(loaded.params, values), "plain")


@rules.command(
    "lint",
    epilog=examples(
        "incident-rules rules lint",
        "incident-rules rules lint examples/custom-rules --extend --format json",
    ),
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@engine_options(backend=False)
@format_option
@color_option
def lint_command(paths: tuple[Path, ...], engine: EngineChoice, output: str) -> ExitCode:
    """Check rules files PATHS (and --rules; default: the shipped rules); exit 1 on any error.

    Exact over the fact space: load errors, gaps of first-hit rulesets, unreachable rules,
    overlaps under unique, conditions never or always true, unused params.
    """
    report = lint(*paths, *engine.rules, extend=engine.extend, params=engine.overrides())
    if output == "json":
        emit(json.dumps(report.to_dict(), indent=2) + "\n", "json")
    else:
        emit(report.text(), "plain")
    return ExitCode.NO if report.errors else ExitCode.DONE


def _test_text(report: PolicyReport, coverage: bool) -> str:
    lines = []
    for result in report.failed:
        lines.append(f"FAIL {result.case.source}: {result.case.name}")
        lines += [f"  {failure}" for failure in result.failures]
    passed = len(report.results) - len(report.failed)
    lines.append(f"{passed} passed, {len(report.failed)} failed ({report.file})")
    return "\n".join(lines) + "\n" + (report.coverage.text() if coverage else "")


def _test_json(report: PolicyReport) -> str:
    data = {
        "passed": len(report.results) - len(report.failed),
        "failed": [
            {"case": r.case.name, "source": r.case.source, "failures": r.failures} for r in report.failed
        ],
        "coverage": report.coverage.to_dict(),
    }
    return json.dumps(data, indent=2) + "\n"


def _write_junit(report: PolicyReport, junit: Path) -> None:
    try:
        junit.write_text(junit_xml(report), encoding="utf-8")
    except OSError as error:
        raise RulesetError(f"{junit}: cannot write JUnit XML: {error.strerror or error}") from None


@rules.command(
    "test",
    epilog=examples(
        "incident-rules rules test rules/tests/shipped.yaml --coverage --require-coverage --junit out.xml"
    ),
)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@engine_options()
@click.option("--coverage", is_flag=True, help="Report rule and test-outcome coverage.")
@click.option("--require-coverage", is_flag=True, help="Exit 1 when any rule is never exercised.")
@click.option("--junit", type=click.Path(path_type=Path, dir_okay=False), help="Write JUnit XML here.")
@format_option
@color_option
def test_command(
    file: Path, engine: EngineChoice, coverage: bool, require_coverage: bool, junit: Path | None, output: str
) -> ExitCode:
    """Run the policy tests in FILE; exit 1 on a failure (or, with --require-coverage, a gap in coverage)."""
    report = run_cases(read_cases(file), engine.build(), str(file))
    if junit is not None:
        _write_junit(report, junit)
    if output == "json":
        emit(_test_json(report), "json")
    else:
        emit(_test_text(report, coverage or require_coverage), "plain")
    uncovered = require_coverage and bool(report.coverage.never_decided())
    return ExitCode.NO if report.failed or uncovered else ExitCode.DONE


@rules.command(
    "graph", epilog=examples("incident-rules rules graph severity --format dot | dot -Tsvg > severity.svg")
)
@click.argument("name", metavar="RULESET")
@engine_options(backend=False)
@click.option("--format", "output", type=click.Choice(FORMATS), default="mermaid", show_default=True)
def graph(name: str, engine: EngineChoice, output: str) -> None:
    """RULESET as a decision tree, in Mermaid or Graphviz DOT."""
    loaded, values = _loaded(engine)
    click.echo(render(decision_graph(_ruleset(loaded, name), loaded.rulesets, values), output), nl=False)


@click.command(
    "why-not",
    epilog=examples(
        "incident-rules why-not examples/inc-2025-0142.json severity.data-loss --at 2025-06-15T14:30:00Z",
    ),
)
@document_argument
@click.argument("rule")
@at_option("Instant to decide at:", required=True)
@engine_options()
@format_option
@color_option
def why_not(document: Path, rule: str, at: str, engine: EngineChoice, output: str) -> None:
    """What it would have taken for RULE to fire on DOCUMENT (- reads standard input) at --at."""
    assessment = engine.build().assess(read_document(document), at=at)
    try:
        answer = assessment.why_not(rule)
    except LookupError as error:
        raise click.BadParameter(str(error).removeprefix("why_not: "), param_hint="RULE") from None
    if output == "json":
        emit(json.dumps(answer.to_dict(), indent=2) + "\n", "json")
    else:
        emit(why_not_text(answer))
