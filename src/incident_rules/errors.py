"""The exceptions incident-rules raises.

Every error the library raises derives from :class:`IncidentRulesError`, so a caller can catch
one class.  Errors about a document or a rules file carry every problem found, not only the
first, as :attr:`IncidentRulesError.problems`.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "EngineError",
    "IncidentRulesError",
    "InvalidIncident",
    "RulesetError",
]


class IncidentRulesError(Exception):
    """Root of every error incident-rules raises.

    Attributes:
        problems: One line per problem found, each naming where, what and what was expected.
    """

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems: tuple[str, ...] = (problems,) if isinstance(problems, str) else tuple(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0]
        lines = [f"{len(self.problems)} problems:"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


class InvalidIncident(IncidentRulesError, ValueError):
    """An incident document, or an argument describing one, is not valid.

    Each problem names the JSON path, the bad value and what was expected, for example
    ``impact.scope: must be one of none, cosmetic, minor, partial, widespread (got 'global')``.
    """


class RulesetError(IncidentRulesError, ValueError):
    """A rules file or a parameter override is not valid.

    Each problem starts with ``file:line:col`` where the rules file is at fault.
    """


class EngineError(IncidentRulesError, RuntimeError):
    """The rule engine failed, or cannot be used on this interpreter."""
