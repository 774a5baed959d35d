"""Reading a document (JSON text -> validated ``Incident``), issue 13: each step's candidates.

    python benchmarks/structuring.py [--documents 1000] [--rounds 7]

Per document, CPU time (``process_time``), the median of interleaved rounds (a slow spell on this
shared machine hits every candidate alike), on the mixed workload and on the seed example:

- **decode**: ``json.loads``; msgspec's untyped decoder and orjson (where installed); and
  ``jsontext.loads``, what replay uses (msgspec where the ``fast`` extra is installed, falling
  back to ``json.loads`` on any refusal).
- **structure**: the strict cattrs converter, and the generated fast path (what ``assess`` uses).
- **text to facts**: decode and structure together; and, as the floor of a typed C decoder,
  msgspec decoding the text straight into ``msgspec.Struct`` classes made from the fact
  classes (no dicts, no attrs objects). That floor is not a candidate: it builds no
  ``Incident``, its times and checks are not ours, and ``datetime | date`` (``due``) is a union
  msgspec refuses (read as text here).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import types
import typing
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import attrs
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
    """msgspec decoding straight into Structs made from the fact classes, or None without msgspec."""
    try:
        import msgspec
    except ImportError:
        return None
    made: dict[type, Any] = {}
    decode: Callable[[str], Any] = msgspec.json.Decoder(_struct_of(Incident, made, msgspec)).decode
    return decode


def _struct_of(cls: type, made: dict[type, Any], msgspec: Any) -> Any:
    """A frozen Struct with the fields of the attrs class ``cls`` (unknown keys refused)."""
    if cls not in made:
        hints = typing.get_type_hints(cls)
        fields: list[tuple[Any, ...]] = []
        for field in attrs.fields(cls):
            kind = _struct_type(hints[field.name], made, msgspec)
            if field.default is attrs.NOTHING:
                fields.append((field.name, kind))
            elif attrs.has(type(field.default)):  # Signals(): a default Struct of its own
                fields.append((field.name, kind, msgspec.field(default_factory=kind)))
            else:
                fields.append((field.name, kind, field.default))
        made[cls] = msgspec.defstruct(cls.__name__, fields, forbid_unknown_fields=True, frozen=True)
    return made[cls]


def _struct_type(annotation: Any, made: dict[type, Any], msgspec: Any) -> Any:
    """``annotation`` with attrs classes as Structs; ``datetime | date`` (a union msgspec refuses) as text."""
    if attrs.has(annotation):
        return _struct_of(annotation, made, msgspec)
    if typing.get_origin(annotation) is tuple:
        return tuple[_struct_type(typing.get_args(annotation)[0], made, msgspec), ...]  # type: ignore[misc]
    if isinstance(annotation, types.UnionType) and date in typing.get_args(annotation):
        return str | None
    if isinstance(annotation, types.UnionType):
        return _struct_type(typing.get_args(annotation)[0], made, msgspec) | None
    return annotation


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
