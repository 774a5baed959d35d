"""Stress: many threads, many sessions, fuzzed documents and rules files; bounded in time.

The thread and session runs are marked slow: the fast suite (``pytest -m "not slow"``) skips them.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from incident_rules import Assessment, Engine, IncidentRulesError, InvalidIncident, RulesetError
from incident_rules._engine import default_rules_dir
from strategies import hostile_documents, rules_files

SEED = json.loads((Path(__file__).parent.parent / "examples" / "inc-2025-0142.json").read_text())
START = datetime(2025, 6, 15, 14, 23, tzinfo=timezone.utc)  # detection: nothing is assessed before it


def mixed_cases() -> list[tuple[dict[str, Any], datetime]]:
    """Forty different (document, instant) pairs: scopes, changes, rollbacks, growth, times."""
    cases = []
    scopes = ["widespread", "partial", "minor", "cosmetic"]
    for index in range(40):
        document = json.loads(json.dumps(SEED))
        document["impact"]["scope"] = scopes[index % 4]
        document["impact"]["affected_fraction"] = (index % 10) / 10
        document["impact"]["workaround"] = index % 3 == 0
        document["rollback"]["loses_data"] = index % 5 == 0
        document["signals"]["dependencies_down"] = ["db"] if index % 7 == 0 else []
        if index % 2:
            document["signals"]["changes"] = []
        cases.append((document, START + timedelta(minutes=3 * index)))
    return cases


CASES = mixed_cases()


@pytest.mark.slow
def test_eight_threads_of_fifteen_hundred_mixed_assessments_equal_serial() -> None:
    """8 threads x 1,500 assessments on the default engine: no crash, results equal serial.

    The default engine is durable_rules where it imports (the backend with the thread hazards),
    native elsewhere (it shares no mutable state between calls). Each comparison with the
    serial result works out both explanations, so 1,500 per thread keeps a CI leg in budget;
    the soak benchmark runs the long version.
    """
    engine = Engine.default()
    serial = [engine.assess(document, at=at) for document, at in CASES]
    mismatches: list[int] = []
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for step in range(1_500):
                index = (offset + step) % len(CASES)
                document, at = CASES[index]
                if engine.assess(document, at=at) != serial[index]:
                    mismatches.append(index)
        except BaseException as error:  # noqa: BLE001 -- reported below, with the thread's view
            errors.append(error)

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert mismatches == []


@pytest.mark.slow
class TestSessions:
    """durable_rules sessions are one-shot: never more than one live, never reused."""

    @pytest.fixture
    def durable_engine(self) -> Engine:
        pytest.importorskip("durable")
        return Engine.default(backend="durable")

    def watch(self, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
        """Record every sid posted into the engine and how many sids were live at that moment."""
        backend: Any = engine._backend
        seen: list[tuple[str, int]] = []
        original = backend._host.assert_fact

        def assert_fact(name: str, fact: dict[str, Any], complete: Any = None) -> Any:
            if fact.get("step") == 0:
                seen.append((fact["sid"], len(backend.live_sids)))
            return original(name, fact, complete)

        monkeypatch.setattr(backend._host, "assert_fact", assert_fact)
        return seen

    def test_five_thousand_in_a_row_use_distinct_sids_one_at_a_time(
        self, durable_engine: Engine, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """5,000 sequential assessments: 5,000 distinct sids, one live at a time, none left."""
        seen = self.watch(durable_engine, monkeypatch)
        for step in range(5_000):
            document, at = CASES[step % len(CASES)]
            durable_engine.assess(document, at=at)
        assert len({sid for sid, _ in seen}) == 5_000
        assert {live for _, live in seen} == {1}
        assert durable_engine._backend.live_sids == set()  # type: ignore[attr-defined]

    def test_two_thousand_interleaved_from_threads_never_share_a_session(
        self, durable_engine: Engine, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """2,000 assessments from 4 threads: distinct sids, one live at a time, none left."""
        seen = self.watch(durable_engine, monkeypatch)

        def work(offset: int) -> None:
            for step in range(500):
                document, at = CASES[(offset + step) % len(CASES)]
                durable_engine.assess(document, at=at)

        threads = [threading.Thread(target=work, args=(offset,)) for offset in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len({sid for sid, _ in seen}) == 2_000
        assert {live for _, live in seen} == {1}
        assert durable_engine._backend.live_sids == set()  # type: ignore[attr-defined]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(hostile_documents)
def test_arbitrary_json_documents_raise_only_invalid_incident(document: Any) -> None:
    """Any JSON value is either a valid incident or an InvalidIncident, never another error."""
    engine = Engine.default(backend="native")
    problems: tuple[str, ...] = ("valid",)
    try:
        engine.assess(document, at=START)
    except InvalidIncident as error:
        problems = error.problems
    assert problems
    assert all(isinstance(problem, str) and problem for problem in problems)


PARAMS_FILE = default_rules_dir() / "params.yaml"


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rules_files)
def test_arbitrary_rules_files_raise_only_ruleset_errors(tmp_path: Path, content: Any) -> None:
    """Any YAML (or any text) as a rules file loads or raises RulesetError, never another error."""
    path = tmp_path / "fuzz.yaml"
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content), encoding="utf-8")
    failure: IncidentRulesError | None = None
    try:
        Engine.from_path(path, PARAMS_FILE, backend="native")
    except IncidentRulesError as error:
        failure = error
    assert failure is None or (isinstance(failure, RulesetError) and failure.problems)


ATTACKS = [
    "__import__('os').system('touch {marker}')",
    "impact.__class__.__init__.__globals__ == 1",
    "(lambda: open('{marker}', 'w'))()",
    "impact.scope == open('{marker}', 'w').name",
    "[x for x in ().__class__.__base__.__subclasses__()] == 1",
    'impact.scope == f\'{{open("{marker}", "w")}}\'',
    'exec(\'open("{marker}", "w")\')',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_conditions_cannot_execute_code(tmp_path: Path, attack: str) -> None:
    """Calls, attribute tricks, lambdas and comprehensions are load errors and run nothing."""
    marker = tmp_path / "pwned"
    condition = attack.format(marker=marker)
    rules = {
        "ruleset": "evil",
        "values": ["x"],
        "rules": [{"id": "evil.rule", "when": condition, "then": "x"}],
    }
    path = tmp_path / "evil.yaml"
    path.write_text(yaml.safe_dump(rules), encoding="utf-8")
    with pytest.raises(RulesetError, match=r"evil\.yaml:\d+:\d+:"):
        Engine.from_path(path, PARAMS_FILE, backend="native")
    assert not marker.exists()


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
        "!custom 1",
    ],
)
def test_yaml_tags_are_refused_before_anything_is_built(tmp_path: Path, tagged: str) -> None:
    """A YAML tag that would construct an object is refused with its position."""
    marker = tmp_path / "pwned"
    when = tagged.format(marker=marker)
    text = f"ruleset: evil\nvalues: [x]\nrules:\n  - id: evil.rule\n    when: {when}\n    then: x\n"
    path = tmp_path / "evil.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesetError, match=r"evil\.yaml:5:\d+: YAML tag"):
        Engine.from_path(path, PARAMS_FILE, backend="native")
    assert not marker.exists()


def test_assessments_are_plain_data() -> None:
    """An assessment compares by value, so threads' results can be checked against serial ones."""
    engine = Engine.default(backend="native")
    first: Assessment = engine.assess(SEED, at=START)
    assert first == engine.assess(json.loads(json.dumps(SEED)), at=START)
