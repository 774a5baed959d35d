"""A/B: the same assessments timed on two installs of incident-rules, taking turns.

    python benchmarks/ab.py BEFORE_PYTHON AFTER_PYTHON [--pairs 8] [--rounds 12] [--at ISO]

Each interpreter is that of a venv with one version of incident-rules installed (for example a
``git worktree`` at another commit with its own venv). They take turns, A B, B A, A B, ..., each
pair in two fresh processes timing the same inputs (this checkout's workloads, through the
public API only, so any layout works): the seed example at ``--at`` and the mixed workload, per
backend. On a shared machine a slow spell then hits both versions alike; read the ratio per pair.
Printed: per subject the median over pairs of each version's median, every pair's ratio
after/before, and the median of those ratios. Wall time per call, and thread CPU time per call
(``cpu``: the time the process was not running is left out).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import report
import timing
import workers
import workloads
from timing import Subject

from incident_rules import Engine, EngineError, Incident


def _subjects(at: str) -> list[Subject]:
    inputs = {
        "seed": [(Incident.from_dict(workloads.seed_document()), workloads.parse_at(at))],
        "mixed": workloads.workload_inputs("mixed", 200),
    }
    found = []
    for backend in ("native", "durable"):
        try:
            engine = Engine.default(backend=backend)  # type: ignore[arg-type]
        except EngineError:  # durable_rules does not import here: native only
            continue
        for workload, pairs in inputs.items():

            def call(i: int, e: Engine = engine, pairs: list[Any] = pairs) -> Any:
                incident, moment = pairs[i % len(pairs)]
                return e.assess(incident, at=moment)

            def cpu(i: int, call: Any = call, clock: Any = time.thread_time_ns) -> int:
                start = clock()
                call(i)
                return clock() - start

            found.append(Subject(f"{backend} {workload}", call))
            found.append(Subject(f"{backend} {workload} cpu", cpu, self_timed=True))
    return found


def measure(rounds: int, at: str) -> dict[str, float]:
    """In a worker: each subject's median per-call time in us, after a warm-up."""
    subjects = _subjects(at)
    timing.interleaved(subjects, 1, 400)
    samples = timing.interleaved(subjects, rounds, 200)
    return {name: timing.stats(values)["median_us"] for name, values in samples.items()}


def _table(pairs: list[dict[str, dict[str, float]]]) -> str:
    rows = []
    for subject in pairs[0]["before"]:
        before = [pair["before"][subject] for pair in pairs]
        after = [pair["after"][subject] for pair in pairs]
        ratios = [a / b for a, b in zip(after, before, strict=True)]
        each = " ".join(f"{ratio:.2f}" for ratio in ratios)
        rows.append(
            [subject, statistics.median(before), statistics.median(after), each, statistics.median(ratios)]
        )
    headers = ["subject (us)", "before", "after", "after/before per pair", "median ratio"]
    return report.table(f"A/B over {len(pairs)} pairs (medians)", headers, rows)


def main() -> None:
    parse = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parse.add_argument("before", help="the interpreter of the venv with the version before")
    parse.add_argument("after", help="the interpreter of the venv with the version after")
    parse.add_argument("--pairs", type=int, default=8, help="how many A B pairs (default 8)")
    parse.add_argument("--rounds", type=int, default=12, help="rounds of 200 calls per subject (default 12)")
    parse.add_argument("--at", default="2025-06-15T14:40:00Z", help="the instant of the seed example")
    parse.add_argument(
        "--tuned-malloc", action="store_true", help="glibc told to keep freed memory (see README, findings)"
    )
    args = parse.parse_args()
    pairs = []
    for number in range(1, args.pairs + 1):
        pair = {}
        # A B, then B A: a drift over the run (a job starting, the machine warming) cancels out.
        for version in ("before", "after") if number % 2 else ("after", "before"):
            spec = {"rounds": args.rounds, "at": args.at}
            python = getattr(args, version)
            pair[version] = workers.run(
                "ab.measure", spec, 600, tuned_malloc=args.tuned_malloc, python=python
            )
            if "error" in pair[version]:
                raise SystemExit(f"{version} ({python}): {pair[version]['error']}")
        pairs.append(pair)
        print(
            f"pair {number}: "
            + ", ".join(f"{k} {v:.1f}/{pair['after'][k]:.1f}" for k, v in pair["before"].items())
        )
    print(_table(pairs))


if __name__ == "__main__":
    main()
