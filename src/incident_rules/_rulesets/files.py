"""Finding and reading rules files as text, without YAML.

Apart from :mod:`~incident_rules._rulesets.reading` so that a process whose rules come checked
from the cache (see ``_authoring.cache``) reads the files for the cache key and never imports
the YAML parser.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from incident_rules.errors import RulesetError

__all__ = ["read_sources"]


def read_sources(paths: Iterable[Path | str], root: Path | None = None) -> list[tuple[str, str]]:
    """``(display name, text)`` of every ``.yaml`` file among ``paths`` (directories expanded)."""
    files: list[Path] = []
    for path in map(Path, paths):
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    sources = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise RulesetError(f"{file}: cannot read rules file: {error}") from None
        display = file.relative_to(root).as_posix() if root else str(file)
        sources.append((display, text))
    if not sources:
        raise RulesetError(f"no rules files found in {', '.join(map(str, paths))}")
    return sources
