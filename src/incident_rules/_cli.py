"""The ``incident-rules`` command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from incident_rules import render
from incident_rules._engine import Engine
from incident_rules.errors import IncidentRulesError, InvalidIncident


def _read_document(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidIncident(f"{path}: cannot read: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidIncident(f"{path}: not valid JSON: {error}") from None


def _params(pairs: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"expected NAME=VALUE (got {pair!r})", param_hint="--param")
        params[name.strip()] = value.strip()
    return params


def _typed(value: str) -> object:
    """A --param value as YAML would read it: numbers and booleans typed, the rest text."""
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


@click.group()
@click.version_option(package_name="incident-rules")
def main() -> None:
    """Incident response decisions that show their work."""


@main.command()
@click.argument("document", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--at", "at", required=True, help="Instant to decide at, ISO 8601 with an offset.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Rules file or directory instead of the shipped rules (repeatable).",
)
@click.option(
    "--backend", type=click.Choice(["auto", "durable", "native"]), default="auto", show_default=True
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a param, e.g. change_window=30m (repeatable).",
)
def assess(
    document: Path, at: str, output: str, rules: tuple[Path, ...], backend: Any, params: tuple[str, ...]
) -> None:
    """Assess the incident DOCUMENT (JSON) at the instant --at."""
    overrides = {name: _typed(value) for name, value in _params(params).items()}
    try:
        if rules:
            engine = Engine.from_path(*rules, params=overrides, backend=backend)
        else:
            engine = Engine.default(params=overrides, backend=backend)
        assessment = engine.assess(_read_document(document), at=at)
    except IncidentRulesError as error:
        raise click.ClickException(str(error)) from None
    if output == "json":
        click.echo(json.dumps(assessment.to_dict(), indent=2))
    else:
        click.echo(render.text(assessment), nl=False)
