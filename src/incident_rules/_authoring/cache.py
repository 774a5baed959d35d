"""The shipped rulesets, read and checked once per install instead of once per process.

Reading the shipped YAML with positions and type-checking every condition is most of what a
one-shot command such as ``incident-rules assess`` spends before it decides. The checked result
is kept as a pickle in the user's cache directory together with the key it was built from: the
Python version, the text of every shipped file, and the size and time of every module of the
package, and the library's version. There is one file per install, Python and kind, overwritten
when its stored key differs, so an edited rules file, an upgrade or an edited checkout never reads
a stale value and the cache never grows. It is the one cache on disk; deleting its directory
empties it.

A pickle can run code when it is read, so a file is read only when it and its directory belong to
this user and nobody else may write to them (the directory is made ``0700``): a cache directory
shared with others is never read.

Where: ``$INCIDENT_RULES_CACHE_DIR``, else ``$XDG_CACHE_HOME/incident-rules``, else
``~/.cache/incident-rules``. ``INCIDENT_RULES_CACHE_DIR=off`` turns it off. A cache that cannot
be read or written is ignored: the rules are then read from their files, as without it.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from incident_rules._decisions.log import library_version

__all__ = ["cache_dir", "cached"]

Built = TypeVar("Built")

#: Bumped when what is pickled changes shape in a way the version does not say.
_FORMAT = "1"


def cache_dir() -> Path | None:
    """The directory the cache lives in, or None when it is turned off."""
    chosen = os.environ.get("INCIDENT_RULES_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home directory (a container's nameless user): no cache
            return None
    return Path(base) / "incident-rules"


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


def _ours_alone(path: Path) -> bool:
    """Whether ``path`` belongs to this user and no one else may write to it."""
    status = path.stat()
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


def _read(path: Path) -> object | None:
    try:
        if not (_ours_alone(path.parent) and _ours_alone(path)):
            return None
        with path.open("rb") as file:
            found: object = pickle.load(file)  # noqa: S301 -- our own file, in the user's own cache directory
        return found
    except Exception:  # noqa: BLE001 -- a torn or foreign file is rebuilt, never an error
        return None


def _write(path: Path, value: object) -> None:
    import tempfile  # only when writing: most processes only read

    aside: str | None = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Written aside and renamed: a process reading it at the same time sees all or nothing.
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as file:
            aside = file.name
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(aside, path)
    except Exception:  # noqa: BLE001 -- a read-only home, a full disk, a value that will not pickle
        if aside is not None:  # the next process reads the files again; nothing is left behind
            with contextlib.suppress(OSError):
                os.unlink(aside)


def cached(kind: str, sources: Sequence[tuple[str, str]], build: Callable[[], Built], of: type) -> Built:
    """``build()``, or what an earlier process built from exactly these ``sources``.

    Args:
        kind: What is cached, part of the file name (``"shipped-rules"``).
        sources: Every input of ``build`` as ``(name, text)``; any change is a new entry.
        build: Makes the value when the cache has none.
        of: The type the value must have; anything else in the file is rebuilt.
    """
    directory = cache_dir()
    if directory is None:
        return build()
    key = _key(sources)
    # One file per install and Python, named by a checksum (zlib is built in; hashlib would cost
    # more than it saves); the whole key inside it decides whether it is the value asked for.
    install = f"{os.path.abspath(__file__)}|{sys.version}".encode("utf-8", "surrogatepass")
    path = directory / f"{kind}-{zlib.crc32(install):08x}.pickle"
    found = _read(path)
    if isinstance(found, tuple) and len(found) == 2 and found[0] == key and isinstance(found[1], of):
        return found[1]  # type: ignore[return-value]  # checked just above
    value = build()
    _write(path, (key, value))
    return value
