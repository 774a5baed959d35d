"""Hostile rules files, params and documents: refused with our error, or decided alike everywhere.

Every case runs in a forked process with a time limit (:mod:`forked`), so a crash or a hang in
one fails its test with the input shown, and the run goes on. Each case is assessed on every
backend that runs here (native only where durable_rules does not import): it must load and give
the same JSON from each backend, or be refused with our error: durable alone may refuse a rules
file native runs, at load, with ``file:line``, the limit and the native backend as the way out.

The run ends with a count of the cases tried and how each ended (in the terminal summary).
"""

from __future__ import annotations

import collections
import hashlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import hostile_cases
from forked import Outcome, Zygote
from strategies.hostile import (
    as_json,
    document_edits,
    hostile_at,
    hostile_param_values,
    hostile_params,
    rules_files,
)

#: Seconds one case may take: far beyond the slowest legitimate one (a few hundred ms).
TIME_LIMIT = 20.0
#: Where the full input of a failed case is written (a failure message shows its start).
FAILURES = Path(tempfile.gettempdir()) / "incident-rules-hostile"
#: How each kind of case ended, over the whole run: ``COUNTS[kind][ending]``.
COUNTS: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
#: A rules-file case reads YAML and builds two engines (about 0.2 s): an eighth of the profile's examples.
_FEWER = settings(
    max_examples=max(10, settings().max_examples // 8), suppress_health_check=[HealthCheck.too_slow]
)
#: A document or params case assesses on each backend (about 30 ms): a quarter of the profile's.
_QUARTER = settings(
    max_examples=max(10, settings().max_examples // 4), suppress_health_check=[HealthCheck.too_slow]
)


class _Summary:
    """Prints :data:`COUNTS` at the end of the run."""

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not COUNTS:
            return
        terminalreporter.section("hostile input")
        for kind, endings in sorted(COUNTS.items()):
            shown = ", ".join(f"{count} {ending}" for ending, count in endings.most_common())
            terminalreporter.write_line(f"{kind}: {sum(endings.values())} tried: {shown}")


@pytest.fixture(scope="module")
def zygote(request: pytest.FixtureRequest) -> Iterator[Zygote]:
    """One zygote for the module, with incident_rules and the shipped engines imported."""
    if not request.config.pluginmanager.has_plugin("hostile-summary"):
        request.config.pluginmanager.register(_Summary(), "hostile-summary")
    process = Zygote(("hostile_cases",))
    yield process
    process.close()


def _failure(kind: str, shown: str, why: str) -> str:
    FAILURES.mkdir(exist_ok=True)
    path = (
        FAILURES / f"{kind}-{hashlib.sha256(shown.encode('utf-8', 'backslashreplace')).hexdigest()[:12]}.txt"
    )
    path.write_text(f"{why}\n\n--- input ---\n{shown}\n", encoding="utf-8", errors="backslashreplace")
    return f"{kind} case failed ({path}):\n{why[:3000]}\n--- input ---\n{shown[:3000]}"


def judged(zygote: Zygote, kind: str, shown: str, function: Any, *args: Any) -> str:
    """Run a case; fail with its input on a crash, a hang, a foreign exception or a problem."""
    outcome: Outcome = zygote.run(function, *args, time_limit=TIME_LIMIT)
    if outcome.kind != "returned":
        COUNTS[kind][outcome.kind] += 1
        pytest.fail(_failure(kind, shown, outcome.describe()))
    ending, problems = outcome.value
    COUNTS[kind][ending] += 1
    if problems:
        pytest.fail(_failure(kind, shown, "\n".join(problems)))
    return str(ending)


class TestHarness:
    """The zygote reports how a case ended, crashes and hangs included."""

    def test_a_case_that_returns_gives_its_value(self, zygote: Zygote) -> None:
        """A case returning 2 * 21 is reported as returned, with 42."""
        assert zygote.run(hostile_cases.double, 21) == Outcome("returned", 42)

    def test_a_segfault_is_reported_as_its_signal_with_the_traceback(self, zygote: Zygote) -> None:
        """A case killing itself with SIGSEGV is reported as signal 11, with where it was."""
        outcome = zygote.run(hostile_cases.crash)
        assert (outcome.kind, outcome.value) == ("signal", 11)
        assert "in crash" in outcome.detail

    def test_a_hang_is_killed_at_the_time_limit(self, zygote: Zygote) -> None:
        """A case sleeping 60 s under a limit of 0.5 s is reported as a timeout."""
        assert zygote.run(hostile_cases.hang, 60, time_limit=0.5).kind == "timeout"

    def test_a_foreign_exception_is_reported_with_its_traceback(self, zygote: Zygote) -> None:
        """A case raising KeyError is reported as raised, naming it, with the line it came from."""
        outcome = zygote.run(hostile_cases.fail)
        assert (outcome.kind, outcome.value) == ("raised", "KeyError: 'not ours'")
        assert 'raise KeyError("not ours")' in outcome.detail

    def test_cases_after_a_crash_still_run(self, zygote: Zygote) -> None:
        """A crash kills its grandchild only: the next case runs in the same zygote."""
        zygote.run(hostile_cases.crash)
        assert zygote.run(hostile_cases.double, 1).value == 2


class TestHostileRules:
    """A generated rules file is refused with our error, or decides alike on every backend."""

    @pytest.mark.slow
    @_FEWER
    @given(text=rules_files(), override=st.none() | hostile_param_values)
    @example(text='ruleset: "b\\0ig"\nvalues: [a]\nrules:\n  - {id: r, when: true, then: a}\n', override=None)
    def test_a_rules_file_is_refused_by_our_error_or_decides_alike(
        self, zygote: Zygote, text: str, override: object
    ) -> None:
        """Loaded on each backend and assessed on three documents: refused, or the same JSON."""
        params = {} if override is None else {"p0": override}
        partial = hostile_cases.edited(hostile_cases.SEED, [("impact.scope", "partial"), ("rollback", None)])
        documents = [
            (hostile_cases.SEED, hostile_cases.SEED_AT),
            (hostile_cases.SEED, "2025-06-16T12:00:00+02:00"),
            (partial, hostile_cases.SEED_AT),
        ]
        shown = f"{text}\n--- params ---\n{as_json(params)}"
        judged(zygote, "rules files", shown, hostile_cases.judge_rules, text, params, documents)


class TestHostileParams:
    """Generated params for the shipped rules are refused with our error, or decide alike."""

    @_QUARTER
    @given(params=hostile_params)
    @example(params={"change_window": 10**5000})
    @example(params={"change_window": ("nested", 100_000, 0)})
    @example(params={10**5000: 1})
    def test_params_are_refused_by_our_error_or_decide_alike(
        self, zygote: Zygote, params: dict[Any, Any]
    ) -> None:
        """The shipped rules under hostile params: refused alike, or the same JSON from each backend."""
        judged(zygote, "params sets", as_json(params), hostile_cases.judge_params, params)


class TestHostileDocuments:
    """Generated documents are refused with our error, or decided alike on every backend."""

    @_QUARTER
    @given(edits=document_edits, at=hostile_at)
    @example(edits=[("title", ("nested", 100_000, 0))], at="2025-06-15T14:30:00Z")
    @example(edits=[("impact.scope", ("nested", 5000, "x"))], at="2025-06-15T14:30:00Z")
    @example(edits=[("title", "pay\ud800ments")], at="2025-06-15T14:30:00Z")
    def test_a_document_is_refused_by_our_error_or_decided_alike(
        self, zygote: Zygote, edits: list[tuple[str, Any]], at: str
    ) -> None:
        """The seed example with hostile values: our InvalidIncident, or the same JSON from each backend."""
        shown = f"edits: {as_json(edits)}\nat: {at!r}"
        judged(zygote, "documents", shown, hostile_cases.judge_document, edits, at)
