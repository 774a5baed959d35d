"""What a run records about where it ran: machine, interpreter, library versions, source revision."""

from __future__ import annotations

import gc
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import timing

LIBRARIES = ("incident-rules", "durable-rules", "attrs", "cattrs", "PyYAML")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(*args: str) -> str | None:
    root = Path(__file__).resolve().parent.parent
    try:
        # git from PATH with fixed arguments: only the revision of this checkout is read.
        command = ["git", *args]  # the git on PATH, as a developer runs it
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=10, check=True)  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip()


def load_average() -> list[float] | None:
    """The 1, 5 and 15-minute load averages (None where the platform has none)."""
    return list(os.getloadavg()) if hasattr(os, "getloadavg") else None


def environment() -> dict[str, Any]:
    """The machine, interpreter, library versions and source revision of this run."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    dirty = _git("status", "--porcelain", "--", "src", "rules")
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load_average": load_average(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "libraries": versions,
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "src_or_rules_modified": bool(dirty) if dirty is not None else None,
        "timer_overhead_us": round(timing.timer_overhead_us(), 3),
        "gc_enabled_while_timing": gc.isenabled(),
    }
