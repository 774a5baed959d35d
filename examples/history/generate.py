"""Write examples/history/incidents.jsonl: 300 generated incident documents for what-if.ipynb.

Run ``python examples/history/generate.py``. It lives in a folder of its own so that replaying
the directory examples/ still reads the four example records alone. The output is the same on
every run (a fixed seed), so the notebook's numbers are too. The documents come from the
benchmarks' generator (benchmarks/workloads.py), with one change: the affected fraction of a
partial degradation is spread evenly over 0-30 %, and most have a workaround (without one, a
partial degradation is SEV2 whatever its size), so a sweep of ``significant_fraction`` across
5-20 % moves real incidents between SEV2 and SEV3 instead of a handful of fixed values.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "benchmarks"))

import workloads  # noqa: E402 -- found through the path set just above

COUNT = 300
SEED = 14


def history(count: int = COUNT, seed: int = SEED) -> list[dict[str, object]]:
    """``count`` valid incident documents, the same for the same ``seed``."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible example data, not secrets
    documents = []
    for number in range(1, count + 1):
        document, _at = workloads.document(rng, number)
        document["id"] = f"INC-HIST-{number:04d}"
        document["title"] = f"Historical incident {number}"
        impact = document["impact"]
        if rng.random() < 0.6:  # most of the history is partial degradations, the case the sweep moves
            impact["scope"] = "partial"
            impact["user_facing"] = True
        if impact["scope"] == "partial":
            impact["affected_fraction"] = round(rng.uniform(0.0, 0.3), 3)
            impact["workaround"] = rng.random() < 0.75
        documents.append(document)
    return documents


def main() -> None:
    lines = [json.dumps(document, sort_keys=True) for document in history()]
    (HERE / "incidents.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
