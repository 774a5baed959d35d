"""The printed report: plain-text tables, the cell format, and the heading of a run.

Each family prints its own tables with :func:`table` or :func:`columns`; ``run.py`` puts them
in order under :func:`heading`. Only the standard library here (see ``context``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

#: How to read one cell from the entry a row shows.
Reader = Callable[[Any], Any]
#: One column of a table: its header and its reader.
Column = tuple[str, Reader]


def table(title: str, headers: list[str], rows: list[list[Any]]) -> str:
    """A titled table; the first column left-aligned, the others right-aligned."""
    cells = [[cell(value) for value in row] for row in rows]
    widths = [
        max(len(str(h)), *(len(row[i]) for row in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]
    lines = [f"\n{title}", "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        for row in cells
    ]
    return "\n".join(lines)


def columns(title: str, spec: tuple[Column, ...], entries: Iterable[Any]) -> str:
    """A table with one row per entry, each cell read by its column's reader."""
    rows = [[read(entry) for _, read in spec] for entry in entries]
    return table(title, [header for header, _ in spec], rows)


def name(item: tuple[str, Any]) -> str:
    """The name of a ``(name, entry)`` row."""
    return item[0]


def field(key: str) -> Reader:
    """A reader of ``key`` in the entry of a ``(name, entry)`` row."""
    return lambda item: item[1].get(key)


def cell(value: Any) -> str:
    """A value as a table shows it: ``-`` for nothing, ``yes``/``NO``, thousands separated."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def us(entry: dict[str, Any], subject: str, key: str = "median_us") -> float | None:
    """A subject's statistic in one measured entry (None where it was not measured)."""
    return entry.get(subject, {}).get(key) if isinstance(entry.get(subject), dict) else None


def _loads(values: list[float] | None) -> str:
    return "/".join(f"{value:.2f}" for value in values) if values else "?"


def heading(results: dict[str, Any]) -> list[str]:
    """The lines above the tables: mode, machine, interpreter, libraries and source."""
    env = results["environment"]
    libraries = ", ".join(f"{k} {v}" for k, v in env["libraries"].items())
    modified = " + uncommitted changes in src/ or rules/" if env["src_or_rules_modified"] else ""
    return [
        f"incident-rules benchmarks ({results['mode']}) {results['started']}",
        f"machine: {env['cpu']}, {env['cores']} cores, load average "
        f"{_loads(env['load_average'])} at start, {_loads(results.get('load_average_end'))} at end",
        f"python {env['python']} ({env['implementation']}); {libraries}",
        f"source: {env['git_commit']}{modified}; timer overhead {env['timer_overhead_us']} us per call; "
        f"durable: {results['durable'] or 'available'}",
    ]
