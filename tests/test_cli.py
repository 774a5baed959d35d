"""The command line as a user meets it: exit codes, errors on stderr (text or JSON), standard input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from incident_rules import Engine, EngineError, RulesetError
from incident_rules._cli import ExitCode, _Group, format_option, main
from samples import SEED_PATH, seed

SEED_AT = "2025-06-15T14:30:00Z"
COMMAND = Path(sys.executable).parent / "incident-rules"


def run(*args: str, stdin: str | bytes | None = None) -> Result:
    """``incident-rules`` run in-process, stdout and stderr apart."""
    return CliRunner().invoke(main, list(args), input=stdin)


def run_installed(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The installed ``incident-rules`` console script, run in a subprocess."""
    return subprocess.run(
        [str(COMMAND), *args], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )


def written(directory: Path, document: object, name: str = "doc.json") -> Path:
    """``document`` written as JSON to a file in ``directory``."""
    path = directory / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def json_error(result: Result) -> dict[str, Any]:
    """The ``error`` object a ``--format json`` failure printed on stderr."""
    error: dict[str, Any] = json.loads(result.stderr)["error"]
    return error


class TestExitCodes:
    """Each kind of failure has its own exit code, the same for every command."""

    def test_an_assessment_exits_0(self) -> None:
        """Assessing the seed example exits 0."""
        assert run("assess", str(SEED_PATH), "--at", SEED_AT).exit_code == ExitCode.DONE == 0

    def test_an_unknown_option_exits_2(self) -> None:
        """An option ``assess`` does not have is a usage error, 2."""
        assert run("assess", str(SEED_PATH), "--at", SEED_AT, "--colour").exit_code == 2

    def test_an_unknown_command_exits_2(self) -> None:
        """A command that does not exist is a usage error, 2."""
        assert run("asses").exit_code == 2

    def test_an_invalid_document_exits_3(self, tmp_path: Path) -> None:
        """A document with an unknown scope is bad input, 3."""
        document = seed()
        document["impact"]["scope"] = "global"
        assert run("assess", str(written(tmp_path, document)), "--at", SEED_AT).exit_code == 3

    def test_an_instant_that_is_not_a_time_exits_3(self) -> None:
        """``--at soon`` is bad input, 3, naming ``at``."""
        result = run("assess", str(SEED_PATH), "--at", "soon")
        assert (result.exit_code, result.stderr.startswith("Error: at: expected an ISO 8601 time")) == (
            3,
            True,
        )

    def test_a_huge_param_exits_4_naming_the_largest_allowed(self) -> None:
        """The issue's ``sev1_executive_summary_within=9999999999h`` is bad params, 4, with the limit."""
        result = run(
            "assess", str(SEED_PATH), "--at", SEED_AT, "--param", "sev1_executive_summary_within=9999999999h"
        )
        assert (result.exit_code, "at most 3650d (got '9999999999h')" in result.stderr) == (4, True)

    def test_a_param_of_more_digits_than_python_reads_exits_4(self) -> None:
        """A 5000-digit ``--param`` value is read as text and refused as bad params, 4."""
        result = run("assess", str(SEED_PATH), "--at", SEED_AT, "--param", "change_window=" + "9" * 5000)
        assert (result.exit_code, "params.change_window: expected a duration" in result.stderr) == (4, True)

    def test_a_bad_rules_file_exits_4(self, tmp_path: Path) -> None:
        """A rules file with an unknown hit policy is bad rules, 4."""
        rules = tmp_path / "bad.yaml"
        rules.write_text("ruleset: x\nhit: frist\nvalues: [a]\nrules:\n  - {id: r, when: true, then: a}\n")
        result = run("assess", str(SEED_PATH), "--at", SEED_AT, "--rules", str(rules))
        assert (result.exit_code, f"{rules}:2:6: hit must be one of" in result.stderr) == (4, True)

    def test_an_engine_failure_exits_5(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An ``EngineError`` during the assessment is an engine failure, 5."""

        def fail(*args: object, **kwargs: object) -> None:
            raise EngineError("durable_rules stopped before every ruleset was settled")

        monkeypatch.setattr(Engine, "assess", fail)
        result = run("assess", str(SEED_PATH), "--at", SEED_AT)
        assert (result.exit_code, result.stderr) == (
            5,
            "Error: durable_rules stopped before every ruleset was settled\n",
        )

    def test_an_unexpected_exception_exits_5_without_a_traceback(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A bug (any other exception) is reported in one line and exits 5, no traceback."""

        def fail(*args: object, **kwargs: object) -> None:
            raise KeyError("severity")

        monkeypatch.setattr(Engine, "assess", fail)
        result = run("assess", str(SEED_PATH), "--at", SEED_AT)
        assert (result.exit_code, result.stderr) == (5, "Error: internal error: KeyError: 'severity'\n")


def demo_group() -> click.Group:
    """A group like ``main`` with two commands declared as a new command would be."""

    @click.group(cls=_Group)
    def demo() -> None:
        """A demo."""

    @demo.command()
    @click.argument("answer")
    def gate(answer: str) -> ExitCode | None:
        """Answer ``no`` to get ``ExitCode.NO``."""
        return ExitCode.NO if answer == "no" else None

    @demo.command()
    @format_option
    def broken(output: str) -> None:
        """Fails with a rules error."""
        raise RulesetError("params.x: unknown param")

    return demo


class TestEveryCommand:
    """A command declared on a ``_Group`` gets the exit codes and the error reports for free."""

    @pytest.mark.parametrize(("answer", "code"), [("yes", 0), ("no", 1)])
    def test_a_command_answering_no_exits_1(self, answer: str, code: int) -> None:
        """A command that returns ``ExitCode.NO`` exits 1; one returning nothing exits 0."""
        assert CliRunner().invoke(demo_group(), ["gate", answer]).exit_code == code

    def test_a_new_command_reports_our_errors_as_json(self) -> None:
        """A new command with ``format_option`` reports a ``RulesetError`` as JSON, exit 4."""
        result = CliRunner().invoke(demo_group(), ["broken", "--format", "json"])
        assert (result.exit_code, json_error(result)["type"], result.stdout) == (4, "RulesetError", "")


class TestStandardInput:
    """``assess -`` reads the document from standard input."""

    def test_a_dash_reads_the_document_from_standard_input(self) -> None:
        """``assess -`` with the seed on stdin prints what ``assess FILE`` prints."""
        from_file = run("assess", str(SEED_PATH), "--at", SEED_AT, "--format", "json")
        from_stdin = run("assess", "-", "--at", SEED_AT, "--format", "json", stdin=SEED_PATH.read_text())
        assert (from_stdin.exit_code, from_stdin.stdout) == (0, from_file.stdout)

    def test_standard_input_that_is_not_json_is_bad_input_at_its_position(self) -> None:
        """``{not json`` on stdin exits 3, located as ``<stdin>:1:2``."""
        result = run("assess", "-", "--at", SEED_AT, stdin="{not json")
        assert (result.exit_code, result.stderr.startswith("Error: <stdin>:1:2: not valid JSON")) == (3, True)

    def test_standard_input_that_is_not_utf8_is_bad_input(self) -> None:
        """Bytes that are not UTF-8 on stdin exit 3 saying the input is not valid JSON."""
        result = run("assess", "-", "--at", SEED_AT, stdin=b"\xff\xfe{}")
        assert (result.exit_code, result.stderr.startswith("Error: <stdin>: not valid JSON")) == (3, True)

    def test_a_number_of_more_digits_than_python_reads_is_bad_input(self) -> None:
        """A document holding a 5000-digit number exits 3, not with Python's ValueError."""
        result = run("assess", "-", "--at", SEED_AT, stdin='{"id": ' + "9" * 5000 + "}")
        assert (result.exit_code, result.stderr.startswith("Error: <stdin>: not valid JSON")) == (3, True)

    def test_a_document_nested_too_deeply_is_bad_input(self) -> None:
        """JSON nested a hundred thousand levels deep exits 3, not with a RecursionError."""
        result = run("assess", "-", "--at", SEED_AT, stdin="[" * 100_000)
        assert (result.exit_code, "not valid JSON" in result.stderr) == (3, True)


class TestJsonErrors:
    """With ``--format json`` an error is a JSON object on stderr, and stdout stays empty."""

    def test_an_invalid_document_is_reported_with_its_problem_records(self, tmp_path: Path) -> None:
        """An unknown scope gives type, exit code and a problem record with path and value."""
        document = seed()
        document["impact"]["scope"] = "global"
        result = run("assess", str(written(tmp_path, document)), "--at", SEED_AT, "--format", "json")
        error = json_error(result)
        (problem,) = error["problems"]
        assert (error["type"], error["exit_code"], problem["path"], problem["value"], result.stdout) == (
            "InvalidIncident",
            3,
            "impact.scope",
            "global",
            "",
        )

    def test_a_rules_problem_carries_file_line_and_column(self, tmp_path: Path) -> None:
        """A bad rules file gives a record with its file, line and column."""
        rules = tmp_path / "bad.yaml"
        rules.write_text("ruleset: x\nhit: frist\nvalues: [a]\nrules:\n  - {id: r, when: true, then: a}\n")
        result = run("assess", str(SEED_PATH), "--at", SEED_AT, "--rules", str(rules), "--format=json")
        (problem,) = json_error(result)["problems"]
        assert (problem["file"], problem["line"], problem["column"]) == (str(rules), 2, 6)

    def test_a_usage_error_is_json_naming_the_option(self) -> None:
        """A missing ``--at`` with ``--format json`` is a JSON usage error about ``--at``, exit 2."""
        result = run("assess", str(SEED_PATH), "--format", "json")
        error = json_error(result)
        assert (result.exit_code, error["type"], error["problems"][0]["path"], result.stdout) == (
            2,
            "UsageError",
            "--at",
            "",
        )

    def test_the_message_is_the_text_error(self) -> None:
        """The JSON ``message`` is what the text format prints after ``Error:``."""
        args = ["assess", str(SEED_PATH), "--at", SEED_AT, "--param", "change_windw=3m"]
        text, as_json = run(*args), run(*args, "--format", "json")
        assert text.stderr == f"Error: {json_error(as_json)['message']}\n"

    def test_an_error_in_text_format_is_one_line_without_json(self) -> None:
        """Without ``--format json`` the error is ``Error: ...`` text, not JSON."""
        result = run("assess", str(SEED_PATH), "--at", SEED_AT, "--param", "change_windw=3m")
        assert result.stderr == "Error: params.change_windw: unknown param (did you mean 'change_window'?)\n"


class TestHelp:
    """``--help`` documents the exit codes and the JSON error."""

    @pytest.mark.parametrize(
        "line",
        [
            "0  done",
            '1  the answer is "no"',
            "2  usage",
            "3  bad input",
            "4  bad rules or params",
            "5  engine failure",
            '{"error": {"type":',
        ],
    )
    def test_the_help_lists_each_exit_code(self, line: str) -> None:
        """The group's help names each exit code and the JSON error shape."""
        assert line in run("--help").stdout


class TestInstalledCommand:
    """The console script, run as a user runs it."""

    def test_a_huge_param_is_an_error_without_a_traceback(self) -> None:
        """``--param sev1_executive_summary_within=9999999999h`` exits 4 with one line, no traceback."""
        done = run_installed(
            "assess", str(SEED_PATH), "--at", SEED_AT, "--param", "sev1_executive_summary_within=9999999999h"
        )
        assert (done.returncode, done.stderr.count("\n"), "Traceback" in done.stderr) == (4, 1, False)

    def test_a_document_in_the_year_9999_is_reported_as_json(self) -> None:
        """A SEV1 detected late on 9999-12-31 exits 3 with a JSON error naming ``detected_at``."""
        document = seed() | {"detected_at": "9999-12-31T23:30:00Z", "timeline": [], "updates": []}
        document.pop("postmortem")
        done = run_installed(
            "assess", "-", "--at", "9999-12-31T23:40:00Z", "--format", "json", stdin=json.dumps(document)
        )
        paths = [problem["path"] for problem in json.loads(done.stderr)["error"]["problems"]]
        assert (done.returncode, paths, done.stdout) == (3, ["detected_at"], "")

    def test_the_seed_example_is_read_from_standard_input(self) -> None:
        """``incident-rules assess -`` assesses the seed example piped in."""
        done = run_installed("assess", "-", "--at", SEED_AT, "--format", "json", stdin=SEED_PATH.read_text())
        assert (done.returncode, json.loads(done.stdout)["severity"]["value"]) == (0, "SEV1")
