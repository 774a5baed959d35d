"""Replay on a Dask cluster: a bag of documents, or a DataFrame of JSON text, into flat records.

Install with ``pip install 'incident-rules[dask]'``; the base install never imports Dask. The
engine travels to each worker once, broadcast before the tasks run (it pickles as its rules
sources, params and backend), so each worker builds it once and every task on that worker reuses
it. Every partition is decided with ``errors="record"``: a bad document is a row with its
problems, never a failed job. The records are those of :meth:`Engine.assess_many`, so the result
equals the serial one row for row.

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

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_rules._engine import BackendName, Engine
from incident_rules._replay.records import columns

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


def _shipped(engine: Engine) -> Any:
    """The engine as one piece of cluster data: on every worker of a distributed client at once.

    Broadcast, because a dependency held by one worker draws every task to that worker; without
    a distributed client, one key of the graph.
    """
    from dask.delayed import delayed

    try:
        from distributed import get_client

        client: Any = get_client()  # distributed's API is untyped
    except (ImportError, ValueError):  # no distributed, or no client: a local scheduler
        return delayed(engine, pure=True)
    return client.scatter(engine, broadcast=True, hash=False)


def _from_parts(parts: list[Any], engine: Engine, at: Any) -> Any:
    import dask.dataframe
    from dask.delayed import delayed

    shipped = _shipped(engine)
    decide = delayed(assess_pandas, pure=True)
    frames = [decide(part, engine=shipped, at=at) for part in parts]
    return dask.dataframe.from_delayed(frames, meta=_meta(engine), verify_meta=False)


def assess_bag(
    bag: Any,
    *,
    at: Any,
    rules: Path | str | Sequence[Path | str] | None = None,
    params: Mapping[str, object] | None = None,
    backend: BackendName = "auto",
    engine: Engine | None = None,
) -> Any:
    """Assess a Dask bag of documents (dicts or JSON text); lazily, as a Dask DataFrame of records.

    Args:
        bag: A ``dask.bag.Bag``, e.g. ``dask.bag.read_text("incidents-*.jsonl")``.
        at: As for :meth:`Engine.assess_many` (a function is shipped with cloudpickle).
        rules: Rules files or directories; the shipped rules when None.
        params: Param overrides, as for :meth:`Engine.default`.
        backend: As for :meth:`Engine.default`.
        engine: An engine to use instead of building one from ``rules`` and ``params``.

    Returns:
        A ``dask.dataframe.DataFrame``, one partition per bag partition.

    Raises:
        RulesetError: The rules or params are not valid (raised here, before any task runs).
    """
    chosen = _engine(engine, rules, params, backend)
    return _from_parts(list(bag.to_delayed()), chosen, at)


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
    return _from_parts(list(frame[column].to_delayed()), chosen, at)
