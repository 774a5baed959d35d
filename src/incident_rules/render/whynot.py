"""Plain text: what it would have taken for a rule to fire."""

from __future__ import annotations

from incident_rules._decisions.whynot import FactChange, WhyNot

__all__ = ["why_not"]


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _was(change: FactChange) -> str:
    if change.was is None:
        return "missing"
    if isinstance(change.was, bool):
        return "true" if change.was else "false"
    return _number(change.was) if isinstance(change.was, (int, float)) else repr(change.was)


def _change_text(change: FactChange) -> str:
    path, _, choice = change.fact.partition(":")
    if choice:
        return f"{path}: {'add' if change.example else 'remove'} {choice!r}"
    return f"{path}: {_was(change)} -> {change.becomes}"


def why_not(answer: WhyNot) -> str:
    """A why-not answer as a few readable lines: each change as ``fact: was -> becomes``, and
    whether the rule would then decide."""
    head = f"{answer.rule} ({answer.source})"
    if not answer.possible:
        return f"{head} cannot hold: no input makes its condition true\n"
    if answer.holds:
        lines = [f"{head} holds"]
    else:
        lines = [f"{head} does not hold; it would with {len(answer.changes)} change(s):"]
        lines += [f"  {_change_text(change)}" for change in answer.changes]
    if answer.decides:
        lines.append(f"and it {'decides' if answer.holds else 'would then decide'} {answer.ruleset}")
    else:
        would = "does not decide" if answer.holds else "would still not decide"
        lines.append(f"but it {would}: {answer.taken_by} comes first (or, under hit: unique, holds too)")
    return "\n".join(lines) + "\n"
