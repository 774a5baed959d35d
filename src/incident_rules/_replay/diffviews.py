"""A policy diff as text, JSON, CSV, and Markdown for a pull-request comment."""

from __future__ import annotations

import csv
import io
import json

import attrs

from incident_rules._replay.diff import DecisionChange, PolicyDiff

__all__ = ["FORMATS", "render_diff"]

#: Changed documents listed in Markdown before the rest are summed up: a comment stays readable.
MARKDOWN_ROWS = 100


def _shown(value: str | None) -> str:
    return "(none)" if value is None else value or "(nothing)"


def _headline(diff: PolicyDiff) -> str:
    failed = f"; {len(diff.failures):,} could not be decided" if diff.failures else ""
    return f"{diff.changed_documents:,} of {diff.compared:,} incidents change a decision{failed}"


def as_text(diff: PolicyDiff) -> str:
    """The diff for a terminal: the headline, each decision's transitions, then each change."""
    lines = [_headline(diff)]
    for decision in diff.decisions:
        lines.append(f"  {decision.decision}: {decision.changed:,} changed")
        lines += [f"    {_shown(b)} -> {_shown(a)}: {n:,}" for b, a, n in decision.transitions]
    if diff.changes:
        lines.append("")
    for change in diff.changes:
        lines.append(
            f"{change.id} ({change.source}) {change.decision}: {_shown(change.before)} -> "
            f"{_shown(change.after)}  [{_shown(change.rule_before)} -> {_shown(change.rule_after)}]"
        )
    lines += [f"could not decide {source}: {error}" for source, error in diff.failures]
    return "\n".join(lines) + "\n"


def as_json(diff: PolicyDiff) -> str:
    """The diff as one JSON object (see :meth:`PolicyDiff.to_dict`)."""
    return json.dumps(diff.to_dict(), indent=2) + "\n"


def as_csv(diff: PolicyDiff) -> str:
    """One row per changed decision of a document, with both deciding rules."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([field.name for field in attrs.fields(DecisionChange)])
    writer.writerows(attrs.astuple(change) for change in diff.changes)
    return out.getvalue()


def _cell(value: str | None) -> str:
    return f"`{value}`" if value else "-"


def as_markdown(diff: PolicyDiff) -> str:
    """A pull-request comment: a summary table, then the changed documents (the first 100)."""
    lines = [
        f"**Policy replay:** {_headline(diff)}.",
        "",
        "| decision | from | to | incidents |",
        "|---|---|---|---:|",
    ]
    for decision in diff.decisions:
        lines += [
            f"| {decision.decision} | {_cell(b)} | {_cell(a)} | {n:,} |" for b, a, n in decision.transitions
        ]
    if not diff.changes:
        lines.append("| (no decision changes) | | | |")
        return "\n".join(lines) + "\n"
    lines += [
        "",
        "| incident | decision | before | after | rule before | rule after |",
        "|---|---|---|---|---|---|",
    ]
    for change in diff.changes[:MARKDOWN_ROWS]:
        lines.append(
            f"| {change.id} | {change.decision} | {_cell(change.before)} | {_cell(change.after)} "
            f"| {_cell(change.rule_before)} | {_cell(change.rule_after)} |"
        )
    if len(diff.changes) > MARKDOWN_ROWS:
        lines += ["", f"… and {len(diff.changes) - MARKDOWN_ROWS:,} more changes (use `--format csv`)."]
    return "\n".join(lines) + "\n"


FORMATS = {"text": as_text, "json": as_json, "csv": as_csv, "markdown": as_markdown}


def render_diff(diff: PolicyDiff, output: str) -> str:
    """``diff`` in the format named ``output``: one of text, json, csv, markdown."""
    return FORMATS[output](diff)
