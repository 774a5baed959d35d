"""``incident-rules check``, ``report``, ``postmortem`` and ``update``: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from incident_rules._cli import main

ROOT = Path(__file__).parent.parent
SEED = str(ROOT / "examples" / "inc-2025-0142.json")
GOLDEN = Path(__file__).parent / "golden"
FLAWED = sorted(str(path) for path in (ROOT / "examples").glob("inc-*-*-*.json"))


def run_cli(*args: str) -> Any:
    """``incident-rules`` run in-process."""
    return CliRunner().invoke(main, list(args))


class TestCheck:
    """``incident-rules check DOCUMENT``: the verdict as the exit code, the findings as output."""

    def test_the_seed_passes_with_exit_0(self) -> None:
        """Every check passes on the seed: exit 0, and the text says passed."""
        result = run_cli("check", SEED)
        assert result.exit_code == 0, result.output
        assert result.output.startswith("INC-2025-0142 quality gate at 2025-06-15T15:47:00+00:00: passed")

    @pytest.mark.parametrize("document", FLAWED, ids=lambda path: Path(path).stem)
    def test_a_flawed_record_fails_with_exit_1_and_evidence(self, document: str) -> None:
        """A flawed example exits 1, and each failed check is printed with its evidence."""
        result = run_cli("check", document)
        assert result.exit_code == 1, result.output
        failed = [line for line in result.output.splitlines() if line.startswith("[failed]")]
        assert failed
        assert "      " in result.output.split(failed[0], 1)[1].split("\n\n", 1)[0]

    def test_json_output_is_the_gate_result(self) -> None:
        """--format json prints GateResult.to_dict()."""
        result = run_cli("check", SEED, "--format", "json")
        data = json.loads(result.output)
        assert (data["passed"], len(data["findings"])) == (True, 9)

    def test_the_review_instant_can_be_given(self) -> None:
        """--at sets the instant of the review the result reports."""
        result = run_cli("check", SEED, "--at", "2025-06-15T15:10:00Z", "--format", "json")
        assert json.loads(result.output)["at"] == "2025-06-15T15:10:00+00:00"

    def test_a_bad_document_exits_3(self, tmp_path: Path) -> None:
        """An invalid document is exit 3, with the path of the problem."""
        path = tmp_path / "bad.json"
        path.write_text('{"id": "X"}', encoding="utf-8")
        result = run_cli("check", str(path))
        assert result.exit_code == 3
        assert "title: required key is missing" in result.output

    def test_the_record_can_come_from_standard_input(self) -> None:
        """check - reads the document from stdin, like assess -."""
        text = Path(SEED).read_text(encoding="utf-8")
        result = CliRunner().invoke(main, ["check", "-"], input=text)
        assert result.exit_code == 0, result.output

    def test_a_bad_document_with_json_reports_the_error_as_json(self, tmp_path: Path) -> None:
        """With --format json the error goes to stderr as JSON with exit code 3."""
        path = tmp_path / "bad.json"
        path.write_text("[]", encoding="utf-8")
        result = CliRunner().invoke(main, ["check", str(path), "--format", "json"])
        assert result.exit_code == 3
        assert json.loads(result.stderr)["error"]["type"] == "InvalidIncident"

    def test_a_bad_param_exits_4(self) -> None:
        """An unknown --param is exit 4, with a suggestion."""
        result = run_cli("check", SEED, "--param", "min_action_item=3")
        assert result.exit_code == 4
        assert "did you mean 'min_action_items'" in result.output

    def test_a_param_changes_the_verdict(self) -> None:
        """Four action items required: the seed's three fail the gate."""
        assert run_cli("check", SEED, "--param", "min_action_items=4").exit_code == 1


class TestArtifacts:
    """report, postmortem and update print the seed's golden artifacts."""

    def test_report_prints_the_golden_report(self) -> None:
        """incident-rules report SEED is the golden incident report."""
        result = run_cli("report", SEED)
        assert result.exit_code == 0, result.output
        assert result.output == (GOLDEN / "inc-2025-0142.report.md").read_text(encoding="utf-8")

    def test_postmortem_prints_the_golden_postmortem(self) -> None:
        """incident-rules postmortem SEED is the golden postmortem."""
        result = run_cli("postmortem", SEED)
        assert result.output == (GOLDEN / "inc-2025-0142.postmortem.md").read_text(encoding="utf-8")

    def test_update_prints_the_golden_update(self) -> None:
        """incident-rules update SEED --at 15:00 is the golden stakeholder update."""
        result = run_cli("update", SEED, "--at", "2025-06-15T15:00:00Z")
        assert result.output == (GOLDEN / "inc-2025-0142.update.md").read_text(encoding="utf-8")

    def test_update_needs_an_instant(self) -> None:
        """Without --at, update is a usage error (exit 2)."""
        assert run_cli("update", SEED).exit_code == 2

    def test_templates_come_from_the_given_directory(self, tmp_path: Path) -> None:
        """--templates DIR replaces the shipped template of the same name."""
        (tmp_path / "postmortem.md.j2").write_text("whys: {{ whys | length }}\n", encoding="utf-8")
        assert run_cli("postmortem", SEED, "--templates", str(tmp_path)).output == "whys: 5\n"

    def test_a_missing_templates_directory_exits_4(self, tmp_path: Path) -> None:
        """A --templates path that is not a directory is exit 4."""
        assert run_cli("report", SEED, "--templates", str(tmp_path / "none")).exit_code == 4
