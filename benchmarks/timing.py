"""How the benchmarks time: interleaved per-call timing and the statistics of the samples."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from typing import Any

import attrs

#: The engine subject is compared with the baseline subject.
RATIOS = (
    ("native", "oracle"),
    ("native+explained", "oracle"),
    ("durable", "raw_durable"),
    ("durable+explained", "raw_durable"),
    ("durable.run", "raw_durable"),
    ("durable", "native"),
)


@attrs.frozen
class Subject:
    """Something to time. ``call(i)`` runs it on the i-th input.

    A self-timed subject returns the nanoseconds to count (the raw durable_rules baseline
    times only its calls into durable_rules); the others are timed around the call.
    """

    name: str
    call: Callable[[int], Any]
    self_timed: bool = False


def interleaved(subjects: list[Subject], rounds: int, per_round: int) -> dict[str, list[int]]:
    """Per-call nanoseconds of every subject, in rounds that alternate between subjects.

    On a shared, noisy machine a slow spell then hits every subject alike, so the ratios
    between subjects hold even when the absolute numbers drift.
    """
    samples: dict[str, list[int]] = {subject.name: [] for subject in subjects}
    clock = time.perf_counter_ns
    for round_number in range(rounds):
        for subject in subjects:
            out, call, offset = samples[subject.name], subject.call, round_number * per_round
            if subject.self_timed:
                for i in range(offset, offset + per_round):
                    out.append(call(i))
            else:
                for i in range(offset, offset + per_round):
                    start = clock()
                    call(i)
                    out.append(clock() - start)
    return samples


def auto_interleaved(
    subjects: list[Subject], budget_s: float, rounds: int = 5, cap: int = 20000
) -> dict[str, list[int]]:
    """Interleaved samples sized so the whole takes about ``budget_s`` seconds."""
    cost = 0.0
    for subject in subjects:
        start = time.perf_counter()
        for i in range(3):
            subject.call(i)
        cost += (time.perf_counter() - start) / 3
    calls = max(20, min(cap, int(budget_s / max(cost, 1e-9))))
    return interleaved(subjects, rounds, math.ceil(calls / rounds))


def stats(samples: list[int]) -> dict[str, float]:
    """Median, p99, mean and min in microseconds, with the sample count."""
    ordered = sorted(samples)
    count = len(ordered)
    return {
        "median_us": statistics.median(ordered) / 1000,
        "p99_us": ordered[min(count - 1, int(count * 0.99))] / 1000,
        "mean_us": statistics.fmean(ordered) / 1000,
        "min_us": ordered[0] / 1000,
        "n": count,
    }


def summarize(samples: dict[str, list[int]]) -> dict[str, Any]:
    """Statistics per subject and the ratios of medians of RATIOS that were measured."""
    result: dict[str, Any] = {name: stats(values) for name, values in samples.items()}
    ratios = {}
    for subject, baseline in RATIOS:
        if subject in result and baseline in result:
            ratios[f"{subject}/{baseline}"] = round(
                result[subject]["median_us"] / result[baseline]["median_us"], 2
            )
    result["ratios"] = ratios
    return result


def timer_overhead_us() -> float:
    """The median cost of timing an empty call the way :func:`interleaved` does."""
    samples = interleaved([Subject("empty", lambda i: None)], 5, 2000)["empty"]
    return statistics.median(samples) / 1000
