"""Dask: a bag or a DataFrame of documents on a real two-process LocalCluster, equal to serial."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incident_rules import Engine
from strategies import incident_documents

dask_bag = pytest.importorskip("dask.bag", reason="the [dask] extra is not installed")
dask_dataframe = pytest.importorskip("dask.dataframe", reason="the [dask] extra is not installed")
distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed")
pandas = pytest.importorskip("pandas")

from incident_rules.dask import assess_bag, assess_frame  # noqa: E402 -- after the skips

pytestmark = pytest.mark.slow

SEED = json.loads(
    (Path(__file__).resolve().parent.parent / "examples" / "inc-2025-0142.json").read_text("utf-8")
)
AT = "detected+30m"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A client of a LocalCluster of two worker processes, one thread each."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as connected,
    ):
        yield connected


def _rows(frame: Any) -> list[dict[str, Any]]:
    """Plain rows, missing values as None, the position within a partition (``source``) aside."""
    plain = frame.drop(columns="source").astype(object)
    return plain.where(plain.notna(), None).to_dict("records")  # type: ignore[no-any-return]


def serial(documents: list[Any], engine: Engine) -> list[dict[str, Any]]:
    """The records of the serial batch, as plain rows."""
    return _rows(pandas.DataFrame(engine.assess_many(documents, at=AT, errors="record")))


def _same(computed: Any, expected: list[dict[str, Any]]) -> None:
    assert _rows(computed) == expected


class TestOnALocalCluster:
    def test_a_bag_of_the_seed_example_and_bad_text_equals_serial(self, client: Any) -> None:
        """Records from the cluster equal the serial ones, the bad document's error row included."""
        documents = [json.dumps(SEED), "{broken", json.dumps(SEED | {"id": "INC-2"})] * 4
        engine = Engine.default()
        computed = assess_bag(
            dask_bag.from_sequence(documents, npartitions=4), at=AT, engine=engine
        ).compute()
        _same(computed, serial(documents, engine))
        assert computed["error"].notna().sum() == 4

    @settings(
        max_examples=3, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
    )
    @given(documents=st.lists(incident_documents(), min_size=1, max_size=30))
    def test_a_bag_of_generated_documents_equals_serial(self, client: Any, documents: list[Any]) -> None:
        """Generated documents in several partitions, decided with changed params, equal serial."""
        params = {"significant_fraction": 0.05}
        bag = dask_bag.from_sequence(documents, npartitions=3)
        computed = assess_bag(bag, at=AT, params=params).compute()
        _same(computed, serial(documents, Engine.default(params=params)))

    def test_a_dataframe_of_json_text_equals_serial(self, client: Any) -> None:
        """The ``document`` text column of a Dask DataFrame, decided partition by partition."""
        documents = [json.dumps(SEED | {"id": f"INC-{n}"}) for n in range(20)]
        frame = dask_dataframe.from_pandas(pandas.DataFrame({"document": documents}), npartitions=4)
        computed = assess_frame(frame, at=AT).compute()
        _same(computed, serial(documents, Engine.default()))
