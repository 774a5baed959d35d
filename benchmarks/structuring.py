"""Reading a document (JSON text -> validated ``Incident``), issue 13: each step's candidates.

    python benchmarks/structuring.py [--documents 1000] [--rounds 7]

Per document, CPU time (``process_time``), the median of interleaved rounds (a slow spell on this
shared machine hits every candidate alike), on the mixed workload and on the seed example:

- **decode**: ``json.loads``; msgspec's untyped decoder and orjson (where installed); and
  ``jsontext.loads``, what replay uses (msgspec where the ``fast`` extra is installed, falling
  back to ``json.loads`` on any refusal).
- **structure**: the strict cattrs converter, and the generated fast path (what ``assess`` uses).
- **text to facts**: decode and structure together; and, as the floor of a typed C decoder,
  msgspec decoding the text straight into ``msgspec.Struct`` mirrors of the document (no dicts,
  no attrs objects). That floor is not a candidate: it builds no ``Incident``, its times and
  unknown keys are not ours, and ``datetime | date`` (``due``) is a union msgspec refuses.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import machine
import workloads

from incident_rules import Incident
from incident_rules._facts import jsontext
from incident_rules._facts.fast import structure_fast


def _decoders() -> dict[str, Callable[[str], Any]]:
    found: dict[str, Callable[[str], Any]] = {"json.loads": json.loads}
    try:
        import msgspec
    except ImportError:
        pass
    else:
        found["msgspec untyped"] = msgspec.json.Decoder().decode
    try:
        import orjson
    except ImportError:
        pass
    else:
        found["orjson (big ints as floats)"] = orjson.loads
    found["jsontext.loads (adopted)"] = jsontext.loads
    return found


def _typed_floor() -> Callable[[str], Any] | None:
    """msgspec decoding straight into Structs shaped like the document, or None without msgspec."""
    try:
        import msgspec_floor
    except ImportError:
        return None
    decode: Callable[[str], Any] = msgspec_floor.decoder()
    return decode


def _structurers() -> dict[str, Callable[[Any], Any]]:
    return {
        "cattrs strict": Incident.from_dict,
        "generated fast path": lambda document: structure_fast(document, Incident),
    }


def _to_facts() -> dict[str, Callable[[str], Any]]:
    found: dict[str, Callable[[str], Any]] = {
        "json.loads + fast path": lambda text: structure_fast(json.loads(text), Incident),
        "jsontext.loads + fast path": lambda text: structure_fast(jsontext.loads(text), Incident),
    }
    floor = _typed_floor()
    if floor is not None:
        found["msgspec typed Structs (floor)"] = floor
    return found


def _cpu_us(call: Callable[[Any], Any], inputs: list[Any]) -> float:
    start = time.process_time()
    for value in inputs:
        call(value)
    return (time.process_time() - start) / len(inputs) * 1e6


def _table(
    title: str, candidates: dict[str, Callable[[Any], Any]], inputs: dict[str, list[Any]], rounds: int
) -> None:
    samples: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):  # interleaved: every candidate once per round
        for name, call in candidates.items():
            for workload, values in inputs.items():
                samples.setdefault((name, workload), []).append(_cpu_us(call, values))
    first = next(iter(candidates))
    print(f"\n{title:34}" + "".join(f" {w + ' µs':>12} {'x ' + first[:10]:>13}" for w in inputs))
    for name in candidates:
        cells = ""
        for workload in inputs:
            us = statistics.median(samples[name, workload])
            cells += f" {us:12.1f} {statistics.median(samples[first, workload]) / us:13.2f}"
        print(f"{name:34}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    options = parser.parse_args()
    documents = {
        "mixed": [document for document, _ in workloads.documents(options.documents)],
        "seed": [workloads.seed_document()] * 100,
    }
    texts = {workload: [json.dumps(d) for d in values] for workload, values in documents.items()}
    print(f"load average before: {machine.load_average()}")
    _table("decode (JSON text -> dicts)", _decoders(), texts, options.rounds)
    _table("structure (dicts -> Incident)", _structurers(), documents, options.rounds)
    _table("text to facts", _to_facts(), texts, options.rounds)
    print(f"\nload average after: {machine.load_average()}")


if __name__ == "__main__":
    main()
