"""How to structure a valid document fast (issue 13): the candidates, measured in one run.

    python benchmarks/structuring.py

cattrs strict (the converter of ``_facts/convert.py``), the generated fast path
(``_facts/fast.py``, what ``assess`` uses), and, where msgspec is installed, ``msgspec.convert``
into the same attrs classes. msgspec is not strict here: it accepts a fraction of 1.5 and unknown
keys, which this script shows; it is the floor, not a candidate as it stands.
"""

from __future__ import annotations

import copy
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workloads

from incident_rules import Incident
from incident_rules._facts.fast import structure_fast


def _candidates() -> dict[str, Callable[[Any], Any]]:
    found: dict[str, Callable[[Any], Any]] = {
        "cattrs strict": Incident.from_dict,
        "generated fast path": lambda document: structure_fast(document, Incident),
    }
    try:
        import msgspec
    except ImportError:
        return found
    found["msgspec.convert (lenient)"] = lambda document: msgspec.convert(document, Incident, strict=True)
    return found


def _per_document_us(call: Callable[[Any], Any], documents: list[Any]) -> float:
    rounds = timeit.repeat(lambda: [call(d) for d in documents], number=1, repeat=7)
    return min(rounds) / len(documents) * 1e6


def _accepts_bad(call: Callable[[Any], Any]) -> bool:
    bad = copy.deepcopy(workloads.seed_document())
    bad["impact"] |= {"affected_fraction": 1.5, "not_a_field": True}
    try:
        call(bad)
    except Exception:  # noqa: BLE001 -- any rejection counts
        return False
    return True


def main() -> None:
    seed = [workloads.seed_document()] * 100
    mixed = [document for document, _ in workloads.documents(300)]
    candidates = _candidates()
    baseline = {
        name: _per_document_us(Incident.from_dict, docs) for name, docs in (("seed", seed), ("mixed", mixed))
    }
    print(f"{'':28} {'seed µs':>9} {'x cattrs':>9} {'mixed µs':>9} {'x cattrs':>9}  accepts a bad document")
    for name, call in candidates.items():
        on_seed, on_mixed = _per_document_us(call, seed), _per_document_us(call, mixed)
        print(
            f"{name:28} {on_seed:9.1f} {baseline['seed'] / on_seed:9.2f} {on_mixed:9.1f} "
            f"{baseline['mixed'] / on_mixed:9.2f}  {_accepts_bad(call)}"
        )


if __name__ == "__main__":
    main()
