"""Run many cases each in its own process, for milliseconds each: a zygote forks one per case.

A fresh interpreter per case (:mod:`isolated`) costs about a second of start-up and imports; a
hostile-input suite runs hundreds of cases. :class:`Zygote` starts one child interpreter that
imports the modules the cases need once, then forks a grandchild per case. The grandchild runs
the case and sends back what it returned (or the traceback it raised) over a pipe; the zygote
reports that, or the signal that killed the grandchild, or that it ran past its time limit and
was killed. A segfault or a hang therefore fails one case, with its input, and the run goes on.

Cases are module-level functions (pickled by reference) of a module on ``sys.path`` here and in
the zygote; their arguments and results must pickle.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

_HEADER = struct.Struct("!Q")
#: Seconds the zygote may take beyond a case's own time limit before it counts as dead.
_GRACE = 20.0


@attrs.frozen
class Outcome:
    """How one case ended: ``returned`` (with ``value``), ``raised``, ``signal``, ``timeout``, ``exit``."""

    kind: str
    value: Any = None
    detail: str = ""

    def describe(self) -> str:
        """The ending in a line or a few, for a failure message."""
        if self.kind == "signal":
            return f"killed by signal {self.value} ({signal.Signals(self.value).name})\n{self.detail}"
        if self.kind == "timeout":
            return f"still running after {self.value} s (a hang); killed\n{self.detail}"
        return f"{self.kind}: {self.value!r}\n{self.detail}"


def _send(stream: Any, message: object) -> None:
    data = pickle.dumps(message)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: Any) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the other side closed the pipe")
    (size,) = _HEADER.unpack(header)
    return pickle.loads(stream.read(size))


# --- the zygote's side ------------------------------------------------------------------------


def _run_case(write_fd: int, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """In the grandchild: run the case, send its result, and exit without cleanup."""
    try:
        message = ("returned", function(*args), "")
    except BaseException as error:  # noqa: BLE001 -- reported to the test, whatever it is
        message = ("raised", f"{type(error).__name__}: {error}"[:2000], traceback.format_exc()[-4000:])
    with os.fdopen(write_fd, "wb") as out:
        _send(out, message)
    os._exit(0)


def _read_until(read_fd: int, deadline: float) -> tuple[bytes, bool]:
    """What the grandchild sent, and whether it closed its end before ``deadline``."""
    chunks = []
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([read_fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(read_fd, 1 << 16)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)
    return b"".join(chunks), False


def _reap(pid: int, deadline: float) -> int | None:
    """The grandchild's wait status once it exits before ``deadline``; None if it does not."""
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.0005)
    return None


def _stderr_tail(stream: Any) -> str:
    stream.seek(0)
    return stream.read()[-3000:].decode("utf-8", "replace")


def _one_case(function: Callable[..., Any], args: tuple[Any, ...], time_limit: float) -> Outcome:
    read_fd, write_fd = os.pipe()
    with tempfile.TemporaryFile() as stderr:
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            os.dup2(stderr.fileno(), 2)
            _run_case(write_fd, function, args)
        os.close(write_fd)
        deadline = time.monotonic() + time_limit
        data, closed = _read_until(read_fd, deadline)
        os.close(read_fd)
        status = _reap(pid, deadline + 1.0) if closed else None
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return Outcome("timeout", time_limit, _stderr_tail(stderr))
        if os.WIFSIGNALED(status):
            return Outcome("signal", os.WTERMSIG(status), _stderr_tail(stderr))
        if not data:
            return Outcome("exit", os.waitstatus_to_exitcode(status), _stderr_tail(stderr))
        kind, value, detail = pickle.loads(data[_HEADER.size :])
        return Outcome(kind, value, detail)


def _serve(requests: Any, replies: Any) -> None:
    """The zygote's loop: one request in, one forked case, one outcome out, until EOF."""
    while True:
        try:
            function, args, time_limit = _receive(requests)
        except EOFError:
            return
        _send(replies, _one_case(function, args, time_limit))


def _zygote_main() -> None:
    # The protocol keeps stdin and stdout; whatever a case prints goes to stderr instead.
    requests, replies = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    faulthandler.enable()  # a crashing grandchild writes its Python traceback to its stderr
    for module in sys.argv[2:]:
        __import__(module)
    _send(replies, "ready")
    _serve(requests, replies)


# --- the test's side --------------------------------------------------------------------------


class Zygote:
    """A child interpreter that has imported ``preload`` and runs cases in forked grandchildren.

    Args:
        preload: Modules to import once in the zygote (the cases' module among them).
    """

    def __init__(self, preload: tuple[str, ...]) -> None:
        self._preload = preload
        self._process: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        path = os.pathsep.join([str(Path(__file__).parent), *sys.path])
        process = subprocess.Popen(
            [sys.executable, __file__, path, *self._preload], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        if _receive(process.stdout) != "ready":
            raise RuntimeError("the zygote did not start")
        return process

    def run(self, function: Callable[..., Any], *args: Any, time_limit: float = 10.0) -> Outcome:
        """``function(*args)`` in a forked grandchild, with ``time_limit`` seconds to finish."""
        if self._process is None or self._process.poll() is not None:
            self._process = self._start()
        process = self._process
        assert process.stdin is not None
        assert process.stdout is not None
        _send(process.stdin, (function, args, time_limit))
        ready, _, _ = select.select([process.stdout], [], [], time_limit + _GRACE)
        if not ready:
            self.close()
            return Outcome("timeout", time_limit, "the zygote itself stopped answering")
        try:
            outcome: Outcome = _receive(process.stdout)
        except EOFError:
            self.close()
            return Outcome("exit", process.poll(), "the zygote itself died")
        return outcome

    def close(self) -> None:
        """Stop the zygote (it exits when its input closes)."""
        if self._process is not None:
            process, self._process = self._process, None
            assert process.stdin is not None
            assert process.stdout is not None
            process.stdin.close()
            process.stdout.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


if __name__ == "__main__":
    # Run as the module ``forked``, not as ``__main__``: outcomes must unpickle in the test.
    sys.path[:0] = sys.argv[1].split(os.pathsep)
    __import__("forked")._zygote_main()
