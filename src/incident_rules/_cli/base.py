"""The ``incident-rules`` command line.

Every command is a command of :data:`main`, a :class:`_Group`: it exits with the codes of
:class:`ExitCode`, reports errors the same way (text on stderr, or JSON on stderr with
``--format json``) and never shows a traceback; Ctrl-C ends it with one line and 130. A command
returns ``ExitCode.NO`` where its answer is "no". The commands of :data:`main` are named in
:data:`COMMANDS` and imported only when run, so ``incident-rules assess`` starts without the
machinery of replay or rule authoring. This module imports click and nothing of the engine.
"""

from __future__ import annotations

import enum
import importlib
import itertools
import json
from collections.abc import Sequence
from typing import Any

import click

from incident_rules.errors import EngineError, IncidentRulesError, InvalidIncident, Problem, RulesetError


class ExitCode(enum.IntEnum):
    """What every ``incident-rules`` command exits with."""

    DONE = 0
    NO = 1
    USAGE = 2
    BAD_INPUT = 3
    BAD_RULES = 4
    ENGINE_FAILURE = 5
    INTERRUPTED = 130


#: What each exit code means, as ``--help`` shows it.
_MEANINGS = {
    ExitCode.DONE: "done",
    ExitCode.NO: 'the answer is "no" (a gate, lint or policy test did not pass)',
    ExitCode.USAGE: "usage: an unknown command or option, a missing or malformed argument",
    ExitCode.BAD_INPUT: "bad input: the incident document (or --at) is not valid",
    ExitCode.BAD_RULES: "bad rules or params: a rules file or a --param is not valid",
    ExitCode.ENGINE_FAILURE: "engine failure: the engine failed, or an internal error",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C)",
}

#: The exit code of each of our errors; the first class that matches wins.
_ERROR_CODES: tuple[tuple[type[IncidentRulesError], ExitCode], ...] = (
    (InvalidIncident, ExitCode.BAD_INPUT),
    (RulesetError, ExitCode.BAD_RULES),
    (EngineError, ExitCode.ENGINE_FAILURE),
)

_EPILOG = "\n".join(
    [
        "\b",
        "Exit codes, the same for every command:",
        *(f"  {int(code)}  {meaning}" for code, meaning in _MEANINGS.items()),
        "",
        "\b",
        "With --format json an error goes to stderr as JSON, and nothing to stdout:",
        '  {"error": {"type": "InvalidIncident", "exit_code": 3, "message": "<the text>",',
        '    "problems": [{"text": "impact.scope: must be one of ... (got \'global\')",',
        '      "message": "must be one of ... (got \'global\')", "path": "impact.scope",',
        '      "value": "global", "expected": "...", "file": null, "line": null, "column": null}]}}',
        "type is InvalidIncident, RulesetError, EngineError, UsageError or InternalError;",
        "file, line and column locate a problem in a rules file (or the document read).",
    ]
)


#: Where the group keeps whether the command line asked for JSON.
_WANTS_JSON = "incident_rules.wants_json"


def _asks_for_json(args: Sequence[str]) -> bool:
    """Whether ``args`` hold ``--format json``, read before parsing so usage errors see it."""
    pairs = itertools.pairwise([*args, ""])
    return any(arg == "--format=json" or (arg, following) == ("--format", "json") for arg, following in pairs)


def _usage_path(error: click.ClickException) -> str | None:
    """The option or argument a usage error is about, where click knows it."""
    param = getattr(error, "param", None)
    if isinstance(param, click.Parameter):
        return param.opts[0] if param.opts else param.name
    hint = getattr(error, "param_hint", None) or getattr(error, "option_name", None)
    return hint if isinstance(hint, str) else None


def _report(kind: str, code: ExitCode, message: str, problems: Sequence[Problem], *, as_json: bool) -> None:
    """Tell the user about a failure on stderr, as JSON or as text."""
    if as_json:
        error = {
            "type": kind,
            "exit_code": int(code),
            "message": message,
            "problems": [problem.to_dict() for problem in problems],
        }
        click.echo(json.dumps({"error": error}, indent=2), err=True)
    else:
        click.echo(f"Error: {message}", err=True)


def _fail(error: Exception, *, as_json: bool) -> ExitCode:
    """Report ``error`` and return the code to exit with; click's own usage text is kept."""
    if isinstance(error, IncidentRulesError):
        code = next(code for kind, code in _ERROR_CODES if isinstance(error, kind))
        _report(type(error).__name__, code, str(error), error.problems, as_json=as_json)
    elif isinstance(error, click.ClickException):
        if isinstance(error, click.UsageError) and not as_json:
            raise error  # click prints it with the usage line and a hint, and exits with USAGE
        code, message = ExitCode.USAGE, error.format_message()
        _report("UsageError", code, message, [Problem(message, path=_usage_path(error))], as_json=as_json)
    else:
        code = ExitCode.ENGINE_FAILURE
        message = f"internal error: {type(error).__name__}: {error}"
        _report("InternalError", code, message, [Problem(message)], as_json=as_json)
    return code


#: Every command of ``incident-rules``: its name, the module defining it and the name it has
#: there. A module is imported only when its command runs (or ``--help`` lists them all).
COMMANDS = {
    "assess": ("incident_rules._cli.decide", "assess"),
    "check": ("incident_rules._cli.gate", "check"),
    "report": ("incident_rules._cli.gate", "report"),
    "postmortem": ("incident_rules._cli.gate", "postmortem"),
    "update": ("incident_rules._cli.gate", "update"),
    "replay": ("incident_rules._cli.replay", "replay"),
    "rules": ("incident_rules._cli.rules", "rules"),
    "why-not": ("incident_rules._cli.rules", "why_not"),
    "schema": ("incident_rules._cli.schema", "schema"),
    "demo": ("incident_rules._cli.demo", "demo"),
}


def _interrupted() -> ExitCode:
    click.echo("Interrupted.", err=True)
    return ExitCode.INTERRUPTED


class _Group(click.Group):
    """A group whose every command exits with an :class:`ExitCode` and reports errors alike.

    A command returns ``None`` (done) or an :class:`ExitCode`; our errors, click's usage errors
    and any other exception become a report on stderr and their exit code. ``lazy`` names
    commands as :data:`COMMANDS` does, to be imported when first asked for.
    """

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.commands, *(name for name in self.lazy if name not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module_name, attribute = self.lazy[cmd_name]
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise
                return None  # a command whose module is not part of this build
            # A module may also declare its command with @main.command(): then it is registered.
            command = getattr(module, attribute, None)
            if isinstance(command, click.Command):
                self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_WANTS_JSON] = _asks_for_json(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
        except (click.exceptions.Exit, BrokenPipeError):
            raise  # click's own endings: --help, --version, a closed pipe
        except (KeyboardInterrupt, click.Abort):
            ctx.exit(_interrupted())
        except Exception as error:  # noqa: BLE001 -- every failure gets its exit code, no traceback
            ctx.exit(_fail(error, as_json=ctx.meta.get(_WANTS_JSON, False)))
        ctx.exit(ExitCode.DONE if result is None else ExitCode(result))


_HELP = """Incident response decisions that show their work.

\b
Start with the shipped example, no arguments needed:
  incident-rules demo
  incident-rules assess examples/inc-2025-0142.json --at now

\b
Shell completion (click's own; put the line in your shell's start-up file):
  bash: eval "$(_INCIDENT_RULES_COMPLETE=bash_source incident-rules)"
  zsh:  eval "$(_INCIDENT_RULES_COMPLETE=zsh_source incident-rules)"
  fish: _INCIDENT_RULES_COMPLETE=fish_source incident-rules | source

On a terminal, text output is coloured (rich); piped, it is plain. NO_COLOR=1 or --no-color
turns colour off, --color turns it on when piped.
"""


@click.group(cls=_Group, lazy=COMMANDS, epilog=_EPILOG, help=_HELP)
@click.version_option(package_name="incident-rules")
def main() -> None:
    """Incident response decisions that show their work."""
