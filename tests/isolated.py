"""Run a snippet in a fresh interpreter with a time limit: a crash or a hang fails one test only."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping

import pytest

#: Seconds a snippet may run before it counts as a hang.
TIME_LIMIT = 60


def run_isolated(code: str, time_limit: float = TIME_LIMIT, env: Mapping[str, str] | None = None) -> str:
    """The last line ``code`` prints, run by this interpreter in a subprocess.

    Fails the calling test (instead of killing the run) when the subprocess dies by a signal,
    exits non-zero, or runs past ``time_limit`` seconds. ``env`` adds to this process's environment.
    """
    try:
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            capture_output=True,
            text=True,
            timeout=time_limit,
            check=False,
            env={**os.environ, **(env or {})},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"did not finish in {time_limit} s (a hang)")
    if done.returncode != 0:
        pytest.fail(f"exit status {done.returncode} (negative: killed by that signal)\n{done.stderr[-3000:]}")
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""
