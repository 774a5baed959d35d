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
import math
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# The plain-Python oracle baseline is the one the tests hold the engine to (tests/oracle.py).
sys.path.append(str(HERE.parent / "tests"))
RESULTS = HERE / "results"
SECTIONS = ("load", "latency", "throughput", "scale-rules", "scale-timeline", "soak", "profile")

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
#: The targets of issue 4.
NATIVE_MEDIAN_US = 15.0
DURABLE_OVER_RAW = 1.5
RSS_GROWTH_KIB = 1024
LINEAR_EXPONENT = 1.25


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- workers -------------------------------------------------------------------------------------


def worker(kind: str, spec: dict[str, Any]) -> Any:
    """One measurement in this fresh process; run.py starts it with a timeout."""
    if kind == "load":
        start = time.perf_counter()
        from incident_rules import Engine

        imported = time.perf_counter()
        Engine.default(backend=spec["backend"])
        cold = time.perf_counter()
        Engine.default(backend=spec["backend"])
        warm = time.perf_counter()
        return {"import_s": imported - start, "cold_s": cold - imported, "warm_s": warm - cold}
    import measure

    if kind == "rules-probe":
        return measure.rules_probe(spec["backend"], spec["hit"], spec["count"])
    if kind == "rules-curve":
        return measure.rules_curve(spec["backend"], spec["hit"], spec["counts"], spec["budget_s"])
    if kind == "timeline-probe":
        return measure.timeline_probe(spec["backend"], spec["length"])
    if kind == "timeline-curve":
        return measure.timeline_curve(spec["backend"], spec["lengths"], spec["budget_s"])
    if kind == "soak":
        return measure.soak(spec["backend"], spec["count"], spec["warmup"], spec["max_s"])
    raise SystemExit(f"unknown worker {kind!r}")


#: glibc settings that keep freed memory in the process instead of handing it back to the OS.
#: DESIGN.md: durable_rules' per-call cost depends on the allocator; large rulesets show it.
TUNED_MALLOC = {"MALLOC_TRIM_THRESHOLD_": str(512 << 20), "MALLOC_TOP_PAD_": str(64 << 20)}


def start_worker(kind: str, spec: dict[str, Any]) -> subprocess.Popen[str]:
    command = [sys.executable, str(HERE / "run.py"), "--worker", kind, "--spec", json.dumps(spec)]
    env = os.environ | TUNED_MALLOC if spec.get("tuned_malloc") else None
    # This interpreter running this file: the command holds nothing from outside.
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)  # noqa: S603


def finish_worker(process: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
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


def run_worker(kind: str, spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    return finish_worker(start_worker(kind, spec), timeout)


# -- sections ------------------------------------------------------------------------------------


def load_section(backends: list[str], config: dict[str, Any]) -> dict[str, Any]:
    result = {}
    for backend in backends:
        runs = []
        for _ in range(config["load_repeats"]):
            log(f"load {backend}")
            runs.append(run_worker("load", {"backend": backend}, config["point_timeout_s"]))
        good = [r for r in runs if "error" not in r]
        if not good:
            result[backend] = runs[0]
            continue
        result[backend] = {
            key: round(sorted(r[key] for r in good)[len(good) // 2] * 1000, 1)
            for key in ("import_s", "cold_s", "warm_s")
        }
        result[backend] = {k.replace("_s", "_ms"): v for k, v in result[backend].items()} | {
            "repeats": len(good)
        }
    return result


def _curve(
    kind: str, spec: dict[str, Any], xs: tuple[int, ...], key: str, config: dict[str, Any]
) -> dict[str, Any]:
    """One scaling curve: every point probed alone with a timeout, then the points that
    worked timed together, interleaved, in one more process."""
    probes = {}
    for x in xs:
        log(f"{kind} probe {spec} {key}={x}")
        probes[x] = run_worker(f"{kind}-probe", spec | {key: x}, config["point_timeout_s"])
    good = [x for x in xs if "error" not in probes[x]]
    curve: dict[str, Any] = {}
    if good:
        log(f"{kind} curve {spec} {key}s={good}")
        timeout = config["point_timeout_s"] + 4 * config["point_budget_s"] * len(good)
        timed = run_worker(
            f"{kind}-curve", spec | {f"{key}s": good, "budget_s": config["point_budget_s"]}, timeout
        )
        for x in good:
            curve[str(x)] = timed.get(str(x), {"error": timed.get("error", "missing from the curve")})
    for x in xs:
        curve[str(x)] = probes[x] | curve.get(str(x), {})
    return curve


def rules_section(backends: list[str], config: dict[str, Any]) -> dict[str, Any]:
    variants: list[tuple[str, dict[str, Any]]] = [(backend, {}) for backend in backends]
    if "durable" in backends and sys.platform == "linux":
        # The same durable curve with glibc told to keep freed memory: shows the allocator's share.
        variants.append(("durable+tuned-malloc", {"tuned_malloc": True}))
    result = {}
    for name, extra in variants:
        for hit in ("first", "collect"):
            spec = {"backend": name.split("+")[0], "hit": hit} | extra
            result[f"{name}/{hit}"] = _curve("rules", spec, config["rule_counts"], "count", config)
    return result


def timeline_section(backends: list[str], config: dict[str, Any]) -> dict[str, Any]:
    return {
        backend: _curve("timeline", {"backend": backend}, config["timeline_lengths"], "length", config)
        for backend in backends
    }


def soak_section(backends: list[str], config: dict[str, Any]) -> dict[str, Any]:
    # Both soaks run at once: they measure memory, not time, and the machine has two cores.
    log(f"soak {', '.join(backends)}: {config['soak']:,} assessments each")
    spec = {"count": config["soak"], "warmup": config["soak_warmup"], "max_s": config["soak_max_s"]}
    processes = {backend: start_worker("soak", spec | {"backend": backend}) for backend in backends}
    # The soak stops itself after soak_max_s; past this bound it is stuck.
    timeout = 2 * config["soak_max_s"] + config["soak_warmup"] * 0.02 + 60
    return {backend: finish_worker(process, timeout) for backend, process in processes.items()}


# -- targets -------------------------------------------------------------------------------------


def _median(latency: dict[str, Any], key: str, subject: str) -> float | None:
    return latency.get(key, {}).get(subject, {}).get("median_us")


def exponent(points: dict[Any, dict[str, Any]], subject: str) -> dict[str, Any]:
    """How the cost grows with x: the exponent b of (cost - cost at the smallest x) ~ x^b.

    Taken between the last two points, each as growth over the cost at a small x, so a fixed
    per-call cost does not hide the growth: b near 1 is linear, near 2 quadratic. The x
    values are spaced so that both growths are well above the noise. A curve whose largest
    cost is within 25 % of its smallest is flat.
    """
    xs = sorted(int(x) for x in points)
    costs = {x: points[x if x in points else str(x)].get(subject, {}).get("median_us") for x in xs}
    failed = [x for x in xs if costs[x] is None]
    if failed:
        return {"verdict": f"no result at {', '.join(map(str, failed))}", "exponent": None}
    low, high = min(costs.values()), max(costs.values())
    if high < 1.25 * low:
        return {"verdict": "flat", "exponent": 0.0}
    # The fixed cost: the cheapest of the smaller points (one noisy small point cannot skew b).
    first = min(xs[:-2], key=lambda x: costs[x])
    middle, last = xs[-2], xs[-1]
    grow_middle, grow_last = costs[middle] - costs[first], costs[last] - costs[first]
    if grow_middle <= 0 or grow_last <= 0:
        return {"verdict": "flat (noise)", "exponent": None}
    b = math.log(grow_last / grow_middle) / math.log((last - first) / (middle - first))
    verdict = (
        "linear" if 0.75 <= b <= LINEAR_EXPONENT else "superlinear" if b > LINEAR_EXPONENT else "sublinear"
    )
    return {"verdict": verdict, "exponent": round(b, 2)}


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 4: what was measured and whether it is met (None: not measured)."""
    targets = []
    latency = results.get("latency", {})
    if latency:
        for workload in ("seed", "mixed"):
            for subject, what in (("native", "assessment"), ("native+explained", "explained assessment")):
                native = _median(latency, f"{workload}/whole", subject)
                targets.append(
                    {
                        "target": f"native {what} median < {NATIVE_MEDIAN_US:g} us ({workload})",
                        "measured": native,
                        "met": None if native is None else native < NATIVE_MEDIAN_US,
                    }
                )
            ratios = latency.get(f"{workload}/whole", {}).get("ratios", {})
            for subject, what in (
                ("durable", "assessment"),
                ("durable+explained", "explained assessment"),
                ("durable.run", "backend run alone"),
            ):
                ratio = ratios.get(f"{subject}/raw_durable")
                targets.append(
                    {
                        "target": f"durable {what} <= {DURABLE_OVER_RAW:g}x raw durable_rules ({workload})",
                        "measured": ratio,
                        "met": None if ratio is None else ratio <= DURABLE_OVER_RAW,
                    }
                )
    curves = []
    for key, points in results.get("scale-rules", {}).items():
        backend = key.split("/")[0].split("+")[0]
        curves += [(f"rules: {key}", points, backend)]
        curves += [(f"rules: {key} explained", points, f"{backend}+explained")]
    for backend, points in results.get("scale-timeline", {}).items():
        curves += [(f"timeline entries: {backend} assess(Incident)", points, backend)]
        curves += [(f"timeline entries: {backend} assess(dict)", points, f"{backend} assess(dict)")]
    for name, points, subject in curves:
        shape = exponent(points, subject)
        targets.append(
            {
                "target": f"cost linear in {name}",
                "measured": shape["exponent"],
                "verdict": shape["verdict"],
                "met": shape["verdict"] in ("linear", "sublinear", "flat", "flat (noise)"),
            }
        )
    for backend, soak in results.get("soak", {}).items():
        growth = soak.get("growth_kib")
        stopped = soak.get("assessments", 0) < soak.get("planned", 0)
        targets.append(
            {
                "target": f"RSS growth < 1 MB over {soak.get('assessments', 0):,} assessments ({backend})"
                + (f" [time limit; {soak['planned']:,} planned]" if stopped else ""),
                "measured": growth,
                "met": None if growth is None else growth < RSS_GROWTH_KIB,
            }
        )
    return targets


# -- report --------------------------------------------------------------------------------------


def table(title: str, headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [
        max(len(str(h)), *(len(row[i]) for row in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]
    lines = [f"\n{title}", "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        for row in cells
    ]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _loads(values: list[float] | None) -> str:
    return "/".join(f"{value:.2f}" for value in values) if values else "?"


def _us(entry: dict[str, Any], subject: str, key: str = "median_us") -> float | None:
    return entry.get(subject, {}).get(key) if isinstance(entry.get(subject), dict) else None


def report(results: dict[str, Any]) -> str:
    env = results["environment"]
    libraries = ", ".join(f"{k} {v}" for k, v in env["libraries"].items())
    modified = " + uncommitted changes in src/ or rules/" if env["src_or_rules_modified"] else ""
    parts = [
        f"incident-rules benchmarks ({results['mode']}) {results['started']}",
        f"machine: {env['cpu']}, {env['cores']} cores, load average "
        f"{_loads(env['load_average'])} at start, {_loads(results.get('load_average_end'))} at end",
        f"python {env['python']} ({env['implementation']}); {libraries}",
        f"source: {env['git_commit']}{modified}; timer overhead {env['timer_overhead_us']} us per call; "
        f"durable: {results['durable'] or 'available'}",
    ]
    if "load" in results:
        rows = [
            [b, r.get("import_ms"), r.get("cold_ms"), r.get("warm_ms"), r.get("error")]
            for b, r in results["load"].items()
        ]
        parts.append(
            table(
                "Load and compile of the shipped rules (ms, median of fresh processes)",
                ["backend", "import", "Engine.default() cold", "again (warm)", "error"],
                rows,
            )
        )
    if "latency" in results:
        rows = []
        for key, entry in results["latency"].items():
            ratios = entry.get("ratios", {})
            rows.append(
                [
                    key,
                    _us(entry, "native"),
                    _us(entry, "native", "p99_us"),
                    _us(entry, "native+explained"),
                    _us(entry, "durable"),
                    _us(entry, "durable", "p99_us"),
                    _us(entry, "durable+explained"),
                    _us(entry, "native.run"),
                    _us(entry, "durable.run"),
                    _us(entry, "raw_durable"),
                    _us(entry, "oracle"),
                    ratios.get("native/oracle"),
                    ratios.get("durable/raw_durable"),
                    ratios.get("durable+explained/raw_durable"),
                    ratios.get("durable.run/raw_durable"),
                    ratios.get("durable/native"),
                ]
            )
        parts.append(
            table(
                "Latency of assess (us): median and p99 per backend; +expl also reads every explanation; "
                "the backend's run alone; baselines; ratios of medians",
                [
                    "workload/target",
                    "native",
                    "p99",
                    "+expl",
                    "durable",
                    "p99",
                    "+expl",
                    "native.run",
                    "durable.run",
                    "raw dr",
                    "oracle",
                    "nat/orc",
                    "dur/raw",
                    "+expl/raw",
                    "run/raw",
                    "dur/nat",
                ],
                rows,
            )
        )
        checks = []
        for key, entry in results["latency"].items():
            agree = entry.get("agreement", {})
            checks.append(
                [
                    key,
                    agree.get("inputs"),
                    agree.get("durable_equals_native"),
                    agree.get("oracle_equals_native"),
                    agree.get("raw_equals_native"),
                    "; ".join(entry.get("notes", [])),
                ]
            )
        parts.append(
            table(
                "Same decisions? (inputs on which each agrees with the native engine)",
                ["workload/target", "inputs", "durable", "oracle", "raw dr", "notes"],
                checks,
            )
        )
    if "throughput" in results:
        t = results["throughput"]
        rows = [[name, v["docs_per_s"], v["us_per_doc"]] for name, v in t.items() if isinstance(v, dict)]
        parts.append(
            table(
                f"Throughput over a batch of {t['documents']:,} generated documents "
                f"(median of {t['repeats']})",
                ["what", "docs/s", "us/doc"],
                rows,
            )
        )
    if "scale-rules" in results:
        rows = []
        for key, curve in results["scale-rules"].items():
            backend = key.split("/")[0].split("+")[0]
            for count, point in curve.items():
                rows.append(
                    [
                        key,
                        count,
                        point.get("compile_s"),
                        _us(point, backend),
                        _us(point, backend, "p99_us"),
                        _us(point, f"{backend}+explained"),
                        _us(point, f"{backend}.run"),
                        _us(point, "native") if backend == "durable" else None,
                        _us(point, "raw_durable"),
                        point.get("ratios", {}).get("durable/raw_durable"),
                        point.get("ratios", {}).get("durable.run/raw_durable"),
                        point.get("error"),
                    ]
                )
        parts.append(
            table(
                "Cost vs number of rules (one generated ruleset; us per assess; +expl: every explanation "
                "read; run only: the backend alone)",
                [
                    "backend/hit",
                    "rules",
                    "compile s",
                    "median",
                    "p99",
                    "+expl",
                    "run only",
                    "native",
                    "raw dr",
                    "dur/raw",
                    "run/raw",
                    "error",
                ],
                rows,
            )
        )
    if "scale-timeline" in results:
        rows = []
        for backend, curve in results["scale-timeline"].items():
            for length, point in curve.items():
                rows.append(
                    [
                        backend,
                        length,
                        _us(point, backend),
                        _us(point, backend, "p99_us"),
                        _us(point, f"{backend} assess(dict)"),
                        _us(point, "Incident.from_dict"),
                        _us(point, "oracle"),
                        point.get("ratios", {}).get("native/oracle"),
                        point.get("error"),
                    ]
                )
        parts.append(
            table(
                "Cost vs timeline length (seed example; us per call)",
                [
                    "backend",
                    "entries",
                    "assess(Incident)",
                    "p99",
                    "assess(dict)",
                    "from_dict",
                    "oracle",
                    "nat/orc",
                    "error",
                ],
                rows,
            )
        )
    if "soak" in results:
        rows = [
            [
                b,
                s.get("assessments"),
                s.get("us_per_assessment"),
                s.get("rss_after_warmup_kib"),
                s.get("rss_final_kib"),
                s.get("growth_kib"),
                s.get("max_growth_kib"),
                s.get("live_sids_after"),
                s.get("error"),
            ]
            for b, s in results["soak"].items()
        ]
        parts.append(
            table(
                "Memory soak (KiB of VmRSS, from after warm-up)",
                [
                    "backend",
                    "assessments",
                    "us each",
                    "RSS start",
                    "RSS end",
                    "growth",
                    "max growth",
                    "live sids",
                    "error",
                ],
                rows,
            )
        )
    if results.get("targets"):
        rows = [[t["target"], t["measured"], t.get("verdict"), t["met"]] for t in results["targets"]]
        parts.append(
            table("Targets of issue 4 (reported, not asserted)", ["target", "measured", "shape", "met"], rows)
        )
    for backend, prof in results.get("profile", {}).items():
        rows = [
            [r["function"], r["calls"], r["percent"], r["us_per_assessment"]]
            for r in prof["by_cumulative_time_incident_rules"]
        ]
        parts.append(
            table(
                f"Profile, {backend} assess, cumulative time in incident_rules "
                f"({prof['total_us_per_assessment']} us per assessment under cProfile)",
                ["function", "calls", "%", "us/assess"],
                rows,
            )
        )
        rows = [
            [r["function"], r["calls"], r["percent"], r["us_per_assessment"]] for r in prof["by_own_time"]
        ]
        parts.append(
            table(f"Profile, {backend} assess, own time", ["function", "calls", "%", "us/assess"], rows)
        )
    return "\n".join(parts)


# -- main ----------------------------------------------------------------------------------------


def save(results: dict[str, Any], out: Path | None) -> list[Path]:
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
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer samples and a 20,000-assessment soak (< 2 min)"
    )
    parser.add_argument("--only", help=f"comma-separated sections to run: {', '.join(SECTIONS)}")
    parser.add_argument("--soak", type=int, help="assessments per backend in the memory soak")
    parser.add_argument("--soak-max-s", type=float, help="stop each soak after this many seconds (full: 840)")
    parser.add_argument(
        "--profile", action="store_true", help="profile every backend, not only those missing a target"
    )
    parser.add_argument("--out", type=Path, help="write the JSON here (and leave results/latest.json alone)")
    parser.add_argument("--show", type=Path, help="print the tables of a saved JSON result and exit")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print("RESULT " + json.dumps(worker(args.worker, json.loads(args.spec)), default=str), flush=True)
        return
    if args.show:
        saved = json.loads(args.show.read_text(encoding="utf-8"))
        for run in saved.get("runs", {"": saved}).values():  # latest.json holds one run per Python
            print(report(run) + "\n")
        return

    import measure
    import timing

    config = dict(QUICK if args.quick else FULL)
    if args.soak:
        config["soak"], config["soak_warmup"] = args.soak, min(config["soak_warmup"], max(1, args.soak // 10))
    if args.soak_max_s:
        config["soak_max_s"] = args.soak_max_s
    sections = SECTIONS if not args.only else tuple(args.only.split(","))
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    began = time.perf_counter()
    durable = measure.durable_unavailable()
    backends = ["native"] if durable else ["native", "durable"]
    results: dict[str, Any] = {
        "mode": "quick" if args.quick else "full",
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "config": config,
        "sections": list(sections),
        "environment": timing.environment(),
        "durable": durable,
    }
    if "load" in sections:
        results["load"] = load_section(backends, config)
    if "latency" in sections:
        results["latency"] = measure.latency(args.quick, durable is None, log)
    if "throughput" in sections:
        results["throughput"] = measure.throughput(args.quick, durable is None, log)
    if "scale-rules" in sections:
        results["scale-rules"] = rules_section(backends, config)
    if "scale-timeline" in sections:
        results["scale-timeline"] = timeline_section(backends, config)
    if "soak" in sections:
        results["soak"] = soak_section(backends, config)
    results["targets"] = evaluate(results)
    if "profile" in sections:
        # Every target names the backend it measures: profile the backends that miss one.
        missed = [
            b for b in backends if any(t["met"] is False and b in t["target"] for t in results["targets"])
        ]
        chosen = backends if args.profile else missed
        if chosen:
            log(f"profile {', '.join(chosen)}")
            results["profile"] = measure.profiles(chosen, args.quick)
    results["seconds"] = round(time.perf_counter() - began, 1)
    results["load_average_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    results["complete"] = set(sections) == set(SECTIONS) and args.soak in (None, FULL["soak"])
    print(report(results))
    print(f"\ntotal {results['seconds']} s")
    for path in save(results, args.out):
        print(f"wrote {path.relative_to(HERE.parent) if path.is_relative_to(HERE.parent) else path}")


if __name__ == "__main__":
    main()
