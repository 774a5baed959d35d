"""Callers who run with warnings as errors still get their decisions, on every backend."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import pytest

from conftest import BACKENDS
from incident_rules import Engine
from incident_rules._backends.durable import _durable_warnings_ignored
from samples import SEED_PATH, seed

SEED_AT = "2025-06-15T14:40:00Z"


@pytest.mark.parametrize("backend", BACKENDS)
class TestWarningsAsErrors:
    """``warnings.simplefilter("error")`` and ``python -W error`` around an assessment."""

    def test_an_assessment_decides_as_it_does_with_warnings_shown(self, backend: str) -> None:
        """Under ``simplefilter("error")`` the assessment equals the one made without it."""
        engine = Engine.default(backend=backend)  # type: ignore[arg-type]
        expected = engine.assess(seed(), at=SEED_AT).to_dict()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assessment = engine.assess(seed(), at=SEED_AT)
        assert assessment.to_dict() == expected

    def test_an_assessment_leaves_the_callers_warning_filters_as_they_were(self, backend: str) -> None:
        """After an assessment ``warnings.filters`` holds exactly what it held before."""
        engine = Engine.default(backend=backend)  # type: ignore[arg-type]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            before = list(warnings.filters)
            engine.assess(seed(), at=SEED_AT)
            assert warnings.filters == before

    def test_a_fresh_process_with_w_error_gets_its_decision(self, backend: str) -> None:
        """``python -W error -m incident_rules assess`` imports, decides and exits 0."""
        options = ["--at", SEED_AT, "--backend", backend, "--format", "json"]
        done = subprocess.run(
            [sys.executable, "-W", "error", "-m", "incident_rules", "assess", str(SEED_PATH), *options],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        expected = Engine.default(backend=backend).assess(seed(), at=SEED_AT).to_dict()  # type: ignore[arg-type]
        assert json.loads(done.stdout) == json.loads(json.dumps(expected))


class TestDurableWarningFilter:
    """The filter around calls into durable_rules is narrow: its module, deprecations only."""

    def test_durable_rules_own_deprecation_warning_is_ignored(self) -> None:
        """A ``DeprecationWarning`` from ``durable.engine`` raises nothing under ``error``."""
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with _durable_warnings_ignored():
                warnings.warn_explicit("old", DeprecationWarning, "engine.py", 17, module="durable.engine")

    def test_a_deprecation_warning_from_our_own_code_still_raises(self) -> None:
        """A ``DeprecationWarning`` from ``incident_rules`` inside the filter still raises."""
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with _durable_warnings_ignored(), pytest.raises(DeprecationWarning, match="ours"):
                warnings.warn_explicit("ours", DeprecationWarning, "plan.py", 1, module="incident_rules.x")

    def test_a_module_whose_name_only_starts_like_durable_is_not_ignored(self) -> None:
        """``durable_helpers`` is not durable_rules: its deprecation warning still raises."""
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with _durable_warnings_ignored(), pytest.raises(DeprecationWarning, match="theirs"):
                warnings.warn_explicit("theirs", DeprecationWarning, "h.py", 1, module="durable_helpers")

    def test_other_warnings_from_durable_rules_still_raise(self) -> None:
        """A ``RuntimeWarning`` from ``durable.engine`` is not a deprecation: it still raises."""
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with _durable_warnings_ignored(), pytest.raises(RuntimeWarning, match="bad"):
                warnings.warn_explicit("bad", RuntimeWarning, "engine.py", 1, module="durable.engine")
