"""The ``incident-rules`` command line.

Every command is a command of :data:`main`, a :class:`_Group`: it exits with the codes of
:class:`ExitCode`, reports errors the same way (text on stderr, or JSON on stderr with
``--format json``) and never shows a traceback. A new command gets all of this by being
declared with ``@main.command()``; it returns ``ExitCode.NO`` where its answer is "no".
"""

from __future__ import annotations

import enum
import itertools
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from incident_rules._engine import Engine
from incident_rules.errors import EngineError, IncidentRulesError, InvalidIncident, Problem, RulesetError


class ExitCode(enum.IntEnum):
    """What every ``incident-rules`` command exits with."""

    DONE = 0
    NO = 1
    USAGE = 2
    BAD_INPUT = 3
    BAD_RULES = 4
    ENGINE_FAILURE = 5


#: What each exit code means, as ``--help`` shows it.
_MEANINGS = {
    ExitCode.DONE: "done",
    ExitCode.NO: 'the answer is "no" (a gate, lint or policy test did not pass)',
    ExitCode.USAGE: "usage: an unknown command or option, a missing or malformed argument",
    ExitCode.BAD_INPUT: "bad input: the incident document (or --at) is not valid",
    ExitCode.BAD_RULES: "bad rules or params: a rules file or a --param is not valid",
    ExitCode.ENGINE_FAILURE: "engine failure: the engine failed, or an internal error",
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


class _Group(click.Group):
    """A group whose every command exits with an :class:`ExitCode` and reports errors alike.

    A command returns ``None`` (done) or an :class:`ExitCode`; our errors, click's usage errors
    and any other exception become a report on stderr and their exit code.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_WANTS_JSON] = _asks_for_json(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise  # click's own endings: --help, --version, Ctrl-C, a closed pipe
        except Exception as error:  # noqa: BLE001 -- every failure gets its exit code, no traceback
            ctx.exit(_fail(error, as_json=ctx.meta.get(_WANTS_JSON, False)))
        ctx.exit(ExitCode.DONE if result is None else ExitCode(result))


def _document_bytes(path: Path) -> bytes:
    if str(path) == "-":
        return sys.stdin.buffer.read()
    return path.read_bytes()


def _read_document(path: Path) -> Any:
    """The JSON document at ``path``, or on standard input for ``-``."""
    name = "<stdin>" if str(path) == "-" else str(path)
    try:
        return json.loads(_document_bytes(path).decode("utf-8"))
    except OSError as error:
        raise InvalidIncident(Problem(f"cannot read: {error.strerror or error}", file=name)) from None
    except json.JSONDecodeError as error:
        problem = Problem(f"not valid JSON: {error.msg}", file=name, line=error.lineno, column=error.colno)
        raise InvalidIncident(problem) from None
    except (ValueError, RecursionError) as error:  # bad UTF-8, too many digits, nested too deeply
        raise InvalidIncident(Problem(f"not valid JSON: {error}", file=name)) from None


def _params(pairs: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"expected NAME=VALUE (got {pair!r})", param_hint="--param")
        params[name.strip()] = value.strip()
    return params


def _typed(value: str) -> object:
    """A --param value as YAML would read it: numbers and booleans typed, the rest text."""
    try:
        return json.loads(value)
    except (ValueError, RecursionError):  # not JSON, or a number of more digits than Python reads
        return value


def format_option(command: Any) -> Any:
    """The ``--format text|json`` option every command takes; JSON errors depend on its name."""
    choice = click.Choice(["text", "json"])
    return click.option("--format", "output", type=choice, default="text", show_default=True)(command)


def _engine_options(command: Any) -> Any:
    """--rules, --backend and --param: the engine a command runs."""
    command = click.option(
        "--param",
        "params",
        multiple=True,
        metavar="NAME=VALUE",
        help="Override a param, e.g. change_window=30m (repeatable).",
    )(command)
    command = click.option(
        "--backend", type=click.Choice(["auto", "durable", "native"]), default="auto", show_default=True
    )(command)
    return click.option(
        "--rules",
        "rules",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Rules file or directory instead of the shipped rules (repeatable).",
    )(command)


def _engine(rules: tuple[Path, ...], backend: Any, params: tuple[str, ...]) -> Engine:
    overrides = {name: _typed(value) for name, value in _params(params).items()}
    if rules:
        return Engine.from_path(*rules, params=overrides, backend=backend)
    return Engine.default(params=overrides, backend=backend)


_DOCUMENT = click.argument("document", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))


@click.group(cls=_Group, epilog=_EPILOG)
@click.version_option(package_name="incident-rules")
def main() -> None:
    """Incident response decisions that show their work."""
