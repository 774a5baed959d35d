"""What the scaling curves share: points probed alone, then timed together; the curve's shape.

A curve's function runs in worker processes (``workers``): each point is first probed alone in a
fresh process with a timeout, then the points that worked are timed together, interleaved, in
one more process, so a durable_rules hang at one point is reported and the others still count.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import workers
from context import Run, log
from engines import assess_call, backend_run_call, capture_facts
from timing import Subject, summarize

from incident_rules import Engine, Incident

#: Above this exponent a curve is superlinear (quadratic gives 2).
LINEAR_EXPONENT = 1.25


def probed_curve(
    module: str, spec: dict[str, Any], key: str, xs: tuple[int, ...], run: Run, *, tuned_malloc: bool = False
) -> dict[str, Any]:
    """``module.probe`` at every x alone, then ``module.curve`` over the xs that worked."""
    config = run.config
    probes = {}
    for x in xs:
        log(f"{module} probe {spec} {key}={x}")
        probes[x] = workers.run(
            f"{module}.probe", spec | {key: x}, config["point_timeout_s"], tuned_malloc=tuned_malloc
        )
    good = [x for x in xs if "error" not in probes[x]]
    curve: dict[str, Any] = {}
    if good:
        log(f"{module} curve {spec} {key}s={good}")
        timeout = config["point_timeout_s"] + 4 * config["point_budget_s"] * len(good)
        points = spec | {f"{key}s": good, "budget_s": config["point_budget_s"]}
        timed = workers.run(f"{module}.curve", points, timeout, tuned_malloc=tuned_malloc)
        for x in good:
            curve[str(x)] = timed.get(str(x), {"error": timed.get("error", "missing from the curve")})
    for x in xs:
        curve[str(x)] = probes[x] | curve.get(str(x), {})
    return curve


def subjects(engines: dict[str, Engine], incident: Incident, at: datetime, prefix: str) -> list[Subject]:
    """Each engine's assessment (also explained) and backend run, and raw durable_rules."""
    inputs = [(incident, at)]
    found = []
    for name, engine in engines.items():
        found.append(Subject(f"{prefix}{name}", assess_call(engine, inputs)))
        found.append(Subject(f"{prefix}{name}+explained", assess_call(engine, inputs, explained=True)))
    facts = capture_facts(engines.get("native") or next(iter(engines.values())), incident, at)
    if facts is not None:
        for name, engine in engines.items():
            found.append(Subject(f"{prefix}{name}.run", backend_run_call(engine, [facts]), self_timed=True))
    if "durable" in engines and facts is not None:
        from raw_durable import RawDurable

        raw = RawDurable(engines["durable"]._plan)
        found.append(Subject(f"{prefix}raw_durable", lambda i: raw.run(dict(facts))[0], self_timed=True))
    return found


def by_point(samples: dict[str, list[int]], points: list[int]) -> dict[int, dict[str, Any]]:
    """The samples named ``point:subject`` summarized point by point."""
    return {
        point: summarize(
            {
                name.split(":", 1)[1]: values
                for name, values in samples.items()
                if name.startswith(f"{point}:")
            }
        )
        for point in points
    }


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


def linear_target(name: str, points: dict[Any, dict[str, Any]], subject: str) -> dict[str, Any]:
    """The target that ``subject``'s cost grows at most linearly along the curve ``name``."""
    shape = exponent(points, subject)
    return {
        "target": f"cost linear in {name}",
        "measured": shape["exponent"],
        "verdict": shape["verdict"],
        "met": shape["verdict"] in ("linear", "sublinear", "flat", "flat (noise)"),
    }
