"""A progress bar for batches on a terminal; nothing at all when piped or in CI.

tqdm rather than rich: it is one small pure-Python package with no dependencies of its own, and
its ``delay`` shows the bar only for batches that run longer than a second, which is what we want.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from incident_rules._replay.runner import Progress

__all__ = ["terminal_progress", "wants_bar"]

#: Seconds a batch runs before its bar appears.
DELAY_S = 1.0


def wants_bar(stream: TextIO) -> bool:
    """Whether to draw a bar on ``stream``: a terminal, and not in CI."""
    return stream.isatty() and not os.environ.get("CI")


@contextlib.contextmanager
def terminal_progress(stream: TextIO | None = None) -> Iterator[Progress | None]:
    """A ``progress(done, total)`` callback drawing a bar on ``stream`` (stderr), or None."""
    stream = stream if stream is not None else sys.stderr
    if not wants_bar(stream):
        yield None
        return
    from tqdm import tqdm  # only a terminal batch pays for the import

    bar: Any = tqdm(file=stream, unit="doc", delay=DELAY_S, dynamic_ncols=True)

    def update(done: int, total: int | None) -> None:
        if total is not None and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        bar.close()
