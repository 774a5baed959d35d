"""``incident-rules replay``: records to stdout, a policy diff with --against, errors kept as rows."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from incident_rules._cli import main
from samples import ROOT, SEED_PATH, seed

SHIPPED_RULES = ROOT / "rules"


@pytest.fixture
def incidents(tmp_path: Path) -> Path:
    """A JSON lines file: the seed, the seed as an 8 % partial outage with a workaround, a bad line."""
    partial = seed()
    partial["id"] = "INC-PARTIAL"
    partial["impact"] |= {"scope": "partial", "affected_fraction": 0.08, "workaround": True}
    path = tmp_path / "incidents.jsonl"
    path.write_text(f"{json.dumps(seed())}\n{json.dumps(partial)}\n{{broken\n", encoding="utf-8")
    return path


def run(*args: str, stdin: str | None = None) -> Any:
    """The command's result, stdout and stderr apart."""
    return CliRunner().invoke(main, ["replay", *args], input=stdin)


class TestRecords:
    def test_csv_has_a_header_and_one_row_per_incident(self, incidents: Path) -> None:
        """The bad line is a row with its error, and the run still succeeds."""
        result = run(str(incidents), "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert result.exit_code == 0
        assert [(row["id"], row["severity"]) for row in rows] == [
            ("INC-2025-0142", "SEV1"),
            ("INC-PARTIAL", "SEV3"),
            ("", ""),
        ]
        assert rows[2]["error"].startswith("not valid JSON")

    def test_undecided_documents_are_counted_on_stderr(self, incidents: Path) -> None:
        """stderr says how many could not be decided; stdout holds only records."""
        result = run(str(incidents), "--format", "json")
        assert "1 of 3 documents could not be decided" in result.stderr
        assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [
            "INC-2025-0142",
            "INC-PARTIAL",
            None,
        ]

    def test_standard_input_is_read_as_json_lines(self) -> None:
        """``-`` reads JSON lines from stdin."""
        result = run("-", "--format", "json", stdin=json.dumps(seed()) + "\n")
        assert json.loads(result.stdout)["severity"] == "SEV1"

    def test_an_offset_instant_is_resolved_per_incident(self) -> None:
        """``--at detected+30m`` is 30 minutes after each incident's detection."""
        result = run(str(SEED_PATH), "--format", "json", "--at", "detected+30m")
        assert json.loads(result.stdout)["at"] == "2025-06-15T14:53:00+00:00"

    def test_raising_errors_stops_at_the_bad_document_without_a_traceback(self, incidents: Path) -> None:
        """``--errors raise`` exits 3 with an error naming the line, not a traceback."""
        result = run(str(incidents), "--errors", "raise")
        assert result.exit_code == 3  # bad input, the CLI's shared exit code
        assert f"{incidents}:3: not valid JSON" in result.stderr
        assert "Traceback" not in result.stderr


class TestAgainst:
    def test_a_candidate_param_lists_the_changed_incident(self, incidents: Path, tmp_path: Path) -> None:
        """A 5 % significance threshold moves the 8 % partial outage from SEV3 to SEV2."""
        candidate = shutil.copytree(SHIPPED_RULES, tmp_path / "candidate")
        result = run(str(incidents), "--against", str(candidate), "--param", "significant_fraction=0.05")
        assert result.exit_code == 0
        assert result.stdout.startswith("1 of 2 incidents change a decision; 1 could not be decided")
        assert "INC-PARTIAL (" in result.stdout
        assert "severity: SEV3 -> SEV2" in result.stdout

    def test_markdown_is_a_pull_request_comment(self, incidents: Path) -> None:
        """The same diff as Markdown tables."""
        result = run(
            str(incidents),
            "--against",
            str(SHIPPED_RULES),
            "--param",
            "significant_fraction=0.05",
            "--format",
            "markdown",
        )
        assert result.stdout.startswith("**Policy replay:** 1 of 2 incidents change a decision")
        assert "| severity | `SEV3` | `SEV2` | 1 |" in result.stdout
