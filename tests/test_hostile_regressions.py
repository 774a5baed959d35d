"""What the hostile-input suite found, one test each; and the CLI on hostile documents.

CLI cases run the ``incident-rules`` entry point in a subprocess, as a user does: what matters
there is what reaches the terminal (the exit code, and no traceback or encoding error).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from incident_rules import Engine, Incident, InvalidIncident, RulesetError

ROOT = Path(__file__).parent.parent
SEED_PATH = ROOT / "examples" / "inc-2025-0142.json"
SEED = json.loads(SEED_PATH.read_text(encoding="utf-8"))
AT = "2025-06-15T14:30:00Z"


def one_rule(directory: Path, when: str, name: str = "big") -> Path:
    path = directory / "custom.yaml"
    text = f"ruleset: {name}\nvalues: [a]\nrules:\n  - id: big.rule\n    when: {when}\n    then: a\n"
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(RulesetError) as caught:
        Engine.from_path(path, backend="native")
    return str(caught.value)


def nested(depth: int) -> object:
    value: object = 0
    for _ in range(depth):
        value = [value]
    return value


class TestRulesFiles:
    """Rules files the suite generated that failed with an error not ours."""

    def test_a_nul_in_a_ruleset_name_decides(self, tmp_path: Path) -> None:
        """A ruleset named "b\\0ig" loads and decides (the generated code's file name escapes it)."""
        path = one_rule(tmp_path, "true", name='"b\\0ig"')
        assert Engine.from_path(path, backend="native").assess(SEED, at=AT).decisions["b\0ig"].value == "a"

    @pytest.mark.parametrize("number", ["1e999", "-1e999", "0x" + "f" * 5000])
    def test_a_number_beyond_float_range_in_a_condition_is_refused(self, tmp_path: Path, number: str) -> None:
        """Infinity (not JSON) or a 20,000-bit integer (not writable) is refused with its column."""
        path = one_rule(tmp_path, f"rollback.estimated_minutes < {number}")
        assert f"{path}:5:" in refusal(path)
        assert "number out of range" in refusal(path)

    @pytest.mark.parametrize("duration", ["9" * 400 + "s", "9" * 5000 + "m", "3651d"])
    def test_a_duration_beyond_ten_years_in_a_condition_is_refused(
        self, tmp_path: Path, duration: str
    ) -> None:
        """A duration of 400 or 5,000 digits (overflow, int() limit) is refused like one of 3651 days."""
        path = one_rule(tmp_path, f"features.minutes_since_detection < {duration}")
        assert "duration too long: at most 3650d" in refusal(path)

    def test_a_lone_surrogate_in_a_rules_file_is_refused_with_its_line(self, tmp_path: Path) -> None:
        """A "\\ud800" escape in a ruleset name is refused at its line: no output could write it."""
        path = one_rule(tmp_path, "true", name='"b\\ud800"')
        assert refusal(path).startswith(f"{path}:1:10: ruleset must be text UTF-8 can encode")


class TestParams:
    """Param overrides whose error message itself failed."""

    def test_a_five_thousand_digit_param_is_refused_naming_its_size(self) -> None:
        """10**5000 as change_window is our error, showing its size (repr() refuses it)."""
        with pytest.raises(RulesetError, match=r"params\.change_window: .*\(got an integer of 16610 bits\)"):
            Engine.default(params={"change_window": 10**5000}, backend="native")

    def test_a_param_nested_100000_deep_is_refused(self) -> None:
        """A list nested 100,000 deep is our error, not a RecursionError from its repr."""
        with pytest.raises(RulesetError, match="nested too deeply to show"):
            Engine.default(params={"change_window": nested(100_000)}, backend="native")

    def test_a_param_name_of_five_thousand_digits_is_an_unknown_param(self) -> None:
        """A huge integer as a param name is reported as unknown, by its size."""
        with pytest.raises(RulesetError, match=r"params\.an integer of 16610 bits: unknown param"):
            Engine.default(params={10**5000: 1}, backend="native")

    def test_a_time_zone_name_too_long_for_a_file_name_is_refused(self) -> None:
        """A 300-character work_timezone is our error, not the OSError of looking it up on disk."""
        with pytest.raises(RulesetError, match=r"params\.work_timezone"):
            Engine.default(params={"work_timezone": "1" * 300 + "s"}, backend="native")


class TestDocuments:
    """Documents whose values cannot be shown or written."""

    def test_a_lone_surrogate_in_a_document_is_invalid_at_its_path(self) -> None:
        """A title holding "\\ud800" is invalid at title, by both structuring paths."""
        with pytest.raises(InvalidIncident, match="title: expected text UTF-8 can encode"):
            Engine.default(backend="native").assess(dict(SEED, title="pay\ud800"), at=AT)

    def test_a_value_nested_too_deeply_to_show_is_named_as_such(self) -> None:
        """A title nested 100,000 deep is invalid at title, saying what it is."""
        with pytest.raises(InvalidIncident, match="title: expected a string \\(got a list nested too deeply"):
            Incident.from_dict(dict(SEED, title=nested(100_000)))


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """``incident-rules ARGS`` in a subprocess, as bytes (nothing is decoded on the way)."""
    command = [sys.executable, "-m", "incident_rules", *args]
    return subprocess.run(command, input=stdin, capture_output=True, timeout=120, check=False)


class TestCommandLine:
    """The CLI given JSON nested 100,000 deep, or a lone surrogate: exit 3, our error, no traceback."""

    DEEP = ("[" * 100_000 + "]" * 100_000).encode()

    @pytest.mark.parametrize("output", ["text", "json"])
    def test_json_nested_100000_deep_in_a_file_exits_with_bad_input(
        self, tmp_path: Path, output: str
    ) -> None:
        """assess of a file nested 100,000 deep exits 3 with our error and no traceback."""
        path = tmp_path / "deep.json"
        path.write_bytes(self.DEEP)
        done = cli("assess", str(path), "--at", AT, "--format", output)
        assert (done.returncode, b"Traceback" in done.stderr) == (3, False)
        assert b"InvalidIncident" in done.stderr if output == "json" else b"Error:" in done.stderr

    def test_json_nested_100000_deep_on_stdin_exits_with_bad_input(self) -> None:
        """assess - reading the same from standard input exits 3 naming <stdin>."""
        done = cli("assess", "-", "--at", AT, stdin=self.DEEP)
        assert (done.returncode, b"Traceback" in done.stderr) == (3, False)
        assert b"<stdin>" in done.stderr

    @pytest.mark.parametrize(
        "args",
        [
            ("assess", "--at", AT),
            ("assess", "--at", AT, "--format", "json"),
            ("check",),
            ("report",),
            ("postmortem",),
            ("update", "--at", AT),
        ],
    )
    def test_a_lone_surrogate_exits_with_bad_input_naming_its_path(
        self, tmp_path: Path, args: tuple[str, ...]
    ) -> None:
        """A title written "\\ud800" in JSON is bad input at title for every command and format."""
        path = tmp_path / "surrogate.json"
        path.write_text(json.dumps(dict(SEED, title="pay\ud800ments")), encoding="ascii")
        done = cli(args[0], str(path), *args[1:])
        assert (done.returncode, done.stdout, b"Traceback" in done.stderr) == (3, b"", False)
        assert b"title: expected text UTF-8 can encode" in done.stderr


class TestBatches:
    """JSON text in a batch that Python's parser cannot read is a bad row, not a crash of the batch."""

    @pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"id": ' + "9" * 5000 + "}"])
    def test_unreadable_json_text_is_recorded_as_invalid(self, text: str) -> None:
        """Nested 100,000 deep, or a 5,000-digit number: the record's error says not valid JSON."""
        (record,) = Engine.default(backend="native").assess_many([text], at=AT, errors="record")
        assert "not valid JSON" in str(record["error"])
