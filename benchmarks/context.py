"""What every family of measurements is given: the run's options and the results so far.

Only the standard library here: the load family's worker process imports this module before it
times ``import incident_rules``, so nothing the package imports may be loaded by then.
"""

from __future__ import annotations

import sys
import time
from types import ModuleType
from typing import Any, NamedTuple


def log(message: str) -> None:
    """Progress on stderr, so the tables on stdout stay clean."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Run(NamedTuple):
    """One benchmark run as the families see it.

    ``backends`` are those that can be built here (native always, durable where it imports);
    ``config`` holds the sample sizes of the mode (full or quick); ``families`` are the modules
    that measure, in their order; ``results`` fills up family by family, so a later family (the
    targets, the profile) reads what an earlier one measured.
    """

    quick: bool
    config: dict[str, Any]
    backends: list[str]
    profile_all: bool
    families: tuple[ModuleType, ...]
    results: dict[str, Any]

    @property
    def durable_ok(self) -> bool:
        return "durable" in self.backends
