"""Files in the user's cache directory: where they live, read only when ours alone, written whole.

What is kept there (the checked shipped rules, ``_authoring.cache``; the compiled generated
code, :class:`CodeCache`) is code or can run code when loaded, so a file is read only when
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

import atexit
import contextlib
import marshal
import os
import sys
import threading
import zlib
from pathlib import Path
from types import CodeType

__all__ = ["COMPILED", "CodeCache", "cache_dir", "entry_path", "read_ours", "write_whole"]


def cache_dir() -> Path | None:
    """The directory the cache lives in, or None when it is turned off.

    Off where there are no user ids to tell whose a file is (Windows): a file read back must be
    the user's own.
    """
    if not hasattr(os, "getuid"):
        return None
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


def _renamed(code: CodeType, filename: str) -> CodeType:
    """``code`` and every function in it as compiled from ``filename``."""
    consts = tuple(
        _renamed(item, filename) if isinstance(item, CodeType) else item for item in code.co_consts
    )
    return code.replace(co_filename=filename, co_consts=consts)


class CodeCache:
    """Generated source compiled once per install instead of once per process.

    Compiling the generated functions (conditions, explanations and the fact view in
    ``_backends``, the fast structuring in ``_facts.fast``) is a good part of what a new process
    such as ``incident-rules assess`` spends before it decides. The code objects are kept with
    :mod:`marshal` in one file of the user's cache (see above), each under the whole source text it
    was compiled from, so a source that changed in any way is compiled again; the file starts
    with the Python version and optimization level the code is for, and a checksum of its
    bytes, both checked before :mod:`marshal` reads them. A file that is foreign, torn or for
    another Python is ignored. New code is written once, when the process exits. The file keeps
    the ``limit`` sources used last (the shipped rules need about 15), so a process that
    compiles many rulesets (a test suite, a service) neither grows it nor makes every start
    read a large file.
    """

    def __init__(self, limit: int = 64) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._known: dict[str, CodeType] | None = None  # read on the first compile
        self._added = False

    @staticmethod
    def _header() -> bytes:
        """What the file starts with: the format, and the Python the code was compiled by."""
        key = f"{sys.version}|{sys.implementation.cache_tag}|optimize={sys.flags.optimize}"
        return b"IRcode2\n" + key.encode("utf-8", "surrogatepass") + b"\n"

    def _read(self) -> dict[str, CodeType]:
        path = entry_path("compiled-code", ".marshal")
        data = read_ours(path) if path is not None else None
        header = self._header()
        # The Python is checked before marshal sees a byte: it is not safe on another's code.
        if data is None or not data.startswith(header):
            return {}
        stored, payload = data[len(header) : len(header) + 4], data[len(header) + 4 :]
        if int.from_bytes(stored, "big") != zlib.crc32(payload):
            return {}  # torn or changed: marshal is not safe on damaged bytes
        try:
            table = marshal.loads(payload)  # noqa: S302 -- our own file, checksummed, see _diskcache
        except (EOFError, ValueError, TypeError):
            return {}
        if not isinstance(table, dict):
            return {}
        return {
            text: code for text, code in table.items() if isinstance(text, str) and isinstance(code, CodeType)
        }

    def code(self, text: str, filename: str) -> CodeType:
        """``text`` compiled (or as compiled before) as the module ``filename``."""
        with self._lock:
            if self._known is None:
                self._known = self._read()
            code = self._known.pop(text, None)
            if code is None:
                code = compile(text, "<generated>", "exec")
                self._keep(text, code)
            else:
                self._known[text] = code  # used again: the last to be dropped
        return _renamed(code, filename)

    def _keep(self, text: str, code: CodeType) -> None:
        assert self._known is not None
        self._known[text] = code
        while len(self._known) > self.limit:
            del self._known[next(iter(self._known))]  # the least recently used first
        if not self._added:
            self._added = True
            atexit.register(self.save)

    def save(self) -> None:
        """Write the code compiled so far to the cache (when it is on); failures are ignored."""
        path = entry_path("compiled-code", ".marshal")
        with self._lock:
            if path is None or self._known is None:
                return
            payload = marshal.dumps(self._known)
        write_whole(path, self._header() + zlib.crc32(payload).to_bytes(4, "big") + payload)


#: The process's one cache of compiled generated code.
COMPILED = CodeCache()


def _fresh_lock() -> None:
    # A lock another thread of the parent held (compiling) at a fork stays held in the child.
    COMPILED._lock = threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX only
    os.register_at_fork(after_in_child=_fresh_lock)
