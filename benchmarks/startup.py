"""Start-up: ``incident-rules assess`` as a whole process, cold, against ``python -c pass``.

Issue 13's target: the command at most 5x the bare interpreter, both timed in the same run, in
turn (A B A B ...), so a drift of the shared machine's speed falls on both. CPU time (user + sys
of the finished child, from the kernel) is the figure; wall time is reported beside it. Each
process is new; the disk caches are warm, as for a user's second command: Python's bytecode is
written (PYTHONDONTWRITEBYTECODE is dropped) and the caches of the checked shipped rules and of
the compiled generated code filled by one warm-up run. Rows: the default backend (durable_rules
where it imports), the native backend, both caches off (the first command after an install or
an edit of the rules), and the floor no command of ours can go below: the interpreter importing
the three libraries the command line is built on (attrs, cattrs, click). The import times of the
package, of the command line and of the engine come from ``python -X importtime`` in fresh
processes.

    python benchmarks/startup.py          # this family alone: about 20 s
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import report
from context import Run, log

NAME = "startup"
#: Issue 13: the command, cold, at most this many times ``python -c pass``.
TARGET_RATIO = 5.0

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "inc-2025-0142.json"
ASSESS = ["assess", str(SEED), "--at", "2025-06-15T14:30:00Z"]


def _command() -> list[str]:
    """The console script beside this interpreter, else ``python -m incident_rules``."""
    script = Path(sys.executable).parent / "incident-rules"
    return [str(script)] if script.exists() else [sys.executable, "-m", "incident_rules"]


def _environment(cache: bool) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    if not cache:
        env["INCIDENT_RULES_CACHE_DIR"] = "off"
    return env


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds (user + sys, from the kernel) and wall seconds of one run of ``command``."""
    began = time.perf_counter()
    quiet = subprocess.DEVNULL
    child = subprocess.Popen(command, env=env, stdout=quiet, stderr=quiet)  # noqa: S603 -- our own command
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {child.returncode}")
    return usage.ru_utime + usage.ru_stime, wall


def _pairs(command: list[str], env: dict[str, str], rounds: int) -> dict[str, Any]:
    """``command`` and ``python -c pass`` in turn, ``rounds`` times each after one warm-up."""
    bare = [sys.executable, "-c", "pass"]
    _timed(command, env), _timed(bare, env)  # bytecode and caches written
    runs = [(_timed(command, env), _timed(bare, env)) for _ in range(rounds)]
    cpu = [a[0] / b[0] for a, b in runs if b[0] > 0]
    return {
        "command_cpu_ms": round(statistics.median(a[0] for a, _ in runs) * 1000, 1),
        "command_wall_ms": round(statistics.median(a[1] for a, _ in runs) * 1000, 1),
        "python_pass_cpu_ms": round(statistics.median(b[0] for _, b in runs) * 1000, 1),
        "ratio_cpu": round(statistics.median(cpu), 2) if cpu else None,
        "ratio_wall": round(statistics.median(a[1] / b[1] for a, b in runs), 2),
        "rounds": rounds,
    }


def _import_ms(module: str, rounds: int) -> float:
    """The median cumulative import time of ``module`` in fresh processes, from ``-X importtime``."""
    found = []
    for _ in range(rounds):
        done = subprocess.run(  # noqa: S603 -- our own interpreter
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            env=_environment(True),
            capture_output=True,
            text=True,
            check=True,
        )
        # The module's own line, at the top level (later lines may be modules imported lazily).
        match = re.search(r"\|\s*(\d+)\s*\| " + re.escape(module) + r"\s*$", done.stderr, re.MULTILINE)
        if match:
            found.append(int(match.group(1)) / 1000)
    return round(statistics.median(found), 1) if found else float("nan")


#: The label of the row the target is judged on.
WARM = "assess (caches warm)"
#: The libraries every command imports before any code of ours runs.
FLOOR = "import attrs, cattrs, click"


def measure(run: Run) -> dict[str, Any]:
    """The assess command on each backend, with and without the caches; the floor; the import times."""
    rounds = 5 if run.quick else 15
    command = [*_command(), *ASSESS]
    rows = (
        (WARM, command, True),
        ("assess --backend native (caches warm)", [*command, "--backend", "native"], True),
        ("assess (caches off)", command, False),
        (f"floor: python -c '{FLOOR}'", [sys.executable, "-c", FLOOR], True),
    )
    result: dict[str, Any] = {}
    for label, argv, cache in rows:
        log(f"startup {label}")
        result[label] = _pairs(argv, _environment(cache), rounds)
    modules = ("incident_rules", "incident_rules._cli", "incident_rules._engine")
    result["import_ms"] = {module: _import_ms(module, rounds) for module in modules}
    return result


COLUMNS: tuple[report.Column, ...] = (
    ("command", report.name),
    ("cpu ms", report.field("command_cpu_ms")),
    ("wall ms", report.field("command_wall_ms")),
    ("python -c pass cpu ms", report.field("python_pass_cpu_ms")),
    ("ratio (cpu)", report.field("ratio_cpu")),
    ("ratio (wall)", report.field("ratio_wall")),
)


def tables(result: dict[str, Any]) -> list[str]:
    rows = [(key, value) for key, value in result.items() if key != "import_ms"]
    title = "Start-up of `incident-rules assess` as a process, against `python -c pass` in the same run"
    imports = [[module, ms] for module, ms in result.get("import_ms", {}).items()]
    return [
        report.columns(title, COLUMNS, rows),
        report.table("Import time, -X importtime (ms, median)", ["module", "ms"], imports),
    ]


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 13: the command cold at most 5x ``python -c pass`` (the caches warm)."""
    ratio = result.get(WARM, {}).get("ratio_cpu")
    return [
        {
            "target": f"incident-rules assess as a process <= {TARGET_RATIO:g}x python -c pass (cpu)",
            "measured": ratio,
            "verdict": None,
            "met": None if ratio is None else ratio <= TARGET_RATIO,
        }
    ]


def main() -> None:
    """This family alone, as ``python benchmarks/startup.py``."""
    run = Run(quick="--quick" in sys.argv, config={}, backends=[], profile_all=False, families=(), results={})
    result = measure(run)
    print("\n".join(tables(result)))
    for target in targets(result):
        print(f"\n{target['target']}: {target['measured']}x, {'met' if target['met'] else 'not met'}")


if __name__ == "__main__":
    main()
