"""``incident-rules replay``: many documents through the engine, or a policy diff of two engines.

Records stream to stdout as they are decided (CSV, JSON lines, text or Markdown), so a replay of
a million incidents never holds them all; a diff is printed once every document is compared. A
progress bar goes to stderr on a terminal, never when piped or in CI.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from incident_rules._cli.options import EngineChoice, at_option, color_option, engine_options, examples

if TYPE_CHECKING:
    from incident_rules._engine import Engine

__all__ = ["replay"]

_FORMATS = ("text", "json", "csv", "markdown")


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _lines(rows: Iterable[dict[str, Any]], keys: tuple[str, ...], output: str) -> Iterator[str]:
    """Each record as a line of ``output``, after a header where the format has one."""
    if output == "json":
        yield from (json.dumps(row) for row in rows)
    elif output == "markdown":
        yield "| " + " | ".join(keys) + " |"
        yield "|" + "---|" * len(keys)
        yield from (
            "| " + " | ".join(_cell(row[key]).replace("|", "\\|") for key in keys) + " |" for row in rows
        )
    else:
        shown = keys if output == "csv" else tuple(k for k in keys if not k.endswith("_rule"))
        writer = csv.writer(_Collect(), lineterminator="", delimiter="," if output == "csv" else "\t")
        yield writer.writerow(shown)
        yield from (writer.writerow([_cell(row[key]) for key in shown]) for row in rows)


class _Collect:
    """A file for csv.writer whose write hands the line back: writerow returns it."""

    def write(self, line: str) -> str:
        return line


def _counted(rows: Iterable[dict[str, Any]], tally: list[int]) -> Iterator[dict[str, Any]]:
    for row in rows:
        tally[0] += 1
        tally[1] += row["error"] is not None
        yield row


def _records(engine: Engine, documents: object, at: str, output: str, workers: int, errors: Any) -> None:
    from incident_rules._replay.progress import terminal_progress
    from incident_rules._replay.records import columns

    tally = [0, 0]  # documents, and those that could not be decided
    with terminal_progress() as progress:
        rows = engine.assess_many(documents, at=at, workers=workers, errors=errors, progress=progress)
        for line in _lines(_counted(rows, tally), columns(engine.decision_names), output):
            click.echo(line)
    if tally[1]:
        click.echo(
            f"{tally[1]:,} of {tally[0]:,} documents could not be decided (see the error column)", err=True
        )


@click.command(
    epilog=examples(
        "incident-rules replay incidents.jsonl --at detected+30m --format csv > decisions.csv",
        "incident-rules replay incidents/ --against my-rules/ --param significant_fraction=0.05",
        "incident-rules replay examples/ --at now --workers 2 --format markdown",
    )
)
@click.argument("documents", type=click.Path(path_type=Path, allow_dash=True))
@at_option("Instant: an offset like detected+30m, or", default="detected+30m")
@click.option("--format", "output", type=click.Choice(_FORMATS), default="text", show_default=True)
@click.option(
    "--against",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Candidate rules to diff against (repeatable); --param and --params-file then apply to it.",
)
@engine_options()
@click.option(
    "--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Processes to decide in."
)
@click.option("--errors", type=click.Choice(["record", "raise"]), default="record", show_default=True)
@color_option
def replay(
    documents: Path,
    at: str,
    output: str,
    against: tuple[Path, ...],
    engine: EngineChoice,
    workers: int,
    errors: str,
) -> None:
    """Decide every incident of DOCUMENTS (a JSON file, JSON lines, a directory; - reads stdin).

    One record per incident, or with --against, the decisions a candidate policy changes.
    """
    from incident_rules._replay.diffviews import render_diff
    from incident_rules._replay.progress import terminal_progress

    source: Any = sys.stdin if str(documents) == "-" else documents
    if not against:
        _records(engine.build(), source, at, output, workers, errors)
        return
    current, candidate = engine.build(params={}), engine.build(rules=against)
    with terminal_progress() as progress:
        diff = current.compare(candidate, source, at=at, progress=progress)
    click.echo(render_diff(diff, output), nl=False)
