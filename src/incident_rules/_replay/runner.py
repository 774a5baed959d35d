"""The batch runner: items in, flat records out, in order, serially or on process workers.

Documents stream through: at most a few chunks per worker are in flight, so memory does not grow
with the size of the batch. With workers, the engine is pickled once per worker process (rebuilt
there from its sources), documents travel as the JSON text they were read as where they were read
as text, and a function given as ``at`` is called here, in the caller's process, so it may be a
lambda.
"""

from __future__ import annotations

import collections
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any, Literal, Protocol

import attrs

from incident_rules._decisions.data import Assessment, DueAction, Outcome
from incident_rules._facts.fast import incident_from_document
from incident_rules._facts.model import Incident
from incident_rules._replay.instants import InstantSpec, call_at, instant_spec
from incident_rules._replay.records import Record, columns, decided_record, error_record, record
from incident_rules._replay.sources import Item, Span, items_of, lines_file, spans_of
from incident_rules.errors import EngineError, IncidentRulesError, InvalidIncident


class Engine(Protocol):
    """What replay needs of an engine (``incident_rules.Engine``): replay comes after it."""

    @property
    def decision_names(self) -> tuple[str, ...]: ...

    def assess(self, incident: Incident, *, at: datetime) -> Assessment: ...

    def _conclusions(
        self, incident: Incident, instant: datetime
    ) -> tuple[Mapping[str, Outcome], tuple[DueAction, ...]]: ...


__all__ = ["Job", "Progress", "assess_many", "decide_items", "jobs_of", "loaded", "structured"]

Errors = Literal["raise", "record"]
#: ``progress(done, total)``: documents done so far, and the batch size where it is known.
Progress = Callable[[int, "int | None"], object]
CHUNK = 256
_IN_FLIGHT_PER_WORKER = 3


@attrs.frozen
class Job:
    """One item to decide and the rule for its instant, or why it cannot be decided."""

    item: Item
    at: InstantSpec
    failure: InvalidIncident | None = None


@attrs.frozen
class Failed:
    """A document that failed under ``errors="raise"``: the error to raise in the caller."""

    kind: type[IncidentRulesError]
    problems: tuple[str, ...]


@attrs.frozen
class Settings:
    """What every job of one batch is decided with."""

    engine: Engine
    names: tuple[str, ...]
    keys: tuple[str, ...]
    explain: bool
    errors: Errors


def loaded(job: Job) -> Any:
    """The document of ``job``, parsed where it came as text.

    Raises:
        InvalidIncident: The text is not JSON, or the instant function failed on it.
    """
    if job.failure is not None:
        raise job.failure
    return job.item.load()


def structured(job: Job, document: Any) -> tuple[Incident, datetime]:
    """The incident of ``document`` and the instant to assess it at.

    Raises:
        InvalidIncident: The document or its instant is not valid.
    """
    incident = incident_from_document(document)
    return incident, job.at.for_incident(incident)


def _decide(job: Job, settings: Settings) -> Record | Failed:
    document = job.item.document
    try:
        document = loaded(job)
        incident, instant = structured(job, document)
        if not settings.explain:
            decisions, due = settings.engine._conclusions(incident, instant)
            return decided_record(incident.id, instant, decisions, due, job.item.source, settings.names)
        assessment = settings.engine.assess(incident, at=instant)
    except IncidentRulesError as error:
        if settings.errors == "raise":
            return Failed(type(error), tuple(f"{job.item.source}: {p}" for p in error.problems))
        return error_record(settings.keys, job.item.source, document, error)
    row = record(assessment, job.item.source)
    row["assessment"] = assessment
    return row


def decide_items(jobs: Iterable[Job], settings: Settings) -> list[Record | Failed]:
    """Decide ``jobs`` one by one; a worker process runs this on each chunk."""
    return [_decide(job, settings) for job in jobs]


def jobs_of(items: Iterator[Item], at: InstantSpec | Callable[[Any], Any]) -> Iterator[Job]:
    """A job per item; a function ``at`` is called here, on the parsed document."""
    if isinstance(at, InstantSpec):
        yield from (Job(item, at) for item in items)
        return
    for item in items:
        try:
            document = item.load()
            yield Job(Item(item.source, document=document), InstantSpec(fixed=call_at(at, document)))
        except InvalidIncident as error:
            yield Job(item, InstantSpec(), failure=error)


def _chunks(jobs: Iterator[Job], size: int) -> Iterator[list[Job]]:
    chunk: list[Job] = []
    for job in jobs:
        chunk.append(job)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_WORKER: dict[str, Any] = {}  # one batch's settings, in a worker process only


def _start_worker(settings: Settings, at: InstantSpec | None) -> None:
    _WORKER["settings"], _WORKER["at"] = settings, at


#: A row as it travels back from a worker: its values in the order of ``Settings.keys`` (a
#: tuple pickles in a fraction of the bytes and time of a dict repeating every key).
Packed = tuple[Any, ...]


def _packed(results: list[Record | Failed], settings: Settings) -> list[Any]:
    if settings.explain:  # the row holds an Assessment too: sent as it is
        return results
    # Rows are built in the order of the keys (records.columns).
    return [result if isinstance(result, Failed) else tuple(result.values()) for result in results]


def _worker_chunk(chunk: list[Job]) -> list[Any]:
    settings = _WORKER["settings"]
    return _packed(decide_items(chunk, settings), settings)


def _worker_span(span: Span) -> list[Any]:
    """Read the lines of ``span`` here, in the worker, and decide them."""
    settings = _WORKER["settings"]
    try:
        items = list(span.items())
    except InvalidIncident as error:  # the file as a whole cannot be read: raised, as serially
        return [Failed(InvalidIncident, error.problems)]
    jobs = (Job(item, _WORKER["at"]) for item in items)
    return _packed(decide_items(jobs, settings), settings)


def _context() -> Any:
    # forkserver where there is one (Python 3.14's default on Linux): safe in a threaded caller,
    # unlike fork; the engine pickles, so nothing else is needed. spawn elsewhere.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _on_workers(
    work: Iterator[Any], settings: Settings, workers: int, at: InstantSpec | None
) -> Iterator[list[Any]]:
    """Each piece of ``work`` (a span, or a chunk of jobs) decided on a worker, rows unpacked."""
    initargs = (settings, at)
    pool = ProcessPoolExecutor(workers, _context(), initializer=_start_worker, initargs=initargs)
    pending: collections.deque[Future[list[Any]]] = collections.deque()
    try:
        for piece in work:
            task = _worker_span if isinstance(piece, Span) else _worker_chunk
            pending.append(pool.submit(task, piece))
            if len(pending) >= workers * _IN_FLIGHT_PER_WORKER:
                yield _unpacked(pending.popleft().result(), settings.keys)
        while pending:
            yield _unpacked(pending.popleft().result(), settings.keys)
    except BrokenProcessPool:
        raise EngineError(
            "workers: a worker process stopped before it finished (out of memory, killed, or a "
            "script that starts workers without an `if __name__ == '__main__':` guard)"
        ) from None
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _unpacked(results: list[Any], keys: tuple[str, ...]) -> list[Any]:
    return [
        dict(zip(keys, result, strict=True)) if isinstance(result, tuple) else result for result in results
    ]


def _rows(results: Iterator[list[Any]], total: int | None, progress: Progress | None) -> Iterator[Record]:
    done = 0
    for results_of_chunk in results:
        for result in results_of_chunk:
            if isinstance(result, Failed):
                raise result.kind(result.problems)
            yield result
        done += len(results_of_chunk)
        if progress is not None:
            progress(done, total)


def _check_options(workers: object, explain: object, errors: object) -> None:
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InvalidIncident(f"workers: expected a whole number of at least 1 (got {workers!r})")
    if not isinstance(explain, bool):
        raise InvalidIncident(f"explain: expected True or False (got {explain!r})")
    if errors not in ("raise", "record"):
        raise InvalidIncident(f"errors: must be one of raise, record (got {errors!r})")


def assess_many(
    engine: Engine,
    documents: object,
    *,
    at: object,
    workers: int = 1,
    explain: bool = False,
    errors: Errors = "raise",
    progress: Progress | None = None,
) -> Iterator[Record]:
    """The body of :meth:`Engine.assess_many`: arguments checked now, records as they come."""
    _check_options(workers, explain, errors)
    spec = instant_spec(at)
    items, total = items_of(documents)
    names = engine.decision_names
    settings = Settings(engine, names, columns(names), explain, errors)
    if workers > 1 and isinstance(spec, InstantSpec) and (path := lines_file(documents)) is not None:
        # The workers read the file themselves: only where each span starts travels to them.
        return _rows(_on_workers(spans_of(path), settings, workers, spec), total, progress)
    chunks = _chunks(jobs_of(items, spec), CHUNK)
    if workers == 1:
        return _rows((decide_items(chunk, settings) for chunk in chunks), total, progress)
    return _rows(_on_workers(chunks, settings, workers, None), total, progress)
