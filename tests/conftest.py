"""Shared fixtures and the Hypothesis profiles (``HYPOTHESIS_PROFILE=ci`` for the thorough one).

Engines are built once per backend and param set for the whole session: compiling is the slow
part, and an engine holds no state from one assessment to the next.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping

import pytest
from hypothesis import HealthCheck, settings

from incident_rules import Engine
from incident_rules._backends.durable import durable_available

# Local runs: enough examples to catch most slips while the fast suite stays under a minute.
settings.register_profile("dev", max_examples=30, deadline=None)
# CI draws the same examples on every run of the same tests (derandomize): a red CI is then a
# change's doing, never the luck of the draw; local runs keep exploring new examples.
settings.register_profile(
    "ci", max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_configure(config: pytest.Config) -> None:
    """The whole run (every xdist worker, every subprocess) caches in one throwaway directory.

    Set by the controlling process before the workers start, so they inherit it: the user's
    cache is neither read (a stale file cannot decide a test) nor filled with one file per wheel
    the packaging tests install.
    """
    if hasattr(config, "workerinput"):
        return
    folder = tempfile.mkdtemp(prefix="incident-rules-test-cache-")
    os.environ["INCIDENT_RULES_CACHE_DIR"] = folder

    def remove() -> None:
        os.environ["INCIDENT_RULES_CACHE_DIR"] = "off"  # the code cache saves at exit: not here
        shutil.rmtree(folder, ignore_errors=True)

    config.add_cleanup(remove)


#: Why durable_rules does not run here, or None where it does.
DURABLE_MISSING = durable_available()

#: Every backend; durable is skipped, saying why, where durable_rules does not import.
BACKENDS = [
    "native",
    pytest.param(
        "durable", marks=pytest.mark.skipif(DURABLE_MISSING is not None, reason=f"{DURABLE_MISSING}")
    ),
]

#: Param overrides as a hashable key: lists (work days) become tuples.
_Key = tuple[tuple[str, object], ...]


@functools.cache
def _engine(backend: str, key: _Key) -> Engine:
    return Engine.default(params=dict(key), backend=backend)  # type: ignore[arg-type]


def engine_for(backend: str, overrides: Mapping[str, object] | None = None) -> Engine:
    """The shipped rules on ``backend`` under ``overrides``, built once per session."""
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (overrides or {}).items()))
    return _engine(backend, key)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend that runs here."""
    return str(request.param)


@pytest.fixture(scope="session")
def engines() -> Callable[[str, Mapping[str, object] | None], Engine]:
    """Engines by backend and param overrides, shared by every test and example."""
    return engine_for


@pytest.fixture(scope="session")
def engine(backend: str) -> Engine:
    """The shipped rules and params on each backend."""
    return engine_for(backend)
