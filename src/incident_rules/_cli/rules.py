"""The rule-authoring commands: ``incident-rules rules list|show|params|lint|test|graph`` and ``why-not``.

They are commands of the shared group in :mod:`incident_rules._cli`, so they exit with its codes
(lint and policy tests exit 1 on an error or a failure) and report errors the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from incident_rules._authoring.graph import FORMATS, decision_graph, render
from incident_rules._authoring.junit import junit_xml
from incident_rules._authoring.layers import Loaded, load_rules, read_params_file
from incident_rules._authoring.lint import lint
from incident_rules._authoring.policy import PolicyReport, read_cases, run_cases
from incident_rules._authoring.tables import params_table, ruleset_table, rulesets_table
from incident_rules._cli.base import ExitCode, _params, _read_document, _typed, format_option, main
from incident_rules._engine import Engine
from incident_rules._rulesets.params import resolve_params
from incident_rules._suggest import did_you_mean
from incident_rules.errors import RulesetError
from incident_rules.render.whynot import why_not as why_not_text

__all__ = ["rules", "why_not"]

Command = Callable[..., Any]


def _rules_options(command: Command) -> Command:
    """--rules, --extend, --param and --params-file: which rules, over which params."""
    options = [
        click.option(
            "--rules",
            "rules",
            multiple=True,
            type=click.Path(path_type=Path),
            help="Rules file or directory (repeatable); the shipped params are the base.",
        ),
        click.option("--extend", is_flag=True, help="Add to and override the shipped rulesets."),
        click.option(
            "--param", "params", multiple=True, metavar="NAME=VALUE", help="Override a param (repeatable)."
        ),
        click.option(
            "--params-file",
            type=click.Path(path_type=Path, dir_okay=False),
            help="YAML file of param overrides (NAME: VALUE); --param wins over it.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _overrides(params: tuple[str, ...], params_file: Path | None) -> dict[str, Any]:
    overrides = dict(read_params_file(params_file)) if params_file is not None else {}
    return overrides | {name: _typed(value) for name, value in _params(params).items()}


def _engine(
    rules: tuple[Path, ...], extend: bool, overrides: dict[str, Any], backend: Any = "auto"
) -> Engine:
    if rules:
        return Engine.from_path(*rules, extend=extend, params=overrides, backend=backend)
    return Engine.default(params=overrides, backend=backend)


def _loaded(
    rules: tuple[Path, ...], extend: bool, overrides: dict[str, Any]
) -> tuple[Loaded, dict[str, Any]]:
    loaded = load_rules(rules, extend=extend)
    return loaded, resolve_params(loaded.params, overrides)


def _ruleset(loaded: Loaded, name: str) -> Any:
    by_name = {ruleset.name: ruleset for ruleset in loaded.rulesets}
    if name not in by_name:
        raise click.BadParameter(
            f"no ruleset {name!r}{did_you_mean(name, by_name)}; there are {', '.join(by_name)}",
            param_hint="RULESET",
        )
    return by_name[name]


@main.group()
def rules() -> None:
    """Author rulesets: list, show, lint, test and draw them."""


@rules.command("list")
@_rules_options
def list_rulesets(
    rules: tuple[Path, ...], extend: bool, params: tuple[str, ...], params_file: Path | None
) -> None:
    """Every ruleset, shipped and custom, and where each lives."""
    loaded, _ = _loaded(rules, extend, _overrides(params, params_file))
    click.echo(rulesets_table(loaded), nl=False)


@rules.command("show")
@click.argument("name", metavar="RULESET")
@_rules_options
def show(
    name: str, rules: tuple[Path, ...], extend: bool, params: tuple[str, ...], params_file: Path | None
) -> None:
    """The rules of RULESET in order, with params resolved."""
    loaded, values = _loaded(rules, extend, _overrides(params, params_file))
    click.echo(ruleset_table(_ruleset(loaded, name), values), nl=False)


@rules.command("params")
@_rules_options
def show_params(
    rules: tuple[Path, ...], extend: bool, params: tuple[str, ...], params_file: Path | None
) -> None:
    """Every param: type, default, the value in use, where it is declared, what it means."""
    loaded, values = _loaded(rules, extend, _overrides(params, params_file))
    click.echo(params_table(loaded.params, values), nl=False)


@rules.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--extend", is_flag=True, help="Lint PATHS over the shipped rulesets.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Override a param (repeatable).")
@click.option("--params-file", type=click.Path(path_type=Path, dir_okay=False), help="YAML file of params.")
@format_option
def lint_command(
    paths: tuple[Path, ...], extend: bool, params: tuple[str, ...], params_file: Path | None, output: str
) -> ExitCode:
    """Check rules files (default: the shipped rules); exit 1 on any error.

    Exact over the fact space: load errors, gaps of first-hit rulesets, unreachable rules,
    overlaps under unique, conditions never or always true, unused params.
    """
    report = lint(*paths, extend=extend, params=_overrides(params, params_file))
    click.echo(
        json.dumps(report.to_dict(), indent=2) if output == "json" else report.text(), nl=output == "json"
    )
    return ExitCode.NO if report.errors else ExitCode.DONE


def _test_text(report: PolicyReport, coverage: bool) -> str:
    lines = []
    for result in report.failed:
        lines.append(f"FAIL {result.case.source}: {result.case.name}")
        lines += [f"  {failure}" for failure in result.failures]
    passed = len(report.results) - len(report.failed)
    lines.append(f"{passed} passed, {len(report.failed)} failed ({report.file})")
    return "\n".join(lines) + "\n" + (report.coverage.text() if coverage else "")


@rules.command("test")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@_rules_options
@click.option(
    "--backend", type=click.Choice(["auto", "durable", "native"]), default="auto", show_default=True
)
@click.option("--coverage", is_flag=True, help="Report rule and test-outcome coverage.")
@click.option("--require-coverage", is_flag=True, help="Exit 1 when any rule is never exercised.")
@click.option("--junit", type=click.Path(path_type=Path, dir_okay=False), help="Write JUnit XML here.")
@format_option
def test_command(
    file: Path,
    rules: tuple[Path, ...],
    extend: bool,
    params: tuple[str, ...],
    params_file: Path | None,
    backend: Any,
    coverage: bool,
    require_coverage: bool,
    junit: Path | None,
    output: str,
) -> ExitCode:
    """Run the policy tests in FILE; exit 1 on a failure (or, with --require-coverage, a gap in coverage)."""
    engine = _engine(rules, extend, _overrides(params, params_file), backend)
    report = run_cases(read_cases(file), engine, str(file))
    if junit is not None:
        try:
            junit.write_text(junit_xml(report), encoding="utf-8")
        except OSError as error:
            raise RulesetError(f"{junit}: cannot write JUnit XML: {error.strerror or error}") from None
    if output == "json":
        data = {
            "passed": len(report.results) - len(report.failed),
            "failed": [
                {"case": r.case.name, "source": r.case.source, "failures": r.failures} for r in report.failed
            ],
            "coverage": report.coverage.to_dict(),
        }
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(_test_text(report, coverage or require_coverage), nl=False)
    uncovered = require_coverage and bool(report.coverage.never_decided())
    return ExitCode.NO if report.failed or uncovered else ExitCode.DONE


@rules.command("graph")
@click.argument("name", metavar="RULESET")
@_rules_options
@click.option("--format", "output", type=click.Choice(FORMATS), default="mermaid", show_default=True)
def graph(
    name: str,
    rules: tuple[Path, ...],
    extend: bool,
    params: tuple[str, ...],
    params_file: Path | None,
    output: str,
) -> None:
    """RULESET as a decision tree, in Mermaid or Graphviz DOT."""
    loaded, values = _loaded(rules, extend, _overrides(params, params_file))
    click.echo(render(decision_graph(_ruleset(loaded, name), loaded.rulesets, values), output), nl=False)


@main.command("why-not")
@click.argument("document", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.argument("rule")
@click.option("--at", "at", required=True, help="Instant to decide at, ISO 8601 with an offset.")
@_rules_options
@click.option(
    "--backend", type=click.Choice(["auto", "durable", "native"]), default="auto", show_default=True
)
@format_option
def why_not(
    document: Path,
    rule: str,
    at: str,
    rules: tuple[Path, ...],
    extend: bool,
    params: tuple[str, ...],
    params_file: Path | None,
    backend: Any,
    output: str,
) -> None:
    """What it would have taken for RULE to fire on DOCUMENT (- reads standard input) at --at."""
    engine = _engine(rules, extend, _overrides(params, params_file), backend)
    assessment = engine.assess(_read_document(document), at=at)
    try:
        answer = assessment.why_not(rule)
    except LookupError as error:
        raise click.BadParameter(str(error).removeprefix("why_not: "), param_hint="RULE") from None
    click.echo(
        json.dumps(answer.to_dict(), indent=2) if output == "json" else why_not_text(answer),
        nl=output == "json",
    )
