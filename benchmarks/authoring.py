"""How long rule authoring takes on the shipped rules: lint and why-not, each against a baseline.

    python benchmarks/authoring.py [--rounds N]

Lint is timed against reading and checking the same rules (what every ``Engine.from_path``
does), why-not against the explained assessment it answers about; both in this run, on this
machine. Reported, never asserted.
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

from incident_rules import Engine, lint
from incident_rules._authoring import layers
from incident_rules._rulesets.reading import load_files

SEED = Path(__file__).parent.parent / "examples" / "inc-2025-0142.json"
AT = "2025-06-15T14:30:00Z"


def _median_ms(call: Callable[[], Any], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    engine = Engine.default(backend="native")
    document = json.loads(SEED.read_text(encoding="utf-8"))
    rules = [bound.id for ruleset in engine.rulesets for bound in ruleset.rules]

    def explained() -> None:
        assessment = engine.assess(document, at=AT)
        assessment.severity.explanation  # noqa: B018 -- worked out when read

    def why_not_every_rule() -> None:
        assessment = engine.assess(document, at=AT)
        for rule in rules:
            assessment.why_not(rule)

    def lint_cold() -> None:
        layers._parsed_shipped.cache_clear()  # read the YAML again, as the baseline does
        layers._shipped_rules.cache_clear()
        lint()

    def load() -> None:
        load_files(layers.shipped_sources(), layers.fact_schema())

    report = lint()
    rows = [
        ("read and check the shipped rules (baseline)", _median_ms(load, rounds)),
        ("lint the shipped rules, YAML read again", _median_ms(lint_cold, rounds)),
        ("assess the seed example, explained (baseline)", _median_ms(explained, rounds)),
        (f"assess + why-not of all {len(rules)} rules", _median_ms(why_not_every_rule, rounds)),
    ]
    print(f"Python {sys.version.split()[0]}; cells enumerated by lint: {dict(report.cells)}")
    for (name, ms), ratio in zip(
        rows, [None, rows[1][1] / rows[0][1], None, rows[3][1] / rows[2][1]], strict=True
    ):
        print(f"{name:<50} {ms:9.2f} ms" + (f"   {ratio:6.1f}x baseline" if ratio else ""))


if __name__ == "__main__":
    main()
