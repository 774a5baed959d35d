"""The decision log an assessment's JSON carries: policy digest, version, backend, instant, id."""

from __future__ import annotations

import copy
import json
import shutil
import uuid
from pathlib import Path

import attrs
import pytest

import incident_rules
from incident_rules import Assessment, Engine
from incident_rules._backends.durable import durable_available

ROOT = Path(__file__).resolve().parent.parent
SEED = json.loads((ROOT / "examples" / "inc-2025-0142.json").read_text(encoding="utf-8"))
SEED_AT = "2025-06-15T14:30:00Z"
DURABLE_MISSING = durable_available()


def log_of(engine: Engine, document: object = SEED, at: str = SEED_AT) -> dict[str, object]:
    log: dict[str, object] = engine.assess(document, at=at).to_dict()["decision_log"]  # type: ignore[arg-type]
    return log


@pytest.fixture(scope="module")
def native() -> Engine:
    """The shipped rules on the native backend."""
    return Engine.default(backend="native")


class TestShape:
    """The keys of ``decision_log`` and what each holds."""

    def test_the_keys_come_in_their_documented_order(self, native: Engine) -> None:
        """decision_id, library, version, policy_digest, backend, at: in that order."""
        assert list(log_of(native)) == ["decision_id", "library", "version", "policy_digest", "backend", "at"]

    def test_the_version_is_the_library_version(self, native: Engine) -> None:
        """``version`` is ``incident_rules.__version__`` and ``library`` its name."""
        log = log_of(native)
        assert (log["library"], log["version"]) == ("incident-rules", incident_rules.__version__)

    def test_the_instant_is_the_one_decided_at(self, native: Engine) -> None:
        """``at`` is the assessed instant, not the time of the call."""
        assert log_of(native, at="2025-06-15T16:30:00+02:00")["at"] == "2025-06-15T16:30:00+02:00"

    def test_the_id_is_a_version_5_uuid(self, native: Engine) -> None:
        """``decision_id`` parses as a UUID of version 5 (name-based)."""
        assert uuid.UUID(str(log_of(native)["decision_id"])).version == 5

    def test_the_digest_is_a_sha256(self, native: Engine) -> None:
        """``policy_digest`` is ``sha256:`` and 64 hex digits."""
        digest = str(log_of(native)["policy_digest"])
        assert (digest[:7], len(digest), int(digest[7:], 16) >= 0) == ("sha256:", 71, True)

    def test_an_assessment_built_by_hand_has_no_log(self) -> None:
        """An Assessment built without an engine writes no ``decision_log`` key."""
        assessment = Assessment("INC-1", Engine.default(backend="native").assess(SEED, at=SEED_AT).at, {}, {})
        assert "decision_log" not in assessment.to_dict()

    def test_the_log_takes_no_part_in_equality(self, native: Engine) -> None:
        """The same decisions without a log, or with another engine's, are an equal assessment."""
        assessment = native.assess(SEED, at=SEED_AT)
        other = Engine.default(backend="native", params={"significant_fraction": 0.11})
        assert attrs.evolve(assessment, log=None) == assessment == other.assess(SEED, at=SEED_AT)


class TestReproducible:
    """The same decision gets the same id; any change of its inputs a new one."""

    def test_a_rerun_by_another_engine_gives_the_same_id(self, native: Engine) -> None:
        """Two engines built apart decide the same document at the same instant under one id."""
        assert log_of(Engine.default(backend="native")) == log_of(native)

    def test_another_document_gives_another_id(self, native: Engine) -> None:
        """Changing one fact of the document changes the id."""
        document = copy.deepcopy(SEED)
        document["impact"]["workaround"] = True
        assert log_of(native, document)["decision_id"] != log_of(native)["decision_id"]

    def test_another_instant_gives_another_id(self, native: Engine) -> None:
        """Deciding a minute later changes the id."""
        assert log_of(native, at="2025-06-15T14:31:00Z")["decision_id"] != log_of(native)["decision_id"]

    def test_other_params_give_another_digest_and_id(self, native: Engine) -> None:
        """A param override changes the policy digest, and so the id."""
        other = log_of(Engine.default(params={"significant_fraction": 0.2}, backend="native"))
        mine = log_of(native)
        assert (
            other["policy_digest"] != mine["policy_digest"],
            other["decision_id"] != mine["decision_id"],
        ) == (
            True,
            True,
        )

    def test_the_same_rules_elsewhere_have_the_same_digest(self, native: Engine, tmp_path: Path) -> None:
        """The shipped rules copied to another directory give the same digest: locations are not policy."""
        shutil.copytree(ROOT / "rules", tmp_path / "copied")
        copied = Engine.from_path(tmp_path / "copied", backend="native")
        assert log_of(copied)["policy_digest"] == log_of(native)["policy_digest"]

    def test_a_changed_rule_changes_the_digest(self, native: Engine, tmp_path: Path) -> None:
        """Editing one rule's condition changes the digest."""
        shutil.copytree(ROOT / "rules", tmp_path / "edited")
        severity = tmp_path / "edited" / "severity.yaml"
        text = severity.read_text(encoding="utf-8")
        severity.write_text(
            text.replace("when: impact.data_loss", "when: impact.data_loss and true"), "utf-8"
        )
        edited = Engine.from_path(tmp_path / "edited", backend="native")
        assert log_of(edited)["policy_digest"] != log_of(native)["policy_digest"]


@pytest.mark.skipif(DURABLE_MISSING is not None, reason=f"{DURABLE_MISSING}")
class TestBackends:
    """Native and durable write the same log but for the backend."""

    def test_the_logs_differ_only_in_the_backend(self, native: Engine) -> None:
        """The durable log equals the native one with ``backend`` replaced."""
        durable = log_of(Engine.default(backend="durable"))
        assert durable == {**log_of(native), "backend": "durable"}

    def test_assessments_of_the_two_backends_stay_equal(self, native: Engine) -> None:
        """The backend is not compared: the two assessments are equal."""
        assert Engine.default(backend="durable").assess(SEED, at=SEED_AT) == native.assess(SEED, at=SEED_AT)
