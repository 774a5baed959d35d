"""The ``incident-rules`` command line: one module per command group, each imported when run.

``base`` holds the group with the exit codes and error reports every command shares and the
table of commands; ``options`` the options they share; ``output`` plain or rich printing.
"""

from incident_rules._cli.base import COMMANDS, ExitCode, _Group, main
from incident_rules._cli.options import format_option

__all__ = ["COMMANDS", "ExitCode", "_Group", "format_option", "main"]
