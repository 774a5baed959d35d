"""The quality gate and the Markdown artifacts on the seed record, next to one assessment.

    python benchmarks/gate.py            # about 20 seconds
    python benchmarks/gate.py --quick    # a few seconds

``engine.check`` assesses the record once per instant it changes (for the plan in force) and
runs the gate; the renderers fill a template. Each is timed interleaved with the baseline, one
``engine.assess`` of the same record at its end on the same backend, and reported as a ratio.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from timing import Subject, interleaved, stats

from incident_rules import Engine, Incident, render
from incident_rules._backends.durable import durable_available

SEED = Path(__file__).parent.parent / "examples" / "inc-2025-0142.json"
END = "2025-06-15T15:47:00Z"
UPDATE_AT = "2025-06-15T15:00:00Z"


def subjects(backend: str) -> list[Subject]:
    engine = Engine.default(backend=backend)  # type: ignore[arg-type]
    incident = Incident.from_dict(json.loads(SEED.read_text(encoding="utf-8")))
    at_end, at_update = engine.assess(incident, at=END), engine.assess(incident, at=UPDATE_AT)
    return [
        Subject(f"{backend} assess (baseline)", lambda i: engine.assess(incident, at=END)),
        Subject(f"{backend} check", lambda i: engine.check(incident)),
        Subject(f"{backend} check, explained", lambda i: engine.check(incident).to_dict()),
        Subject("render.report", lambda i: render.report(incident, at_end)),
        Subject("render.postmortem", lambda i: render.postmortem(incident)),
        Subject("render.update", lambda i: render.update(incident, at_update)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    arguments = parser.parse_args()
    rounds, per_round = (5, 20) if arguments.quick else (20, 50)
    backends = ["native"] + ([] if durable_available() else ["durable"])
    print(f"Python {sys.version.split()[0]}, {rounds} x {per_round} calls each, interleaved")
    print(f"{'subject':32} {'median µs':>10} {'p99 µs':>10} {'x assess':>9}")
    for backend in backends:
        measured = {
            name: stats(samples)
            for name, samples in interleaved(subjects(backend), rounds, per_round).items()
        }
        baseline = measured[f"{backend} assess (baseline)"]["median_us"]
        for name, row in measured.items():
            ratio = row["median_us"] / baseline
            print(f"{name:32} {row['median_us']:10.1f} {row['p99_us']:10.1f} {ratio:9.2f}")


if __name__ == "__main__":
    main()
