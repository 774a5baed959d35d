"""Resident memory of this process, and whether a series of samples of it stays flat.

Only the standard library here (see ``context``).
"""

from __future__ import annotations

import os
import resource
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4
_STATM = Path("/proc/self/statm")


def rss_kib() -> int:
    """Resident memory now, in KiB (``/proc/self/statm``; the peak from getrusage where /proc is missing).

    statm is one short line: cheap enough to read between assessments of a soak.
    """
    try:
        return int(_STATM.read_text().split()[1]) * _PAGE_KIB
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def slope(points: Sequence[tuple[float, float]]) -> float | None:
    """The least-squares slope of ``(x, y)`` points (None for fewer than two distinct x)."""
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def flatness(points: Sequence[tuple[int, int]], per: int, bound_kib: int) -> dict[str, Any]:
    """How a curve of ``(count, KiB)`` samples moved: first and last decile, slope per ``per`` counts.

    Flat means the mean of the last tenth of the samples is less than ``bound_kib`` above the
    mean of the first tenth, so a single late spike (a garbage collection, an arena grown and
    given back) does not decide it.
    """
    if not points:
        return {"flat": None}
    tenth = max(1, len(points) // 10)
    first = sum(kib for _, kib in points[:tenth]) / tenth
    last = sum(kib for _, kib in points[-tenth:]) / tenth
    rate = slope(points)
    return {
        "first_decile_kib": round(first),
        "last_decile_kib": round(last),
        "decile_growth_kib": round(last - first),
        "slope_kib_per": None if rate is None else round(rate * per, 1),
        "per": per,
        "flat": last - first < bound_kib,
    }
