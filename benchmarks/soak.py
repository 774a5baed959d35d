"""Memory soak: many assessments on many threads, and many engines built and dropped, per backend.

    python benchmarks/soak.py             # 1,000,000 assessments and 1,000 engines per backend
    python benchmarks/soak.py --quick     # 20,000 and 100: about a minute
    python benchmarks/soak.py --count 200000 --engines 300 --backends durable

Also the ``soak`` section of ``run.py``. Two measurements per backend, each in a fresh worker:

* ``soak_threads``: custom and shipped rules in turn on 8 threads; resident memory and the
  sessions durable_rules holds, sampled 100 times; a sample of the answers compared with the
  serial ones. Flat: the last tenth of the samples less than 1 MB above the first tenth.
* ``churn``: engines with params of their own built, used once and dropped; memory and the
  durable backends still alive. Flat: the same test over the second half of the run, once the
  cache of compiled conditions is full.

The workers of one measurement run at once, one per backend (2 cores): they measure memory and
correctness; their times are reported, not compared. Targets of issues 4 and 10: less than 1 MB
of growth, no session left alive, no answer differing from the serial one.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import report  # noqa: E402 -- after the path set-up above, for ``python benchmarks/soak.py``
import workers  # noqa: E402
from context import Run, log  # noqa: E402

NAME = "soak"
RSS_GROWTH_KIB = 1024
THREADS = 8
#: Engines built and dropped per backend, in a full run and a quick one.
ENGINES, ENGINES_QUICK = 1000, 100


def _spec(config: dict[str, Any], threads: int) -> dict[str, Any]:
    return {
        "count": config["soak"],
        "threads": threads,
        "warmup": config["soak_warmup"],
        "max_s": config["soak_max_s"],
    }


def soak_all(backends: list[str], config: dict[str, Any], threads: int, engines: int) -> dict[str, Any]:
    """The threaded soak of every backend at once, then the engines built and dropped of each."""
    log(f"soak {', '.join(backends)}: {config['soak']:,} assessments each on {threads} threads")
    spec = _spec(config, threads)
    started = {
        backend: workers.start("soak_threads.threaded", spec | {"backend": backend}) for backend in backends
    }
    # The soak stops itself after max_s; past this bound it is stuck.
    timeout = 2 * config["soak_max_s"] + config["soak_warmup"] * 0.02 + 120
    soaked = {backend: workers.finish(process, timeout) for backend, process in started.items()}
    log(f"churn {', '.join(backends)}: {engines:,} engines built and dropped each")
    spec = {"count": engines}
    started = {backend: workers.start("churn.dropped", spec | {"backend": backend}) for backend in backends}
    churned = {backend: workers.finish(process, 60 + engines * 0.5) for backend, process in started.items()}
    return {backend: {"threads": soaked[backend], "churn": churned[backend]} for backend in backends}


def measure(run: Run) -> dict[str, Any]:
    """Both measurements on every backend the run has (the ``soak`` section of run.py)."""
    engines = run.config.get("soak_engines", ENGINES_QUICK if run.quick else ENGINES)
    return soak_all(run.backends, run.config, THREADS, engines)


def _part(key: str, field: str) -> report.Reader:
    def read(item: tuple[str, Any]) -> Any:
        part = item[1].get(key, {})
        return part.get("memory", {}).get(field) if field in _MEMORY else part.get(field)

    return read


_MEMORY = ("first_decile_kib", "last_decile_kib", "slope_kib_per", "flat")

THREAD_COLUMNS: tuple[report.Column, ...] = (
    ("backend", report.name),
    ("assessments", _part("threads", "assessments")),
    ("s", _part("threads", "seconds")),
    ("per s", _part("threads", "per_second")),
    ("RSS start", _part("threads", "rss_start_kib")),
    ("middle", _part("threads", "rss_middle_kib")),
    ("end", _part("threads", "rss_end_kib")),
    ("1st decile", _part("threads", "first_decile_kib")),
    ("last decile", _part("threads", "last_decile_kib")),
    ("per 100k", _part("threads", "slope_kib_per")),
    ("flat", _part("threads", "flat")),
    ("sessions max", _part("threads", "sessions_max")),
    ("at end", _part("threads", "sessions_end")),
    ("checked", _part("threads", "checked")),
    ("wrong", _part("threads", "wrong")),
    ("errors", _part("threads", "errors")),
)

CHURN_COLUMNS: tuple[report.Column, ...] = (
    ("backend", report.name),
    ("engines", _part("churn", "engines")),
    ("RSS before", _part("churn", "rss_before_kib")),
    ("middle", _part("churn", "rss_middle_kib")),
    ("after", _part("churn", "rss_after_kib")),
    ("per engine", _part("churn", "per_engine_kib")),
    ("2nd half", _part("churn", "per_engine_second_half_kib")),
    ("backends alive max", _part("churn", "durable_backends_alive_max")),
    ("flat", _part("churn", "flat")),
)


def _errors(result: dict[str, Any]) -> list[str]:
    lines = []
    for backend, parts in result.items():
        for part, measured in parts.items():
            lines += [f"  {backend} {part}: {line}" for line in measured.get("failures", [])]
            if "error" in measured:
                lines.append(f"  {backend} {part}: {measured['error']}")
    return ["\nSoak failures:", *lines] if lines else []


#: The soak of runs before issue 10: one thread, shipped rules only (``run.py --show`` of them).
LEGACY_COLUMNS: tuple[report.Column, ...] = (
    ("backend", report.name),
    ("assessments", report.field("assessments")),
    ("us each", report.field("us_per_assessment")),
    ("RSS start", report.field("rss_after_warmup_kib")),
    ("RSS end", report.field("rss_final_kib")),
    ("growth", report.field("growth_kib")),
    ("live sids", report.field("live_sids_after")),
    ("error", report.field("error")),
)


def tables(result: dict[str, Any]) -> list[str]:
    if any("threads" not in entry for entry in result.values()):
        return [
            report.columns("Memory soak (KiB of VmRSS, from after warm-up)", LEGACY_COLUMNS, result.items())
        ]
    threads = next(iter(result.values()), {}).get("threads", {}).get("threads", THREADS)
    title = (
        f"Soak: custom and shipped rules in turn on {threads} threads "
        "(KiB of resident memory; slope in KiB per 100,000 assessments)"
    )
    churn_title = "Engines built and dropped (KiB; per engine over the run and its 2nd half)"
    return [
        report.columns(title, THREAD_COLUMNS, result.items()),
        report.columns(churn_title, CHURN_COLUMNS, result.items()),
        *_errors(result),
    ]


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Per backend: memory flat over the soak and the churn, no session left, no wrong answer."""
    found = []
    for backend, parts in result.items():
        found += _soak_targets(backend, parts.get("threads", {}))
        churned = parts.get("churn", {})
        found.append(
            _target(
                f"RSS flat over {churned.get('engines', 0):,} engines built and dropped ({backend})",
                churned.get("per_engine_second_half_kib"),
                churned.get("memory", {}).get("flat"),
            )
        )
    return found


def _soak_targets(backend: str, soaked: dict[str, Any]) -> list[dict[str, Any]]:
    done, planned, curve = soaked.get("assessments", 0), soaked.get("planned", 0), soaked.get("memory", {})
    limit = f" [time limit; {planned:,} planned]" if done < planned else ""
    growth = curve["last_decile_kib"] - curve["first_decile_kib"] if "last_decile_kib" in curve else None
    checked, wrong = soaked.get("checked"), soaked.get("wrong")
    left = soaked.get("sessions_end")
    return [
        _target(f"RSS growth < 1 MB over {done:,} assessments ({backend}){limit}", growth, curve.get("flat")),
        _target(f"no durable session left alive ({backend})", left, None if left is None else left == 0),
        _target(
            f"sampled answers equal the serial ones ({backend})",
            f"{wrong} of {checked} differ, {soaked.get('errors')} errors",
            (wrong == 0 and soaked.get("errors") == 0) if checked else None,
        ),
    ]


def _target(target: str, measured: Any, met: bool | None) -> dict[str, Any]:
    return {"target": target, "measured": measured, "met": met}


#: The sizes of a full and a quick standalone run (run.py passes its own).
FULL = {"soak": 1_000_000, "soak_warmup": 20_000, "soak_max_s": 3600, "soak_engines": ENGINES}
QUICK = {"soak": 20_000, "soak_warmup": 2_000, "soak_max_s": 120, "soak_engines": ENGINES_QUICK}


def _parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parse.add_argument("--quick", action="store_true", help="20,000 assessments and 100 engines per backend")
    parse.add_argument("--count", type=int, help="assessments per backend (full: 1,000,000)")
    parse.add_argument("--engines", type=int, help="engines built and dropped per backend (full: 1,000)")
    parse.add_argument("--threads", type=int, default=THREADS, help=f"threads assessing at once ({THREADS})")
    parse.add_argument("--max-s", type=float, help="stop each soak after this many seconds (full: 3600)")
    parse.add_argument("--backends", help="comma-separated: native,durable (default: those that build here)")
    parse.add_argument(
        "--out", type=Path, help="write the JSON here (default: results/soak-<time>-<mode>.json)"
    )
    return parse


def _config(args: argparse.Namespace) -> dict[str, Any]:
    config = dict(QUICK if args.quick else FULL)
    if args.count:
        config["soak"] = args.count
        config["soak_warmup"] = min(config["soak_warmup"], max(1, args.count // 50))
    if args.engines:
        config["soak_engines"] = args.engines
    if args.max_s:
        config["soak_max_s"] = args.max_s
    return config


def main() -> None:
    args = _parser().parse_args()
    import engines  # imports incident_rules: not before the options are read

    config = _config(args)
    backends = (
        args.backends.split(",")
        if args.backends
        else ["native"] + ([] if engines.durable_unavailable() else ["durable"])
    )
    began = time.perf_counter()
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    result = soak_all(backends, config, args.threads, config["soak_engines"])
    print("\n".join(tables(result)))
    for target in targets(result):
        verdict = {True: "met", False: "NOT MET", None: "-"}[target["met"]]
        print(f"{verdict:8} {target['target']}: {report.cell(target['measured'])}")
    mode = "quick" if args.quick else "full"
    out = args.out or HERE / "results" / f"soak-{started.replace(':', '').replace('-', '')[:15]}-{mode}.json"
    out.parent.mkdir(exist_ok=True)
    saved = {
        "started": started,
        "mode": mode,
        "config": config,
        "threads": args.threads,
        "seconds": round(time.perf_counter() - began, 1),
        "soak": result,
    }
    out.write_text(json.dumps(saved, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"total {saved['seconds']} s; wrote {out}")


if __name__ == "__main__":
    main()
