"""Where the documents of a batch come from: any iterable, JSON lines, a directory.

Every document becomes an :class:`Item` that says where it came from (``incidents.jsonl:12``,
``incidents/a.json``, ``#3``). JSON text is parsed when the item is assessed, not when it is read,
so a bad line becomes a bad row, and with process workers the parsing happens in the workers.
Files are read line by line: a batch never holds more than the documents in flight.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping, Sized
from pathlib import Path
from typing import Any

import attrs

from incident_rules._facts.jsontext import loads
from incident_rules._facts.model import Incident
from incident_rules.errors import InvalidIncident

__all__ = ["Item", "Span", "items_of", "lines_file", "spans_of"]

_LINES_SUFFIXES = (".jsonl", ".ndjson")


@attrs.frozen
class Item:
    """One document of a batch and where it came from; ``text`` is JSON not parsed yet."""

    source: str
    document: Any = None
    text: str | None = None

    def load(self) -> Any:
        """The document, parsed from its JSON text if it came as text.

        Raises:
            InvalidIncident: The text is not valid JSON.
        """
        if self.text is None:
            return self.document
        try:
            return loads(self.text)
        # Besides bad syntax: a number of 4,301+ digits (ValueError), nesting past the
        # recursion limit (RecursionError).
        except (ValueError, RecursionError) as error:
            raise InvalidIncident(f"not valid JSON: {error}") from None


def _blank(text: str) -> bool:
    """Whether ``text`` holds nothing but white space (not ``strip()``, which copies it)."""
    return not text or text.isspace()


def _lines(stream: Iterable[str], name: str, first: int = 1) -> Iterator[Item]:
    for number, line in enumerate(stream, start=first):
        if not _blank(line):
            yield Item(f"{name}:{number}", text=line)


def _unreadable(path: Path | str, error: OSError | UnicodeDecodeError) -> InvalidIncident:
    return InvalidIncident(f"{path}: cannot read: {getattr(error, 'strerror', None) or error}")


def _file(path: Path) -> Iterator[Item]:
    try:
        if path.suffix in _LINES_SUFFIXES:
            with path.open(encoding="utf-8") as stream:
                yield from _lines(stream, str(path))
        else:
            yield Item(str(path), text=path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise _unreadable(path, error) from None


@attrs.frozen
class Span:
    """Whole lines of a JSON lines file, from byte ``start`` to ``stop``, the first numbered
    ``first_line``: what a process worker is sent instead of the lines, and reads itself."""

    path: str
    start: int
    stop: int
    first_line: int

    def items(self) -> Iterator[Item]:
        """The items of these lines, numbered as :func:`items_of` numbers a file's lines.

        Raises:
            InvalidIncident: The file cannot be read, or is not UTF-8.
        """
        try:
            with open(self.path, "rb") as stream:
                stream.seek(self.start)
                text = stream.read(self.stop - self.start).decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise _unreadable(self.path, error) from None
        return _lines(_split_lines(text), self.path, self.first_line)


def _split_lines(text: str) -> list[str]:
    """The lines of ``text`` as a file opened in text mode reads them: each ended by \\n, \\r\\n
    or \\r, read as \\n.

    Not ``str.splitlines``: it also ends a line at characters a JSON string may hold as they are
    (U+2028, U+0085). This is about 2x quicker than reading through ``io.StringIO``.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    *ended, last = text.split("\n")
    return [line + "\n" for line in ended] + ([last] if last else [])


#: About how much of a JSON lines file one span holds.
SPAN_BYTES = 1 << 20


def _line_breaks(data: bytes) -> int:
    """How many lines ``data`` ends, as text mode counts them (a lone \r ends one too)."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def spans_of(path: Path | str, size: int = SPAN_BYTES) -> Iterator[Span]:
    """The JSON lines file at ``path`` cut into spans of whole lines of about ``size`` bytes.

    Only line breaks are counted here; the lines are read by whoever decides the span.

    Raises:
        InvalidIncident: The file cannot be read.
    """
    start, line = 0, 1
    try:
        with open(path, "rb") as stream:
            while block := stream.read(size):
                if len(block) == size:  # not the end of the file: on to the end of the line
                    block += stream.readline()
                yield Span(str(path), start, start + len(block), line)
                start, line = start + len(block), line + _line_breaks(block)
    except OSError as error:
        raise _unreadable(path, error) from None


def lines_file(documents: object) -> Path | None:
    """``documents`` as the path of one JSON lines file, or None when it is something else."""
    if isinstance(documents, (str, Path)):
        path = Path(documents)
        if path.suffix in _LINES_SUFFIXES and path.is_file():
            return path
    return None


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(file for file in path.iterdir() if file.suffix in (".json", *_LINES_SUFFIXES))
    if not path.exists():
        raise InvalidIncident(f"{path}: no such file or directory")
    return [path]


def _from_paths(files: list[Path]) -> Iterator[Item]:
    for file in files:
        yield from _file(file)


def _from_iterable(documents: Iterable[Any]) -> Iterator[Item]:
    for index, document in enumerate(documents):
        if isinstance(document, (str, bytes)):
            text = document.decode("utf-8", "replace") if isinstance(document, bytes) else document
            if not _blank(text):  # a blank line of JSON lines text, as in a file
                yield Item(f"#{index}", text=text)
        else:
            yield Item(f"#{index}", document=document)


def items_of(documents: object) -> tuple[Iterator[Item], int | None]:
    """The items of ``documents`` and how many there are, where that is known up front.

    Args:
        documents: A path (a JSON file, a JSON lines file ``.jsonl``, or a directory of them), an
            open text stream of JSON lines, or an iterable of documents (dicts, :class:`Incident`
            objects, or JSON text).

    Raises:
        InvalidIncident: A path does not exist, or ``documents`` is one document, not many.
    """
    if isinstance(documents, (str, Path)):
        files = _files(Path(documents))
        single = all(file.suffix not in _LINES_SUFFIXES for file in files)
        return _from_paths(files), len(files) if single else None
    if isinstance(documents, io.TextIOBase):
        return _lines(documents, getattr(documents, "name", "<stream>")), None
    if isinstance(documents, (Mapping, Incident)) or not isinstance(documents, Iterable):
        raise InvalidIncident(
            "documents: expected an iterable of documents, a path or a text stream "
            f"(got {type(documents).__name__}; to assess one document use assess())"
        )
    return _from_iterable(documents), len(documents) if isinstance(documents, Sized) else None
