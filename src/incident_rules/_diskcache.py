"""Files in the user's cache directory: where they live, read only when ours alone, written whole.

What is kept there (the checked shipped rules, ``_authoring.cache``; the compiled generated
code, ``_backends.codegen``) is code or can run code when loaded, so a file is read only when
it and its directory belong to this user and nobody else may write to them (the directory is
made ``0700``): a cache directory shared with others is never read. A file is written aside and
renamed, so a process reading at the same time sees all of it or none. Each kind is one file
per install and Python, overwritten when its content changes, so the cache never grows; deleting
the directory empties it. This module imports nothing of the package: every stage may use it.

Where: ``$INCIDENT_RULES_CACHE_DIR``, else ``$XDG_CACHE_HOME/incident-rules``, else
``~/.cache/incident-rules``. ``INCIDENT_RULES_CACHE_DIR=off`` turns it off. A cache that cannot
be read or written is ignored: the caller builds the value itself, as without it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import zlib
from pathlib import Path

__all__ = ["cache_dir", "entry_path", "read_ours", "write_whole"]


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


def entry_path(kind: str, suffix: str) -> Path | None:
    """The one file of ``kind`` for this install and Python, or None when the cache is off."""
    directory = cache_dir()
    if directory is None:
        return None
    # Named by a checksum (zlib is built in; hashlib would cost more than it saves); what is
    # inside decides whether it holds the value asked for.
    install = f"{os.path.dirname(os.path.abspath(__file__))}|{sys.version}"
    return directory / f"{kind}-{zlib.crc32(install.encode('utf-8', 'surrogatepass')):08x}{suffix}"


def _ours_alone(path: Path) -> bool:
    """Whether ``path`` belongs to this user and no one else may write to it."""
    status = path.stat()
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


def read_ours(path: Path) -> bytes | None:
    """The bytes of ``path`` if it and its directory are this user's alone, else None."""
    try:
        if not (_ours_alone(path.parent) and _ours_alone(path)):
            return None
        return path.read_bytes()
    except OSError:  # missing, unreadable, or a file where the directory should be
        return None


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` at once, in a directory made for this user; failures are ignored."""
    import tempfile  # only when writing: most processes only read

    aside: str | None = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as file:
            aside = file.name
            file.write(data)
        os.replace(aside, path)
    except OSError:  # a read-only home, a full disk: the next process builds the value again
        if aside is not None:  # nothing is left behind
            with contextlib.suppress(OSError):
                os.unlink(aside)
