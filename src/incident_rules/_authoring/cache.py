"""The shipped rulesets, read and checked once per install instead of once per process.

Reading the shipped YAML with positions and type-checking every condition is most of what a
one-shot command such as ``incident-rules assess`` spends before it decides. The checked result
is kept as a pickle in the user's cache directory (see ``incident_rules._diskcache``: where it
is, who may have written it, how it is written) together with the key it was built from: the
Python version, the text of every shipped file, and the size and time of every module of the
package, and the library's version. The file is overwritten when its stored key differs, so an
edited rules file, an upgrade or an edited checkout never reads a stale value.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from incident_rules._decisions.log import library_version
from incident_rules._diskcache import entry_path, read_ours, write_whole

__all__ = ["cached"]

Built = TypeVar("Built")

#: Bumped when what is pickled changes shape in a way the version does not say.
_FORMAT = "1"


def _code_stamp() -> str:
    """Every module of the package by size and modification time: the code that built the value."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    stamps = []
    for folder, folders, files in os.walk(package):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                stat = os.stat(os.path.join(folder, name))
                stamps.append(f"{folder[len(package) :]}/{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(stamps)


def _key(sources: Sequence[tuple[str, str]]) -> str:
    """Everything the cached value was built from, as one string (compared whole when read)."""
    texts = "".join(f"\0{name}\0{len(text)}\0{text}" for name, text in sources)
    return f"{_FORMAT}|{library_version()}|{sys.version}|{_code_stamp()}{texts}"


def _read(data: bytes | None) -> object | None:
    try:
        return None if data is None else pickle.loads(data)  # noqa: S301 -- our own file, see _diskcache
    except Exception:  # noqa: BLE001 -- a torn or foreign file is rebuilt, never an error
        return None


def _write(path: Path, value: object) -> None:
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 -- a value that will not pickle is simply not kept
        return
    write_whole(path, data)


def cached(kind: str, sources: Sequence[tuple[str, str]], build: Callable[[], Built], of: type) -> Built:
    """``build()``, or what an earlier process built from exactly these ``sources``.

    Args:
        kind: What is cached, part of the file name (``"shipped-rules"``).
        sources: Every input of ``build`` as ``(name, text)``; any change is a new entry.
        build: Makes the value when the cache has none.
        of: The type the value must have; anything else in the file is rebuilt.
    """
    path = entry_path(kind, ".pickle")
    if path is None:
        return build()
    key = _key(sources)
    found = _read(read_ours(path))
    if isinstance(found, tuple) and len(found) == 2 and found[0] == key and isinstance(found[1], of):
        return found[1]  # type: ignore[return-value]  # checked just above
    value = build()
    _write(path, (key, value))
    return value
