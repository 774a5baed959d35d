"""The options the commands share, each declared once: the engine, the instant, the output.

A command takes them as decorators; :func:`engine_options` hands the command one
:class:`EngineChoice` instead of five separate arguments. Nothing here imports the engine until
a command builds one.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from incident_rules.errors import InvalidIncident, Problem

if TYPE_CHECKING:
    from incident_rules._engine import Engine

Command = Callable[..., Any]

#: What ``--explain`` may be, and what each shows (``--help`` prints this).
EXPLAIN_LEVELS = {
    "full": "every decision with the tests that held, the values and evidence they read, "
    "and the earlier rules passed over",
    "fails": "every decision with its rule, and only what did not hold: the earlier rules "
    "passed over, each with the test that failed (the why-not); for the gate, the failed "
    "checks in full and the others as one line",
    "none": "the decisions only: each value with its rule and source; for the gate, one line a check",
}


def document_argument(command: Command) -> Command:
    """The DOCUMENT argument: a JSON file, or ``-`` for standard input."""
    kind = click.Path(path_type=Path, dir_okay=False, allow_dash=True)
    return click.argument("document", type=kind)(command)


def read_document(path: Path) -> Any:
    """The JSON document at ``path``, or on standard input for ``-``.

    Raises:
        InvalidIncident: It cannot be read, or is not JSON; naming the file and the position.
    """
    name = "<stdin>" if str(path) == "-" else str(path)
    try:
        raw = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
        return json.loads(raw.decode("utf-8"))
    except OSError as error:
        raise InvalidIncident(Problem(f"cannot read: {error.strerror or error}", file=name)) from None
    except json.JSONDecodeError as error:
        problem = Problem(f"not valid JSON: {error.msg}", file=name, line=error.lineno, column=error.colno)
        raise InvalidIncident(problem) from None
    except (ValueError, RecursionError) as error:  # bad UTF-8, too many digits, nested too deeply
        raise InvalidIncident(Problem(f"not valid JSON: {error}", file=name)) from None


def _now(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``now`` as the current instant in UTC; any other value as given, for the engine to read."""
    if value is not None and value.strip().lower() == "now":
        return datetime.now(timezone.utc).isoformat(timespec="seconds")
    return value


def at_option(
    help: str, *, required: bool = False, default: str | None = None
) -> Callable[[Command], Command]:
    """``--at``: an ISO 8601 instant with an offset, or ``now``."""
    shown = f"{help} ISO 8601 with an offset, or 'now'."
    # Only a real default is passed: click takes an explicit default=None as a value given.
    defaults: dict[str, Any] = {"default": default, "show_default": True} if default is not None else {}
    return click.option("--at", "at", required=required, callback=_now, help=shown, **defaults)


def format_option(command: Command) -> Command:
    """The ``--format text|json`` option every command takes; JSON errors depend on its name."""
    choice = click.Choice(["text", "json"])
    return click.option("--format", "output", type=choice, default="text", show_default=True)(command)


def _explain_help() -> str:
    return "What to explain: " + "; ".join(f"{level}: {means}" for level, means in EXPLAIN_LEVELS.items())


def explain_option(command: Command) -> Command:
    """``--explain full|fails|none``, as ``opa eval --explain`` chooses how much of the trace to show."""
    choice = click.Choice(list(EXPLAIN_LEVELS))
    return click.option("--explain", type=choice, default="full", show_default=True, help=_explain_help())(
        command
    )


def _set_color(ctx: click.Context, param: click.Parameter, value: bool | None) -> None:
    if value is not None:
        ctx.meta["incident_rules.color"] = value


def color_option(command: Command) -> Command:
    """``--color/--no-color``: colour on a terminal by default, never when piped or with NO_COLOR."""
    return click.option(
        "--color/--no-color",
        default=None,
        expose_value=False,
        callback=_set_color,
        help="Colour the text output (default: on a terminal, unless NO_COLOR is set).",
    )(command)


def parse_params(pairs: tuple[str, ...]) -> dict[str, object]:
    """``--param NAME=VALUE`` pairs as overrides, each value read as JSON would (else text).

    Raises:
        click.BadParameter: A pair has no ``=``.
    """
    params: dict[str, object] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"expected NAME=VALUE (got {pair!r})", param_hint="--param")
        params[name.strip()] = _typed(value.strip())
    return params


def _typed(value: str) -> object:
    """A --param value as YAML would read it: numbers and booleans typed, the rest text."""
    try:
        return json.loads(value)
    except (ValueError, RecursionError):  # not JSON, or a number of more digits than Python reads
        return value


@attrs.frozen
class EngineChoice:
    """The engine the command line asked for: which rules, over which params, on which backend."""

    rules: tuple[Path, ...] = ()
    extend: bool = False
    params: tuple[str, ...] = ()
    params_file: Path | None = None
    backend: Any = "auto"

    def overrides(self) -> dict[str, object]:
        """The params file's values, then every ``--param`` over them."""
        from incident_rules._authoring.layers import read_params_file

        from_file = dict(read_params_file(self.params_file)) if self.params_file is not None else {}
        return from_file | parse_params(self.params)

    def build(
        self, *, rules: tuple[Path, ...] | None = None, params: dict[str, object] | None = None
    ) -> Engine:
        """The engine; ``rules`` and ``params`` replace the chosen ones (replay's two policies)."""
        from incident_rules._engine import Engine

        paths = self.rules if rules is None else rules
        overrides = self.overrides() if params is None else params
        if paths:
            return Engine.from_path(*paths, extend=self.extend, params=overrides, backend=self.backend)
        return Engine.default(params=overrides, backend=self.backend)


def _engine_option_list(backend: bool) -> list[Callable[[Command], Command]]:
    options: list[Callable[[Command], Command]] = [
        click.option(
            "--rules",
            "rules",
            multiple=True,
            type=click.Path(path_type=Path),
            help="Rules file or directory instead of the shipped rules (repeatable).",
        ),
        click.option(
            "--extend", is_flag=True, help="Add --rules to the shipped rulesets, overriding by name."
        ),
        click.option(
            "--param",
            "params",
            multiple=True,
            metavar="NAME=VALUE",
            help="Override a param, e.g. change_window=30m (repeatable).",
        ),
        click.option(
            "--params-file",
            type=click.Path(path_type=Path, dir_okay=False),
            help="YAML file of param overrides (NAME: VALUE); --param wins over it.",
        ),
    ]
    if backend:
        choice = click.Choice(["auto", "durable", "native"])
        options.append(click.option("--backend", type=choice, default="auto", show_default=True))
    return options


def engine_options(*, backend: bool = True) -> Callable[[Command], Command]:
    """--rules, --extend, --param, --params-file (and --backend), given to the command as ``engine``."""

    def decorate(command: Command) -> Command:
        @functools.wraps(command)
        def with_engine(*args: Any, **kwargs: Any) -> Any:
            fields = ("rules", "extend", "params", "params_file", "backend")
            choice = EngineChoice(**{name: kwargs.pop(name) for name in fields if name in kwargs})
            return command(*args, engine=choice, **kwargs)

        decorated: Command = with_engine
        for option in reversed(_engine_option_list(backend)):
            decorated = option(decorated)
        return decorated

    return decorate


def examples(*lines: str) -> str:
    """A command's epilog: its examples, kept as written (click rewraps other text)."""
    return "\n".join(["\b", "Examples:", *(f"  {line}" for line in lines)])
