"""Replay on a Dask cluster: a bag of documents, or a DataFrame of JSON text, into flat records.

Install with ``pip install 'incident-rules[dask]'``; the base install never imports Dask. On a
distributed cluster the engine travels to each worker once, in a worker plugin registered before
the tasks run (it pickles as its rules sources, params and backend): each worker builds it once,
workers that join later get it too, and every task on a worker reuses it. A partition is decided
by the task that makes it (reads it, for ``read_text``), so its documents never move between
workers; only the records do. Every partition is decided with ``errors="record"``: a bad
document is a row with its problems, never a failed job. The records are those of
:meth:`Engine.assess_many`, so the result equals the serial one row for row.

The same contract runs elsewhere without new code, through :func:`assess_pandas` (an iterable of
documents or JSON text in, a pandas DataFrame of records out)::

    # Spark: a DataFrame with a JSON text column "document"
    spark_frame.mapInPandas(lambda batches: (assess_pandas(b["document"], engine=engine, at=at)
                                             for b in batches), schema=...)
    # Ray Data
    dataset.map_batches(lambda b: assess_pandas(b["document"], engine=engine, at=at),
                        batch_format="pandas")
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_rules._engine import BackendName, Engine
from incident_rules._replay.records import columns
from incident_rules.errors import EngineError

if TYPE_CHECKING:
    import pandas

__all__ = ["assess_bag", "assess_frame", "assess_pandas"]

_COUNTS = ("due", "overdue")


def _engine(
    engine: Engine | None,
    rules: Path | str | Sequence[Path | str] | None,
    params: Mapping[str, object] | None,
    backend: BackendName,
) -> Engine:
    if engine is not None:
        return engine
    if rules is None:
        return Engine.default(params=params, backend=backend)
    paths = [rules] if isinstance(rules, (str, Path)) else list(rules)
    return Engine.from_path(*paths, params=params, backend=backend)


def _frame(rows: Iterable[dict[str, Any]], keys: tuple[str, ...]) -> pandas.DataFrame:
    import pandas  # the optional extra, imported where it is used

    frame = pandas.DataFrame(list(rows), columns=list(keys))
    # Counts are absent (NA) on the row of a bad document; every other column holds text or None.
    return frame.astype({key: ("Int64" if key in _COUNTS else "object") for key in keys})


def assess_pandas(documents: Iterable[Any], *, engine: Engine, at: Any) -> pandas.DataFrame:
    """Flat records of ``documents`` as a pandas DataFrame, one row each, bad ones included.

    Args:
        documents: Documents (dicts) or their JSON text, e.g. a pandas Series of a text column.
        engine: The engine to decide with.
        at: As for :meth:`Engine.assess_many`.

    Returns:
        A DataFrame with the columns of :meth:`Engine.assess_many`'s records.
    """
    keys = columns(engine.decision_names)
    return _frame(engine.assess_many(list(documents), at=at, errors="record"), keys)


def _meta(engine: Engine) -> pandas.DataFrame:
    return _frame([], columns(engine.decision_names))


#: In a process of a distributed cluster: the engines shipped to it, by their token.
_SHIPPED: dict[str, Engine] = {}


class _Shipped:
    """An engine as the tasks hold it on a distributed cluster: pickled, only its token, by
    which a worker finds the engine a worker plugin put there. (The scheduler unpickles the
    tasks too, so the token is looked up only when a task runs.)"""

    def __init__(self, token: str, engine: Engine | None = None) -> None:
        self.token, self._engine = token, engine

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Shipped, (self.token,))

    @property
    def engine(self) -> Engine:
        """The engine, in the caller's process or on a worker it was shipped to.

        Raises:
            EngineError: This process has no engine of that token.
        """
        engine = self._engine if self._engine is not None else _SHIPPED.get(self.token)
        if engine is None:
            raise EngineError(
                "incident_rules.dask: this replay's engine was shipped to the workers of a "
                "distributed cluster, not to this process; compute it on that cluster"
            )
        return engine


def _assess_partition(documents: Iterable[Any], *, engine: Engine | _Shipped, at: Any) -> Any:
    chosen = engine.engine if isinstance(engine, _Shipped) else engine
    return assess_pandas(documents, engine=chosen, at=at)


def _ship(engine: Engine) -> Engine | _Shipped:
    """``engine`` as each task is given it: itself, or on a distributed cluster a token under
    which a worker plugin puts it on every worker, once per worker.

    Not a key of the graph, as a scattered future is: a task with that second dependency is
    not fused with the task that reads its documents, and the scheduler then sends raw text
    (about five times the bytes of its records, serialized line by line) to another worker,
    which waits for it while the sender's event loop competes with its deciding thread.
    """
    try:
        from distributed import get_client

        client: Any = get_client()  # distributed's API is untyped
    except (ImportError, ValueError):  # no distributed, or no client: a local scheduler
        return engine
    from dask.base import tokenize

    token = tokenize(engine)
    client.register_plugin(_plugin_class()(token, engine), name=f"incident-rules-engine-{token}")
    return _Shipped(token, engine)


@functools.cache
def _plugin_class() -> type:
    """The worker plugin class, made on first use: importing this module imports no distributed."""
    from distributed import WorkerPlugin

    class _EngineOnWorkers(WorkerPlugin):
        """A worker plugin that puts one engine on every worker, those that join later included."""

        # The same engine registered again (another replay with it) is not shipped again.
        idempotent = True

        def __init__(self, token: str, engine: Engine) -> None:
            self.token, self.engine = token, engine

        def setup(self, worker: Any) -> None:
            _SHIPPED[self.token] = self.engine

        def teardown(self, worker: Any) -> None:
            _SHIPPED.pop(self.token, None)

    # Pickled by name, as a class of this module: a worker finds it through __getattr__ below.
    _EngineOnWorkers.__qualname__ = "_EngineOnWorkers"
    return _EngineOnWorkers


def __getattr__(name: str) -> Any:
    if name == "_EngineOnWorkers":
        return _plugin_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def assess_bag(
    bag: Any,
    *,
    at: Any,
    rules: Path | str | Sequence[Path | str] | None = None,
    params: Mapping[str, object] | None = None,
    backend: BackendName = "auto",
    engine: Engine | None = None,
) -> Any:
    """Assess a Dask bag of documents (dicts or JSON text) into a Dask DataFrame of records.

    Args:
        bag: A ``dask.bag.Bag``, e.g. ``dask.bag.read_text("incidents-*.jsonl")``.
        at: As for :meth:`Engine.assess_many` (a function is shipped with cloudpickle).
        rules: Rules files or directories; the shipped rules when None.
        params: Param overrides, as for :meth:`Engine.default`.
        backend: As for :meth:`Engine.default`.
        engine: An engine to use instead of building one from ``rules`` and ``params``.

    Returns:
        A ``dask.dataframe.DataFrame``, one partition per bag partition. Under a distributed
        client the engine is put on the workers now (once per engine and cluster); the documents
        are decided when the result is computed.

    Raises:
        RulesetError: The rules or params are not valid (raised here, before any task runs).
        EngineError: When computed: the result was built under a distributed client and is
            computed elsewhere, where its engine was never shipped.
    """
    import dask.dataframe

    chosen = _engine(engine, rules, params, backend)
    # One task per partition, fused with the one that makes the partition: its documents
    # never leave the worker that read them; only their records travel.
    frames = bag.map_partitions(_assess_partition, engine=_ship(chosen), at=at)
    return dask.dataframe.from_delayed(frames.to_delayed(), meta=_meta(chosen), verify_meta=False)


def assess_frame(
    frame: Any,
    *,
    at: Any,
    column: str = "document",
    rules: Path | str | Sequence[Path | str] | None = None,
    params: Mapping[str, object] | None = None,
    backend: BackendName = "auto",
    engine: Engine | None = None,
) -> Any:
    """Assess the JSON text column ``column`` of a Dask DataFrame; a Dask DataFrame of records.

    Args and Raises as for :func:`assess_bag`; ``column`` names the column of JSON documents.
    """
    chosen = _engine(engine, rules, params, backend)
    # Blockwise, so fused with the tasks that make each partition (see assess_bag).
    return frame[column].map_partitions(
        _assess_partition, engine=_ship(chosen), at=at, meta=_meta(chosen), clear_divisions=True
    )
