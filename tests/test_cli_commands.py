"""The finished command set: demo, --explain, --at now, colour, completion, examples, Ctrl-C."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from incident_rules import Engine, render
from incident_rules._cli import COMMANDS, main

ROOT = Path(__file__).parent.parent
SEED = str(ROOT / "examples" / "inc-2025-0142.json")
FLAWED = str(ROOT / "examples" / "inc-2025-0151-checkout-latency.json")
SEED_AT = "2025-06-15T14:30:00Z"
COMMAND = Path(sys.executable).parent / "incident-rules"
ANSI = "\x1b["


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """``incident-rules`` run in-process, stdout and stderr apart."""
    return CliRunner().invoke(main, list(args), env=env)


def run_installed(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed console script in a subprocess, its output piped."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [str(COMMAND), *args], capture_output=True, text=True, timeout=120, check=False, env=environment
    )


class TestDemo:
    """``incident-rules demo``: the shipped example end to end, no arguments."""

    def test_the_demo_shows_the_assessment_the_gate_and_each_artifact(self) -> None:
        """Run as a user runs it, the demo exits 0 with the SEV1, the gate verdict and three artifacts."""
        done = run_installed("demo")
        expected = [
            "severity: SEV1",
            "because",
            "quality gate at 2025-06-15T15:47:00+00:00: passed",
            "# INC-2025-0142: Payment processing failures",
            "# Postmortem: INC-2025-0142",
            "Update #3",
        ]
        assert (done.returncode, [text in done.stdout for text in expected], done.stderr) == (
            0,
            [True] * len(expected),
            "",
        )

    def test_the_demo_piped_is_plain_text(self) -> None:
        """Piped, the demo's output holds no terminal escape."""
        assert ANSI not in run("demo").stdout


class TestExplain:
    """``--explain full|fails|none`` chooses how much of each explanation is shown."""

    def test_full_is_the_text_renderer_byte_for_byte(self) -> None:
        """``--explain full`` prints exactly what ``render.text`` renders."""
        expected = render.text(Engine.default().assess(json.loads(Path(SEED).read_text()), at=SEED_AT))
        assert run("assess", SEED, "--at", SEED_AT, "--explain", "full").stdout == expected

    def test_fails_keeps_the_rules_passed_over_and_drops_what_held(self) -> None:
        """``fails`` shows the failed tests of earlier rules, and no test that held."""
        output = run("assess", SEED, "--at", SEED_AT, "--explain", "fails").stdout
        assert ("earlier rules that did not hold" in output, "[false]" in output, "[holds]" in output) == (
            True,
            True,
            False,
        )

    def test_none_keeps_each_decision_and_its_rule_only(self) -> None:
        """``none`` shows the decisions with their rules, and no test at all."""
        output = run("assess", SEED, "--at", SEED_AT, "--explain", "none").stdout
        shown = ("severity: SEV1" in output, "by severity.widespread-outage" in output)
        assert (shown, "because" in output, "[false]" in output) == ((True, True), False, False)

    def test_fails_on_the_gate_explains_only_the_failed_checks(self) -> None:
        """On a flawed record, a failed check keeps its tests; a passed one is a single line."""
        output = run("check", FLAWED, "--explain", "fails").stdout
        blocks = {block.split("\n")[0].split()[1]: block for block in output.split("\n\n")[1:]}
        assert (
            blocks["gate.updates-on-cadence"].count("\n") > 0,
            blocks["gate.severity-in-time"].count("\n"),
        ) == (True, 0)

    def test_json_is_trimmed_alike(self) -> None:
        """With ``--format json --explain none`` a decision carries no tests."""
        data = json.loads(
            run("assess", SEED, "--at", SEED_AT, "--format", "json", "--explain", "none").stdout
        )
        assert (data["severity"]["value"], data["severity"]["because"], data["mitigation"]["rejected"]) == (
            "SEV1",
            [],
            [],
        )

    def test_an_unknown_level_is_a_usage_error(self) -> None:
        """``--explain some`` exits 2 naming the levels."""
        result = run("assess", SEED, "--at", SEED_AT, "--explain", "some")
        assert (result.exit_code, "'full', 'fails', 'none'" in result.stderr) == (2, True)


class TestAtNow:
    """``--at now`` is the current instant wherever ``--at`` is taken."""

    def test_assess_at_now_decides_at_the_current_instant(self) -> None:
        """The assessment's instant is within a minute of the clock."""
        data = json.loads(run("assess", SEED, "--at", "now", "--format", "json").stdout)
        assert abs(datetime.fromisoformat(data["at"]) - datetime.now(timezone.utc)) < timedelta(minutes=1)

    def test_check_at_now_judges_at_the_current_instant(self) -> None:
        """The gate's review instant is within a minute of the clock."""
        data = json.loads(run("check", SEED, "--at", "NOW", "--format", "json").stdout)
        assert abs(datetime.fromisoformat(data["at"]) - datetime.now(timezone.utc)) < timedelta(minutes=1)


class TestColour:
    """Colour on a terminal, plain when piped; ``--color``/``--no-color`` and NO_COLOR decide."""

    def test_color_forces_rich_output_when_piped(self) -> None:
        """``--color`` colours even piped output."""
        assert ANSI in run("assess", SEED, "--at", SEED_AT, "--color").stdout

    def test_no_color_is_the_plain_text(self) -> None:
        """``--no-color`` prints the same bytes as piped output."""
        plain = run("assess", SEED, "--at", SEED_AT).stdout
        assert run("assess", SEED, "--at", SEED_AT, "--no-color").stdout == plain

    def test_no_color_in_the_environment_is_plain_on_a_terminal(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With NO_COLOR set, a terminal gets plain text."""
        from incident_rules._cli import output

        monkeypatch.setattr(output.sys.stdout, "isatty", lambda: True, raising=False)
        monkeypatch.setenv("NO_COLOR", "1")
        assert output.wants_color() is False


class TestHelp:
    """Every command's ``--help`` ends with examples; the group's documents completion."""

    @pytest.mark.parametrize("name", [name for name in COMMANDS if name != "schema"])
    def test_every_command_has_an_example(self, name: str) -> None:
        """``incident-rules NAME --help`` shows an ``Examples:`` section naming the command."""
        output = run(name, "--help").stdout
        assert ("Examples:" in output, f"incident-rules {name}" in output) == (True, True)

    @pytest.mark.parametrize("name", ["list", "show", "params", "lint", "test", "graph"])
    def test_every_rules_command_has_an_example(self, name: str) -> None:
        """``incident-rules rules NAME --help`` shows an example of itself."""
        assert f"incident-rules rules {name}" in run("rules", name, "--help").stdout

    def test_the_group_help_documents_completion_for_three_shells(self) -> None:
        """The help names the bash, zsh and fish completion variables."""
        output = run("--help").stdout
        assert all(f"_INCIDENT_RULES_COMPLETE={shell}_source" in output for shell in ("bash", "zsh", "fish"))

    def test_bash_completion_emits_a_script(self) -> None:
        """Through the entry point, ``_INCIDENT_RULES_COMPLETE=bash_source`` prints a bash function."""
        done = run_installed(env={"_INCIDENT_RULES_COMPLETE": "bash_source"})
        assert (done.returncode, "_incident_rules_completion()" in done.stdout) == (0, True)


class TestInterrupt:
    """Ctrl-C ends a command with one line and exit 130."""

    def test_ctrl_c_exits_130_with_one_line(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A KeyboardInterrupt during an assessment exits 130 with ``Interrupted.`` and no traceback."""

        def interrupted(*args: object, **kwargs: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(Engine, "assess", interrupted)
        result = run("assess", SEED, "--at", SEED_AT)
        assert (result.exit_code, result.stderr) == (130, "Interrupted.\n")

    def test_an_aborted_prompt_exits_130(self) -> None:
        """click's own Abort (Ctrl-C at a prompt) is an interruption too."""

        @main.command("abort-for-test")
        def abort() -> None:
            raise click.Abort

        try:
            result = run("abort-for-test")
        finally:
            main.commands.pop("abort-for-test")
        assert (result.exit_code, result.stderr) == (130, "Interrupted.\n")


class TestBadInputThroughTheEntryPoint:
    """Bad input given to the installed command: the right exit code, one line, no traceback."""

    def test_each_bad_input_has_its_exit_code_and_no_traceback(self, tmp_path: Path) -> None:
        """A missing file, a directory, bad JSON, an unknown --explain: 3, 2, 3, 2, each one clean."""
        bad_json = tmp_path / "bad.json"
        bad_json.write_text("{", encoding="utf-8")
        cases = [
            (["assess", str(tmp_path / "missing.json"), "--at", "now"], 3),
            (["check", str(tmp_path)], 2),
            (["report", str(bad_json)], 3),
            (["demo", "--explain", "some"], 2),
        ]
        done = [run_installed(*args) for args, _ in cases]
        assert [(d.returncode, "Traceback" in d.stderr, d.stdout) for d in done] == [
            (expected, False, "") for _, expected in cases
        ]
