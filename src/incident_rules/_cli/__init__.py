"""The ``incident-rules`` command line: one module per command group, each joining ``main``.

``base`` holds the group with the exit codes and error reports every command shares.
"""

from incident_rules._cli import decide, gate, rules
from incident_rules._cli.base import ExitCode, _Group, format_option, main
from incident_rules._cli.replay import replay

main.add_command(replay)

__all__ = ["ExitCode", "_Group", "decide", "format_option", "gate", "main", "rules"]
