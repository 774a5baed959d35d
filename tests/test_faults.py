"""Faults in the host process: a fork, an interrupt, memory pressure; each case in a subprocess.

A process-level fault that the engine mishandles hangs or kills the interpreter: the subprocess
and its time limit turn that into one failing test.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from isolated import run_isolated

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
    from incident_rules._backends.durable import durable_available

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
