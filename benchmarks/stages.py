"""Where an explained assessment spends its time, stage by stage, beside json-logic's two trees.

    python benchmarks/stages.py                   # native, 400 documents, best of 9 rounds
    python benchmarks/stages.py --backend durable

Each stage is timed on its own, on inputs the stage before made beforehand (CPU time, the best
of interleaved rounds: a slow spell of this shared machine hits every stage alike). The stages
add up to about the whole; the whole is ``replay.py``'s explained section. It shows the floor:
the target of at most 3x json-logic cannot be met while structuring alone costs about that much.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import jsonlogic_baseline
import replay
import workloads

from incident_rules import Engine
from incident_rules._decisions.data import Outcome, each_decision
from incident_rules._decisions.deadlines import deadlines
from incident_rules._facts.fast import incident_from_document


def _read_every_explanation(outcomes: dict[str, Outcome]) -> None:
    for decision in each_decision(outcomes):
        _ = decision.explanation


def stages(engine: Engine, documents: list[dict[str, Any]]) -> dict[str, Callable[[], object]]:
    """Each stage of an explained assessment of ``documents``, as a call over all of them."""
    incidents = [incident_from_document(document) for document in documents]
    pairs = [(incident, incident.detected_at + timedelta(minutes=30)) for incident in incidents]
    runs = [engine._run(incident, at) for incident, at in pairs]
    outcomes = [engine._explainer.outcomes(chosen, facts) for _, facts, chosen in runs]
    inputs = replay._json_logic_inputs(documents)
    explained = [(document, at) for document, (_, at) in zip(documents, pairs, strict=True)]
    return {
        "json-logic (baseline)": lambda: [jsonlogic_baseline.decide(facts) for facts in inputs],
        "structuring": lambda: [incident_from_document(document) for document in documents],
        "features and fact view": lambda: [engine._features_and_facts(i, at) for i, at in pairs],
        "rules (backend run)": lambda: [engine._backend.run(dict(facts)) for _, facts, _ in runs],
        "decisions": lambda: [engine._explainer.outcomes(chosen, facts) for _, facts, chosen in runs],
        "decisions, explained": lambda: [
            _read_every_explanation(engine._explainer.outcomes(chosen, facts)) for _, facts, chosen in runs
        ],
        "deadlines": lambda: [
            deadlines(i, at, decided, engine._hours) for (i, at), decided in zip(pairs, outcomes, strict=True)
        ],
        "whole (assess from a dict, explained)": lambda: replay._explained(engine, explained),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("native", "durable"), default="native")
    parser.add_argument("--documents", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=9)
    options = parser.parse_args()
    documents = [document for document, _ in workloads.documents(options.documents)]
    calls = stages(Engine.default(backend=options.backend), documents)
    best = dict.fromkeys(calls, float("inf"))
    load = os.getloadavg()[0]
    for _ in range(options.rounds):
        for name, call in calls.items():
            start = time.process_time()
            call()
            best[name] = min(best[name], time.process_time() - start)
    baseline = best["json-logic (baseline)"]
    print(f"{options.backend}, {len(documents)} documents, load {load:.1f}-{os.getloadavg()[0]:.1f}")
    for name, seconds in best.items():
        print(f"{name:40s} {seconds / len(documents) * 1e6:8.1f} µs  {seconds / baseline:5.1f}x json-logic")


if __name__ == "__main__":
    main()
