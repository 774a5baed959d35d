"""Benchmark suite of incident-rules (issue 4): one command, a table, a JSON file.

    python benchmarks/run.py            # full run, about 15 minutes on 2 cores
    python benchmarks/run.py --quick    # under 2 minutes, fewer samples, 20,000-assessment soak
    python benchmarks/run.py --show benchmarks/results/latest.json   # the tables of a saved run

Every engine number is reported beside a baseline measured in the same run (the plain-Python
oracle, raw durable_rules on the same compiled rules, the native backend), because the machine
is shared and noisy: compare ratios between runs, not absolute microseconds. Targets are
reported, never asserted. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import engines
import latency
import load
import machine
import profiling
import report
import scale_rules
import scale_timeline
import soak
import startup
import targets
import throughput
from context import Run

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

#: Every family of measurements, in the order it runs and reports. A family is a module with a
#: ``NAME`` (its section and its key in the JSON), ``measure(run)`` (its JSON-ready result, or
#: None for nothing to record), ``tables(result)`` (its part of the report) and, if it states
#: targets of issue 4, ``targets(result)``. A new family is a new module and one line here.
FAMILIES = (load, startup, latency, throughput, scale_rules, scale_timeline, soak, targets, profiling)
#: What ``--only`` chooses from: every family but the targets, which are always gathered.
SECTIONS = tuple(family.NAME for family in FAMILIES if family is not targets)

FULL = {
    "load_repeats": 5,
    "rule_counts": (10, 100, 500, 1000),
    "timeline_lengths": (10, 100, 1000, 3000, 10000),
    "point_budget_s": 2.0,
    "point_timeout_s": 180,
    "soak": 1_000_000,
    "soak_warmup": 20_000,
    "soak_max_s": 840,
}
QUICK = {
    "load_repeats": 2,
    "rule_counts": (10, 100, 500, 1000),
    "timeline_lengths": (10, 100, 1000, 3000, 10000),
    "point_budget_s": 0.3,
    "point_timeout_s": 60,
    "soak": 20_000,
    "soak_warmup": 2_000,
    "soak_max_s": 60,
}


def report_text(results: dict[str, Any]) -> str:
    """The heading, then the tables of every family the results hold."""
    parts = report.heading(results)
    for family in FAMILIES:
        if family.NAME in results:
            parts += family.tables(results[family.NAME])
    return "\n".join(parts)


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parse.add_argument(
        "--quick", action="store_true", help="fewer samples and a 20,000-assessment soak (< 2 min)"
    )
    parse.add_argument("--only", help=f"comma-separated sections to run: {', '.join(SECTIONS)}")
    parse.add_argument("--soak", type=int, help="assessments per backend in the memory soak")
    parse.add_argument("--soak-max-s", type=float, help="stop each soak after this many seconds (full: 840)")
    parse.add_argument(
        "--profile", action="store_true", help="profile every backend, not only those missing a target"
    )
    parse.add_argument("--out", type=Path, help="write the JSON here (and leave results/latest.json alone)")
    parse.add_argument("--show", type=Path, help="print the tables of a saved JSON result and exit")
    return parse


def configure(
    args: argparse.Namespace, parse: argparse.ArgumentParser
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The sample sizes of the mode with the options applied, and the sections to run."""
    config = dict(QUICK if args.quick else FULL)
    if args.soak:
        config["soak"], config["soak_warmup"] = args.soak, min(config["soak_warmup"], max(1, args.soak // 10))
    if args.soak_max_s:
        config["soak_max_s"] = args.soak_max_s
    sections = SECTIONS if not args.only else tuple(args.only.split(","))
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parse.error(f"unknown sections {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    return config, sections


def measure(args: argparse.Namespace, config: dict[str, Any], sections: tuple[str, ...]) -> dict[str, Any]:
    """Every chosen family in order, then the run's duration and whether it was complete."""
    began = time.perf_counter()
    durable = engines.durable_unavailable()
    backends = ["native"] if durable else ["native", "durable"]
    results: dict[str, Any] = {
        "mode": "quick" if args.quick else "full",
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "config": config,
        "sections": list(sections),
        "environment": machine.environment(),
        "durable": durable,
    }
    run = Run(args.quick, config, backends, args.profile, FAMILIES, results)
    for family in FAMILIES:
        if family.NAME in sections or family is targets:
            measured = family.measure(run)
            if measured is not None:
                results[family.NAME] = measured
    results["seconds"] = round(time.perf_counter() - began, 1)
    results["load_average_end"] = machine.load_average()
    results["complete"] = set(sections) == set(SECTIONS) and args.soak in (None, FULL["soak"])
    return results


def save(results: dict[str, Any], out: Path | None) -> list[Path]:
    """The run's own JSON file; a complete full run also goes into results/latest.json."""
    RESULTS.mkdir(exist_ok=True)
    stamp = results["started"].replace(":", "").replace("-", "")[:15]
    python = "py" + ".".join(results["environment"]["python"].split(".")[:2])
    paths = [out or RESULTS / f"{stamp}-{python}-{results['mode']}.json"]
    paths[0].write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    if results["mode"] == "full" and out is None and results["complete"]:
        # latest.json keeps the newest full run of each interpreter.
        latest_path = RESULTS / "latest.json"
        latest = json.loads(latest_path.read_text(encoding="utf-8")) if latest_path.exists() else {}
        latest.setdefault("runs", {})[python] = results
        latest_path.write_text(json.dumps(latest, indent=1, default=str) + "\n", encoding="utf-8")
        paths.append(latest_path)
    return paths


def main() -> None:
    parse = parser()
    args = parse.parse_args()
    if args.show:
        saved = json.loads(args.show.read_text(encoding="utf-8"))
        for run in saved.get("runs", {"": saved}).values():  # latest.json holds one run per Python
            print(report_text(run) + "\n")
        return
    config, sections = configure(args, parse)
    results = measure(args, config, sections)
    print(report_text(results))
    print(f"\ntotal {results['seconds']} s")
    for path in save(results, args.out):
        print(f"wrote {path.relative_to(HERE.parent) if path.is_relative_to(HERE.parent) else path}")


if __name__ == "__main__":
    main()
