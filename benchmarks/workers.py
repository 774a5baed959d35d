"""Measurements in fresh processes with a timeout: a durable_rules hang is reported, not suffered.

The parent names the function to run as ``module.function`` (a module of this directory) and
passes its keyword arguments as JSON to ``python workers.py``, which prints the result as one
``RESULT`` line. Only the standard library here, for the reason given in ``context``.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

#: glibc settings that keep freed memory in the process instead of handing it back to the OS.
#: DESIGN.md: durable_rules' per-call cost depends on the allocator; large rulesets show it.
TUNED_MALLOC = {"MALLOC_TRIM_THRESHOLD_": str(512 << 20), "MALLOC_TOP_PAD_": str(64 << 20)}


def start(
    function: str, spec: dict[str, Any], *, tuned_malloc: bool = False, python: str | None = None
) -> subprocess.Popen[str]:
    """Start ``function(**spec)`` in a fresh interpreter (this one, or ``python``) running this file."""
    command = [python or sys.executable, str(HERE / "workers.py"), function, json.dumps(spec)]
    env = os.environ | TUNED_MALLOC if tuned_malloc else None
    # This interpreter running this file: the command holds nothing from outside.
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)  # noqa: S603


def finish(process: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    """The worker's result, or what went wrong: a hang is reported, not suffered."""
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return {"error": f"timeout: no result after {timeout:g} s (killed)"}
    for line in reversed(out.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    tail = (err or out).strip().splitlines()[-3:]
    return {"error": f"exit code {process.returncode}: {' | '.join(tail)}"}


def run(
    function: str,
    spec: dict[str, Any],
    timeout: float,
    *,
    tuned_malloc: bool = False,
    python: str | None = None,
) -> dict[str, Any]:
    """``function(**spec)`` in a fresh process: its result, or the error or timeout."""
    return finish(start(function, spec, tuned_malloc=tuned_malloc, python=python), timeout)


def serve(function: str, spec: str) -> None:
    """In the worker: run ``function`` on the JSON keyword arguments and print the result."""
    module, _, name = function.rpartition(".")
    if not module or not (HERE / f"{module}.py").is_file():
        raise SystemExit(f"unknown worker {function!r}: expected module.function of {HERE}")
    result = getattr(importlib.import_module(module), name)(**json.loads(spec))
    print("RESULT " + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    serve(*sys.argv[1:3])
