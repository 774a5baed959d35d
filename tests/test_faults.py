"""Faults in the host process: a fork, an interrupt, memory pressure; each case in a subprocess.

A process-level fault that the engine mishandles hangs or kills the interpreter: the subprocess
and its time limit turn that into one failing test.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from incident_rules._backends.durable import durable_available
from isolated import run_isolated

DURABLE_MISSING = durable_available()

ROOT = Path(__file__).parent.parent
SEED = ROOT / "examples" / "inc-2025-0142.json"
SEED_AT = "2025-06-15T14:30:00Z"
#: Builds ``engine`` on ``BACKEND`` and ``expected``, its assessment of the seed example.
PRELUDE = f"""
import json, os, threading, time
from incident_rules import Engine
seed = json.loads(open({str(SEED)!r}).read())
engine = Engine.default(backend=BACKEND)
AT = {SEED_AT!r}
expected = engine.assess(seed, at={SEED_AT!r})
"""


def backends() -> list[str]:
    """Both backends where durable_rules imports, else native only."""
    return ["durable", "native"] if durable_available() is None else ["native"]


def run_with(backend: str, code: str, time_limit: float = 60) -> str:
    return run_isolated(f"BACKEND = {backend!r}\n" + PRELUDE + textwrap.dedent(code), time_limit)


@pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX")
@pytest.mark.parametrize("backend", backends())
def test_a_child_forked_while_another_thread_assesses_can_assess(backend: str) -> None:
    """20 forks while a thread assesses in a loop: every child assesses as the parent did."""
    answer = run_with(
        backend,
        """
        import warnings
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12 warns of fork with threads
        stop = False
        def spin():
            while not stop:
                engine.assess(seed, at=AT)
        thread = threading.Thread(target=spin)
        thread.start()
        good = 0
        for _ in range(20):
            time.sleep(0.003)
            pid = os.fork()
            if pid == 0:
                os._exit(0 if engine.assess(seed, at=AT) == expected else 1)
            good += os.waitpid(pid, 0)[1] == 0
        stop = True
        thread.join()
        print(good)
        """,
        time_limit=90,
    )
    assert answer == "20"


@pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX")
def test_a_child_forked_while_the_gate_compiles_can_check() -> None:
    """A fork while another thread holds the gate's compile lock: the child still checks."""
    answer = run_with(
        "native",
        """
        engine._gate_lock.acquire()  # as another thread does while it compiles the gate backend
        pid = os.fork()
        if pid == 0:
            os._exit(0 if engine.check(seed).passed in (True, False) else 1)
        for _ in range(300):  # 30 s: a child blocked on the inherited lock never exits
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.1)
        else:
            os.kill(pid, 9)
            status = "hang"
        print(status)
        """,
    )
    assert answer == "0"


#: Replaces ``settle`` in the backend module ``MODULE`` with one raising KeyboardInterrupt on
#: its third call: inside the second ruleset of an assessment (in a rule action, on durable).
INTERRUPT = """
import importlib
module = importlib.import_module(MODULE)
settle, calls = module.settle, []
def interrupting(*args):
    calls.append(1)
    if len(calls) == 3:
        raise KeyboardInterrupt
    return settle(*args)
module.settle = interrupting
try:
    engine.assess(seed, at=AT)
    ending = "no interrupt"
except KeyboardInterrupt:
    ending = "interrupted"
except BaseException as error:
    ending = type(error).__name__
module.settle = settle
"""


@pytest.mark.parametrize("backend", backends())
def test_a_keyboard_interrupt_inside_an_assessment_propagates_as_it_is(backend: str) -> None:
    """Ctrl-C inside the backend reaches the caller as KeyboardInterrupt, not as our error."""
    module = f"incident_rules._backends.{backend}"
    answer = run_with(backend, f"MODULE = {module!r}\n" + INTERRUPT + "print(ending)")
    assert answer == "interrupted"


@pytest.mark.parametrize("backend", backends())
def test_after_an_interrupt_the_engine_assesses_as_before(backend: str) -> None:
    """The assessment after an interrupted one equals the one before it."""
    module = f"incident_rules._backends.{backend}"
    answer = run_with(
        backend, f"MODULE = {module!r}\n" + INTERRUPT + "print(engine.assess(seed, at=AT) == expected)"
    )
    assert answer == "True"


@pytest.mark.skipif(DURABLE_MISSING is not None, reason="durable_rules does not import here")
def test_an_interrupted_durable_assessment_leaves_no_session_behind() -> None:
    """No live sid is counted, and durable_rules holds no state for any sid used, in any part."""
    code = (
        f"MODULE = 'incident_rules._backends.durable'\n{INTERRUPT}"
        + """
backend = engine._backend
used = [str(sid) for sid in range(next(backend._sids))]
left = []
for part in backend._parts:
    for sid in used:
        try:
            backend._host.get_state(backend._part_name(part), sid)
            left.append((part, sid))
        except Exception:
            pass
print(ending, len(used), sorted(backend.live_sids), left)
"""
    )
    assert run_with("durable", code) == "interrupted 2 [] []"


#: Limits the address space to what the process holds plus ``HEADROOM`` MB, runs ``ATTEMPT``
#: (its ending: our error, MemoryError, or done), lifts the limit, and assesses the seed again.
UNDER_PRESSURE = """
import resource
from incident_rules.errors import IncidentRulesError
def vm_bytes():
    for line in open("/proc/self/status"):
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
soft, hard = resource.getrlimit(resource.RLIMIT_AS)
resource.setrlimit(resource.RLIMIT_AS, (vm_bytes() + HEADROOM * 2**20, hard))
try:
    ATTEMPT()
    ending = "done"
except IncidentRulesError as error:
    ending = type(error).__name__
except MemoryError:
    ending = "MemoryError"
finally:
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
print(ending, engine.assess(seed, at=AT) == expected)
"""


def _under_pressure(backend: str, attempt: str) -> tuple[str, str]:
    ending, works = run_with(backend, textwrap.dedent(attempt) + UNDER_PRESSURE).split()
    return ending, works


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
@pytest.mark.parametrize("backend", backends())
def test_a_large_document_under_a_memory_limit_fails_cleanly_and_the_engine_still_works(backend: str) -> None:
    """390,000 timeline entries under 40 MB of headroom: MemoryError or our error, then it assesses."""
    ending, works = _under_pressure(
        backend,
        """
        HEADROOM = 40
        large = dict(seed, timeline=seed["timeline"] * 30_000)
        def ATTEMPT():
            engine.assess(large, at=AT)
        """,
    )
    assert ending in ("MemoryError", "InvalidIncident", "EngineError")
    assert works == "True"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
@pytest.mark.parametrize("backend", backends())
def test_a_large_rules_file_under_a_memory_limit_fails_cleanly_and_the_engine_still_works(
    backend: str, tmp_path: Path
) -> None:
    """A 3,000-rule file built under 30 MB of headroom: MemoryError or our error, then it assesses."""
    rules = "".join(
        f"  - {{id: r{n}, when: rollback.estimated_minutes > {n}, then: a}}\n" for n in range(3000)
    )
    path = tmp_path / "large.yaml"
    path.write_text(f"ruleset: large\nhit: collect\nvalues: [a]\nrules:\n{rules}", encoding="utf-8")
    ending, works = _under_pressure(
        backend,
        f"""
        HEADROOM = 30
        def ATTEMPT():
            Engine.from_path({str(path)!r}, backend=BACKEND).assess(seed, at=AT)
        """,
    )
    assert ending in ("MemoryError", "RulesetError", "EngineError")
    assert works == "True"
