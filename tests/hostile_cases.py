"""The cases of the hostile-input suite, as they run in a forked grandchild (see :mod:`forked`).

Each case returns ``(ending, problems)``: how it ended (``agreed``, ``refused``, ...) and a list
of what is wrong with it (a foreign exception, backends that disagree, an error at assessment
time). The test asserts the list is empty; anything the case raises (a foreign exception at a
place the case does not guard) reaches the test as the traceback, and a crash as the signal.

The shipped engines are built when the zygote imports this module, once, before any fork.
"""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from incident_rules import Engine, InvalidIncident, RulesetError
from incident_rules._backends.durable import durable_available

#: The backends that run here: durable_rules does not import on 3.13+.
BACKENDS = ("native", "durable") if durable_available() is None else ("native",)
ROOT = Path(__file__).parent.parent
SEED = json.loads((ROOT / "examples" / "inc-2025-0142.json").read_text(encoding="utf-8"))
SEED_AT = "2025-06-15T14:30:00Z"
#: The shipped rules on every backend, built before the zygote forks a case.
SHIPPED = {backend: Engine.default(backend=backend) for backend in BACKENDS}
for _engine in SHIPPED.values():  # the first assessment does lazy work: done once, not per case
    json.dumps(_engine.assess(SEED, at=SEED_AT).to_dict())
#: What a durable-only refusal must say besides ``file:line`` and its limit.
WAY_OUT = "backend='native'"

Verdict = tuple[str, list[str]]
Documents = list[tuple[object, str]]
#: How a durable-only refusal starts: the rules file and line of the rule it cannot run.
DURABLE_REFUSAL = re.compile(r"\S+:\d+: rule .* the durable_rules backend supports ", re.DOTALL)


def _answer(engine: Engine, document: object, at: str) -> str:
    """The assessment as canonical JSON, or our error's type and text; anything else raises."""
    try:
        assessment = engine.assess(document, at=at)  # type: ignore[arg-type]
    except (InvalidIncident, RulesetError) as error:
        return f"{type(error).__name__}: {error}"
    answer = assessment.to_dict()
    answer.get("decision_log", {}).pop("backend", None)  # the one field that names the backend
    # Strict JSON: NaN or Infinity in an answer would be a bug of its own.
    return json.dumps(answer, sort_keys=True, allow_nan=False)


def _agreement(engines: Mapping[str, Engine], documents: Documents) -> Verdict:
    """``agreed`` when every backend answers every document alike (a refused document too)."""
    problems = []
    refused = 0
    for number, (document, at) in enumerate(documents):
        answers = {backend: _answer(engine, document, at) for backend, engine in engines.items()}
        if len(set(answers.values())) > 1:
            problems.append(f"document {number}: the backends differ: {answers}")
        refused += answers["native"].startswith(("InvalidIncident:", "RulesetError:"))
    return ("refused" if refused == len(documents) else "agreed"), problems


def build(recipe: Any) -> Any:
    """The value a recipe describes: ``("nested", depth, leaf)`` (``leaf`` in ``depth`` lists),
    ``("many", count, item)`` (a list of ``count`` items), or any other value as it is."""
    if isinstance(recipe, tuple) and recipe and recipe[0] == "nested":
        value = recipe[2]
        for _ in range(recipe[1]):
            value = [value]
        return value
    if isinstance(recipe, tuple) and recipe and recipe[0] == "many":
        return [build(recipe[2])] * recipe[1]
    return recipe


def edited(document: Any, edits: list[tuple[str, Any]]) -> Any:
    """A copy of ``document`` with each ``(dotted path, recipe)`` put in place; a path through a
    value that is no longer a container is skipped, an index past a list's end appends."""
    document = copy.deepcopy(document)
    for path, recipe in edits:
        *steps, last = path.split(".")
        holder = document
        for step in steps:
            if isinstance(holder, dict):
                holder = holder.get(step)
            elif isinstance(holder, list) and step.isdigit() and int(step) < len(holder):
                holder = holder[int(step)]
            else:
                holder = None
        if isinstance(holder, dict):
            holder[last] = build(recipe)
        elif isinstance(holder, list):
            index = int(last) if last.isdigit() else len(holder)
            holder[index : index + 1] = [build(recipe)]
    return document


def judge_document(edits: list[tuple[str, Any]], at: str) -> Verdict:
    """The seed example with hostile edits, on the shipped rules: our error on every backend,
    or the same answer from each."""
    return _agreement(SHIPPED, [(edited(SEED, edits), at)])


def judge_params(params: Mapping[Any, Any]) -> Verdict:
    """Hostile params (values as recipes) for the shipped rules: refused alike by every
    backend, or the same answers from each."""
    params = {name: build(value) for name, value in params.items()}
    engines, refusals = _build(lambda backend: Engine.default(params=params, backend=backend))
    return _engines_agree(engines, refusals, [(SEED, SEED_AT)])


def _build(make: Callable[[Any], Engine]) -> tuple[dict[str, Engine], dict[str, str]]:
    """The engine ``make`` builds for each backend, or why it refused to."""
    engines, refusals = {}, {}
    for backend in BACKENDS:
        try:
            engines[backend] = make(backend)
        except RulesetError as error:
            refusals[backend] = str(error)
    return engines, refusals


def _refusal_problems(refusals: Mapping[str, str]) -> list[str]:
    """What is wrong with how an engine was refused: only durable may refuse alone, and then
    with ``file:line``, the limit it supports and the native backend as the way out."""
    if "native" in refusals:
        same = len(refusals) == len(BACKENDS) and len(set(refusals.values())) == 1
        return [] if same else [f"refused differently: {refusals}"]
    durable = refusals["durable"]
    if not (DURABLE_REFUSAL.match(durable) and WAY_OUT in durable):
        return [f"durable refused without file:line, its limit or the way out: {durable}"]
    return []


def _engines_agree(
    engines: Mapping[str, Engine], refusals: Mapping[str, str], documents: Documents
) -> Verdict:
    """Refused as :func:`_refusal_problems` allows, and the same answers from what loaded."""
    problems = _refusal_problems(refusals) if refusals else []
    if "native" in refusals:
        return "refused", problems
    ending, more = _agreement(engines, documents)
    return (f"refused-by-durable, native {ending}" if refusals else ending), problems + more


def judge_rules(text: str, params: Mapping[str, Any], documents: Documents) -> Verdict:
    """A hostile rules file: refused with our error (by durable alone only with the way out),
    or the same answer from every backend that loads it, on every document."""
    params = {name: build(value) for name, value in params.items()}
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory, "hostile.yaml")
        path.write_text(text, encoding="utf-8")
        engines, refusals = _build(lambda backend: Engine.from_path(path, params=params, backend=backend))
    return _engines_agree(engines, refusals, documents)


# --- cases for the harness's own tests --------------------------------------------------------


def crash() -> None:
    """Die by SIGSEGV, as a crash in durable_rules' C code would."""
    os.kill(os.getpid(), signal.SIGSEGV)


def hang(seconds: float) -> None:
    """Sleep far past any time limit, as a hang would."""
    time.sleep(seconds)


def fail() -> None:
    """Raise an exception that is not ours."""
    raise KeyError("not ours")


def double(value: int) -> int:
    """Return a value, as a case that ends well does."""
    return 2 * value
