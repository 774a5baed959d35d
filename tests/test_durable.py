"""The durable_rules backend: every hazard DESIGN.md lists is handled, each test failing without it."""

from __future__ import annotations

import copy
import itertools
import json
import re
import subprocess
import sys
import textwrap
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

pytest.importorskip("durable", reason="durable_rules does not import on this interpreter")

from incident_rules import Engine, EngineError, IncidentRulesError, RulesetError
from incident_rules._backends.durable import DurableBackend, _json
from samples import UNIQUE_BOTH
from strategies import engine_json

ROOT = Path(__file__).parent.parent
PARAMS = ROOT / "rules" / "params.yaml"
SEED = json.loads((ROOT / "examples" / "inc-2025-0142.json").read_text(encoding="utf-8"))
SEED_AT = "2025-06-15T14:30:00Z"


def variants() -> list[dict[str, Any]]:
    """64 variations of the seed example that reach every mitigation and remediation branch."""
    documents = []
    detected = datetime(2025, 6, 15, 14, 23, tzinfo=timezone.utc)
    for scope, before, minutes, loses in itertools.product(
        ["widespread", "partial", "minor", "cosmetic"], [5, 60, 61, None], [4, 5], [False, True]
    ):
        document = copy.deepcopy(SEED)
        document["impact"]["scope"] = scope
        document["impact"]["affected_fraction"] = 0.3
        changes = (
            []
            if before is None
            else [{"at": (detected - timedelta(minutes=before)).isoformat(), "kind": "deploy"}]
        )
        document["signals"]["changes"] = changes
        document["rollback"].update(estimated_minutes=minutes, loses_data=loses)
        documents.append(document)
    return documents


def write_rules(directory: Path, text: str, name: str = "custom.yaml") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def engines(*paths: Path) -> tuple[Engine, Engine]:
    """The durable and the native engine for the rules at ``paths`` with the shipped params."""
    return (
        Engine.from_path(*paths, PARAMS, backend="durable"),
        Engine.from_path(*paths, PARAMS, backend="native"),
    )


def backend_of(engine: Engine) -> DurableBackend:
    backend = engine._backend
    assert isinstance(backend, DurableBackend)
    return backend


def run_compared(rules: Path, counts: tuple[int, ...]) -> None:
    """In a subprocess with a timeout (a hang fails, not blocks): durable equals native on the seed
    example with each count of dependencies down."""
    script = textwrap.dedent(
        f"""
        import copy, json
        from incident_rules import Engine
        seed = json.loads(open({str(ROOT / "examples" / "inc-2025-0142.json")!r}).read())
        paths = {str(rules)!r}, {str(PARAMS)!r}
        engines = [Engine.from_path(*paths, backend=b) for b in ("durable", "native")]
        for count in {counts!r}:
            document = copy.deepcopy(seed)
            document["signals"]["dependencies_down"] = [f"dep{{i}}" for i in range(count)]
            durable, native = (e.assess(document, at={SEED_AT!r}) for e in engines)
            assert durable == native, count
        print("ok")
        """
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail("compiling or running the plan on durable_rules did not finish in 60 s")
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr[-2000:]


class TestThreads:
    """Calls from many threads: a private Host with no background loop, and a lock."""

    def test_no_background_timer_threads_are_started(self, tmp_path: Path) -> None:
        """Compiling a new durable ruleset and assessing starts no thread."""
        path = write_rules(
            tmp_path,
            """
            ruleset: threads_probe
            values: [a]
            rules:
              - id: threads_probe.always
                when: true
                then: a
            """,
        )
        before = set(threading.enumerate())
        engine = Engine.from_path(path, PARAMS, backend="durable")
        engine.assess(SEED, at=SEED_AT)
        assert set(threading.enumerate()) - before == set()


class TestHosts:
    """Rulesets cannot be unregistered and a dropped Host leaks: one host per distinct plan."""

    def test_engines_with_the_same_rules_share_one_host(self) -> None:
        """Two engines built from the shipped rules and params run on the same durable backend."""
        assert backend_of(Engine.default(backend="durable")) is backend_of(Engine.default(backend="durable"))

    def test_engines_with_other_params_get_their_own_host(self) -> None:
        """An engine with other params, so another plan, does not reuse the default engine's backend."""
        other = Engine.default(params={"change_window": "45m"}, backend="durable")
        assert backend_of(other) is not backend_of(Engine.default(backend="durable"))


class TestSessions:
    """One-shot sessions with sids we control, deleted in ``finally``."""

    @pytest.mark.slow
    def test_two_thousand_sequential_assessments_leave_no_session_behind(self) -> None:
        """More assessments than the 1024 live sessions durable_rules allows all succeed, none left live."""
        engine = Engine.default(backend="durable")
        backend = backend_of(engine)
        documents = variants()
        left: list[int] = []
        for step in range(2000):
            engine.assess(documents[step % len(documents)], at=SEED_AT)
            if backend.live_sids:
                left.append(step)
        assert left == []

    def test_a_failed_assessment_leaves_no_session_behind(self, tmp_path: Path) -> None:
        """After an assessment fails inside the engine, no session is live and the next one works."""
        durable, _ = engines(write_rules(tmp_path, UNIQUE_BOTH))
        with pytest.raises(RulesetError):
            durable.assess(SEED, at=SEED_AT)
        assert backend_of(durable).live_sids == set()
        other = copy.deepcopy(SEED)
        other["impact"]["data_loss"] = False
        other["impact"]["user_facing"] = False
        assert durable.assess(other, at=SEED_AT).decisions["pick"] is not None


class TestFirings:
    """Firings are recorded once per rule, however durable_rules fires them."""

    def test_an_or_with_both_branches_true_fires_once(self, tmp_path: Path) -> None:
        """A collect rule ``a or b`` with both true concludes once, as on the native backend."""
        durable, native = engines(
            write_rules(
                tmp_path,
                """
                ruleset: either
                hit: collect
                values: [hit]
                rules:
                  - id: either.facing-or-widespread
                    when: impact.user_facing or impact.scope == "widespread"
                    then: hit
                """,
            )
        )
        outcome = durable.assess(SEED, at=SEED_AT).decisions["either"]
        assert isinstance(outcome, tuple)
        assert [d.rule for d in outcome] == ["either.facing-or-widespread"]
        assert outcome == native.assess(SEED, at=SEED_AT).decisions["either"]

    def test_a_hundred_rules_holding_at_once_all_conclude(self, tmp_path: Path) -> None:
        """A collect ruleset of 100 always-true rules concludes all 100, as natively."""
        rules = "".join(f"  - id: many.r{i}\n    when: true\n    then: v{i % 5}\n" for i in range(100))
        text = "ruleset: many\nhit: collect\nvalues: [v0, v1, v2, v3, v4]\nrules:\n" + rules
        durable, native = engines(write_rules(tmp_path, text))
        outcome = durable.assess(SEED, at=SEED_AT).decisions["many"]
        assert isinstance(outcome, tuple)
        assert len(outcome) == 100
        assert durable.assess(SEED, at=SEED_AT) == native.assess(SEED, at=SEED_AT)


class TestLimits:
    """Rule counts that break the C engine are split up, or refused at compile time."""

    def test_a_plan_of_six_hundred_rules_compiles_and_runs_like_native(self, tmp_path: Path) -> None:
        """600 rules (512 under one node hang durable_rules) compile, and decide as natively, in time."""
        first = "".join(
            f"  - id: count.is-{i}\n    when: features.dependencies_down == {i}\n    then: n{i % 7}\n"
            for i in range(299)
        )
        many = "".join(
            f"  - id: all.r{i}\n    when: impact.user_facing\n    then: v{i % 3}\n" for i in range(300)
        )
        write_rules(
            tmp_path,
            "ruleset: count\nvalues: [n0, n1, n2, n3, n4, n5, n6, other]\nrules:\n"
            + first
            + "  - id: count.other\n    when: true\n    then: other\n",
            "count.yaml",
        )
        write_rules(tmp_path, "ruleset: all\nhit: collect\nvalues: [v0, v1, v2]\nrules:\n" + many, "all.yaml")
        run_compared(tmp_path, counts=(0, 1, 2, 150, 298, 299, 400))

    @pytest.mark.slow
    def test_a_plan_of_more_than_512_buckets_compiles_and_runs_like_native(self, tmp_path: Path) -> None:
        """520 rules of 25 alternatives (a bucket each) are split across rulesets and decide as natively."""
        rules = "".join(
            f"  - id: wide.r{i}\n    when: "
            + " or ".join(f"features.dependencies_down == {i * 25 + j}" for j in range(25))
            + f"\n    then: v{i % 3}\n"
            for i in range(520)
        )
        write_rules(
            tmp_path, "ruleset: wide\nhit: collect\nvalues: [v0, v1, v2]\nrules:\n" + rules, "wide.yaml"
        )
        run_compared(tmp_path, counts=(0, 24, 25, 6000, 12999, 13000))

    def test_a_hundred_range_tests_holding_at_once_decide_like_native(self, tmp_path: Path) -> None:
        """100 rules ``x >= i`` holding for one fact (the C engine breaks from 65) decide as natively."""
        rules = "".join(
            f"  - id: range.r{i}\n    when: features.dependencies_down >= {i}\n    then: v{i % 5}\n"
            for i in range(100)
        )
        write_rules(tmp_path, "ruleset: range\nhit: collect\nvalues: [v0, v1, v2, v3, v4]\nrules:\n" + rules)
        run_compared(tmp_path, counts=(0, 1, 64, 65, 99, 150))

    def test_a_rule_too_large_for_the_engine_is_refused_at_compile_time(self, tmp_path: Path) -> None:
        """A rule that expands into 128 alternatives is ``RulesetError`` naming it, before any assessment."""
        clause = "(impact.user_facing or impact.data_loss)"
        path = write_rules(
            tmp_path,
            "ruleset: big\nvalues: [a]\nrules:\n  - id: big.product\n"
            f"    when: {' and '.join([clause] * 7)}\n    then: a\n",
        )
        with pytest.raises(RulesetError, match=re.escape("'big.product'")):
            Engine.from_path(path, PARAMS, backend="durable")


class TestErrors:
    """What durable_rules raises, or swallows, reaches callers as our error."""

    def test_message_not_handled_becomes_engine_error(self) -> None:
        """``MessageNotHandledException`` is translated into ``EngineError``."""
        from durable.engine import MessageNotHandledException

        translated = backend_of(Engine.default(backend="durable")).translate(
            MessageNotHandledException({"sid": "1"})
        )
        assert isinstance(translated, EngineError)
        assert "Could not handle message" in str(translated)

    def test_message_observed_becomes_engine_error(self) -> None:
        """``MessageObservedException`` is translated into ``EngineError``."""
        from durable.engine import MessageObservedException

        translated = backend_of(Engine.default(backend="durable")).translate(
            MessageObservedException({"sid": "1"})
        )
        assert isinstance(translated, EngineError)
        assert "already been observed" in str(translated)

    def test_a_c_engine_error_becomes_engine_error(self) -> None:
        """The C extension's own error type is translated into ``EngineError``."""
        import durable_rules_engine

        error = durable_rules_engine.error("Could not assert fact, error code: 204")
        translated = backend_of(Engine.default(backend="durable")).translate(error)
        assert isinstance(translated, EngineError)
        assert "error code: 204" in str(translated)

    def test_an_error_raised_while_asserting_becomes_engine_error(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An exception durable_rules raises for the asserted facts reaches the caller as ``EngineError``."""
        from durable.engine import MessageObservedException

        engine = Engine.default(backend="durable")

        def refuse(ruleset: str, fact: dict[str, Any], complete: object = None) -> None:
            raise MessageObservedException(fact)

        monkeypatch.setattr(backend_of(engine)._host, "assert_fact", refuse)
        with pytest.raises(EngineError, match="already been observed"):
            engine.assess(SEED, at=SEED_AT)
        assert backend_of(engine).live_sids == set()

    def test_an_error_inside_an_action_is_not_swallowed(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An exception in a rule action (durable_rules keeps it in the session) is ``EngineError``."""
        engine = Engine.default(backend="durable")

        def broken(*args: object) -> None:
            raise ZeroDivisionError("inside an action")

        monkeypatch.setattr("incident_rules._backends.durable.settle", broken)
        with pytest.raises(EngineError, match="inside an action"):
            engine.assess(SEED, at=SEED_AT)
        assert backend_of(engine).live_sids == set()

    def test_a_fraction_written_with_an_exponent_is_assessed_as_on_native(self) -> None:
        """An affected fraction of 0.00005 (``5e-05`` in JSON) decides as on the native backend."""
        document = copy.deepcopy(SEED)
        document["impact"]["affected_fraction"] = 0.00005
        durable, native = (Engine.default(backend=name) for name in ("durable", "native"))
        assert durable.assess(document, at=SEED_AT) == native.assess(document, at=SEED_AT)

    def test_a_literal_written_with_an_exponent_compiles(self, tmp_path: Path) -> None:
        """A rule comparing with ``0.00001`` compiles on durable_rules and decides as natively."""
        path = write_rules(
            tmp_path,
            """
            ruleset: tiny
            values: [some, none]
            rules:
              - id: tiny.some
                when: impact.affected_fraction > 0.00001
                then: some
              - id: tiny.none
                when: true
                then: none
            """,
        )
        try:
            durable, native = engines(path)
        except IncidentRulesError as error:
            pytest.fail(f"our error, but the rule is valid: {error}")
        assert durable.assess(SEED, at=SEED_AT) == native.assess(SEED, at=SEED_AT)

    @given(value=engine_json)
    def test_the_json_given_to_the_engine_reads_back_with_every_exponent_given_a_fraction(
        self, value: Any
    ) -> None:
        """Any facts or definitions read back unchanged; no number has an exponent without a fraction."""

        def literal(text: str) -> float:
            mantissa, exponent, _ = text.lower().partition("e")
            assert not exponent or "." in mantissa, text
            return float(text)

        assert json.loads(_json(value), parse_float=literal) == value
