"""Every example of the docs runs: console blocks here, doctest blocks by ``sphinx-build -b doctest``.

The convention (docs/CONTRIBUTING-docs.md): a ```` ```console ```` block holds ``$ incident-rules
...`` lines, each followed by the output it prints. The shown output is the exact start of what
the command prints (stdout and stderr together, trailing spaces ignored); a line ``...`` stands
for any lines, and a block whose output goes on past what is shown ends with ``...``. A command
is expected to exit 0, or with the code a trailing ``# exit N`` comment names. Commands run from
the repository root. Python examples are ```` ```{doctest} ```` blocks; any other code block
holds data (YAML, JSON, text) and runs nowhere, so shell or Python in one is refused, unless
marked ``not-run`` (a sketch needing what CI has not, such as Spark).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs
import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
COMMAND = Path(sys.executable).parent / "incident-rules"
#: Code blocks that only show data or pages' own machinery: nothing in them runs.
DATA_LANGUAGES = {"yaml", "json", "text", "dot", "mermaid", "toml", "csv", "markdown", "md", "jinja", "none"}
CHECKED = {"console", "{doctest}", "{testcode}", "{testoutput}"}
#: MyST directives that are not code at all.
DIRECTIVES = re.compile(
    r"^\{(toctree|generated|eval-rst|graphviz|note|tip|warning|seealso|admonition|literalinclude|include)\}"
)
#: Marks a sketch that cannot run here (Spark, a cluster): ```` ```python not-run ````.
NOT_RUN = "not-run"
_EXIT = re.compile(r"#\s*exit\s+(\d+)\s*$")


@attrs.frozen
class ConsoleExample:
    """One ``$ incident-rules ...`` line of a page, with what the page shows it prints."""

    where: str
    command: str
    shown: tuple[str, ...]
    exit_code: int


def fences(path: Path) -> Iterator[tuple[str, int, str]]:
    """Each fenced block of a Markdown page: its info string, its first line, its text."""
    for token in MarkdownIt("commonmark").parse(path.read_text(encoding="utf-8")):
        if token.type == "fence" and token.map is not None:
            yield token.info.strip(), token.map[0] + 1, token.content


def pages() -> list[Path]:
    """Every Markdown page of the docs site (its own build output and notes aside)."""
    return sorted(
        p for p in DOCS.rglob("*.md") if "_build" not in p.parts and p.name != "CONTRIBUTING-docs.md"
    )


def console_examples(where: str, text: str) -> Iterator[ConsoleExample]:
    """The commands of one console block, each with the lines shown after it."""
    command: tuple[int, str] | None = None
    shown: list[str] = []
    for number, line in enumerate(text.splitlines()):
        if line.startswith("$ "):
            if command is not None:
                yield _example(where, command, shown)
            command, shown = (number, line[2:]), []
        elif command is None:
            raise ValueError(f"{where}: a console block starts with a '$ ' line (got {line!r})")
        else:
            shown.append(line.rstrip())
    if command is None:
        raise ValueError(f"{where}: a console block holds at least one '$ ' line")
    yield _example(where, command, shown)


def _example(where: str, command: tuple[int, str], shown: list[str]) -> ConsoleExample:
    number, line = command
    exit_code = _EXIT.search(line)
    return ConsoleExample(
        f"{where}+{number}", line, tuple(shown), int(exit_code.group(1)) if exit_code else 0
    )


def shows(shown: Sequence[str], printed: Sequence[str]) -> bool:
    """Whether ``printed`` starts as ``shown`` does, a ``...`` line matching any lines; without a
    closing ``...``, nothing may follow what is shown (trailing blank lines aside)."""
    if not shown:
        return not any(line.strip() for line in printed)
    head, *rest = shown
    if head == "...":
        return not rest or any(shows(rest, printed[start:]) for start in range(len(printed) + 1))
    return bool(printed) and printed[0].rstrip() == head and shows(rest, printed[1:])


def all_console_examples() -> list[ConsoleExample]:
    found = []
    for page in pages():
        for info, line, text in fences(page):
            if info == "console":
                found += console_examples(f"{page.relative_to(ROOT)}:{line}", text)
    return found


def run_example(example: ConsoleExample) -> tuple[int, list[str]]:
    """The command run from the repository root: its exit code and its output lines."""
    words = shlex.split(example.command, comments=True)
    if not words or words[0] != "incident-rules":
        raise ValueError(f"{example.where}: only incident-rules commands run here (got {example.command!r})")
    if any(word in ("|", ">", ">>", "<", "&&", ";") for word in words):
        raise ValueError(f"{example.where}: pipes and redirections are not run (got {example.command!r})")
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
    done = subprocess.run(
        [str(COMMAND), *words[1:]],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout.splitlines()


@pytest.mark.parametrize("example", all_console_examples(), ids=lambda example: example.where)
def test_a_console_example_prints_what_its_page_shows(example: ConsoleExample) -> None:
    """The command of a console block exits as the page says and prints what the page shows."""
    code, printed = run_example(example)
    shown = "\n".join(example.shown)
    assert code == example.exit_code, f"{example.where}: {example.command}\n" + "\n".join(printed)
    assert shows(example.shown, printed), f"{example.where}: shown\n{shown}\nprinted\n" + "\n".join(printed)


def runs_or_holds_data(info: str) -> bool:
    """Whether a block of this info string is run by CI, holds data, or is a MyST directive."""
    words = info.split()
    language = words[0] if words else ""
    if NOT_RUN in words[1:]:
        return True
    return language in CHECKED or language in DATA_LANGUAGES or bool(DIRECTIVES.match(language))


def test_every_code_block_of_the_docs_runs_or_holds_data() -> None:
    """No page holds a shell or Python block (or one of no language) that CI would not run."""
    unchecked = [
        f"{page.relative_to(ROOT)}:{line}: ```{info or '(no language)'}"
        for page in pages()
        for info, line, _ in fences(page)
        if not runs_or_holds_data(info)
    ]
    assert not unchecked, "use ```console or ```{doctest} (docs/CONTRIBUTING-docs.md):\n" + "\n".join(
        unchecked
    )


class TestShows:
    def test_output_shown_in_full_matches(self) -> None:
        """The exact output matches, trailing spaces and blank lines aside."""
        assert shows(["severity: SEV1", "  rule"], ["severity: SEV1  ", "  rule", ""])

    def test_output_going_on_past_the_shown_lines_needs_a_closing_ellipsis(self) -> None:
        """Output cut short without ``...`` does not match; with it, it does."""
        assert not shows(["a"], ["a", "b"])
        assert shows(["a", "..."], ["a", "b"])

    def test_an_ellipsis_skips_lines_up_to_the_next_shown_one(self) -> None:
        """``...`` in the middle stands for any lines, but what follows it must be printed."""
        assert shows(["a", "...", "d"], ["a", "b", "c", "d"])
        assert not shows(["a", "...", "e"], ["a", "b", "c", "d"])

    def test_a_different_line_does_not_match(self) -> None:
        """One changed line is a mismatch."""
        assert not shows(["severity: SEV1"], ["severity: SEV2"])


class TestBlockKinds:
    def test_console_doctest_and_data_blocks_are_accepted(self) -> None:
        """Blocks CI runs, data and directives pass the check."""
        accepted = ["console", "{doctest}", "yaml", "json", "{toctree}", "python not-run"]
        assert all(map(runs_or_holds_data, accepted))

    def test_shell_python_and_bare_blocks_are_refused(self) -> None:
        """Blocks nothing would run are refused, so no example goes unchecked."""
        assert not any(map(runs_or_holds_data, ["python", "sh", "bash", "pycon", ""]))


class TestConsoleBlocks:
    def test_each_dollar_line_is_one_command_with_the_lines_after_it(self) -> None:
        """A block of two commands is two examples, each with its own output and exit code."""
        text = "$ incident-rules a\none\n$ incident-rules b  # exit 1\ntwo\n"
        examples = list(console_examples("page.md:1", text))
        assert [(e.command, e.shown, e.exit_code) for e in examples] == [
            ("incident-rules a", ("one",), 0),
            ("incident-rules b  # exit 1", ("two",), 1),
        ]

    def test_a_block_not_starting_with_a_command_is_refused(self) -> None:
        """Output before any ``$`` line is a mistake the test names with its page and line."""
        with pytest.raises(ValueError, match=r"page.md:3: a console block starts"):
            list(console_examples("page.md:3", "severity: SEV1\n"))

    def test_a_command_other_than_incident_rules_is_refused(self) -> None:
        """Only the CLI runs; a page's ``rm -rf`` never does."""
        with pytest.raises(ValueError, match="only incident-rules commands"):
            run_example(ConsoleExample("page.md:1+0", "rm -rf build", (), 0))
