"""Dask: a bag or a DataFrame of documents on a real two-process LocalCluster, equal to serial."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incident_rules import Engine
from incident_rules.errors import EngineError
from strategies import incident_documents

dask_bag = pytest.importorskip("dask.bag", reason="the [dask] extra is not installed")
dask_dataframe = pytest.importorskip("dask.dataframe", reason="the [dask] extra is not installed")
distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed")
pandas = pytest.importorskip("pandas")

import incident_rules.dask as dask_module  # noqa: E402 -- after the skips
from incident_rules.dask import assess_bag, assess_frame  # noqa: E402

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

    def test_a_second_replay_with_the_same_engine_does_not_ship_it_again(self, client: Any) -> None:
        """Each worker keeps the engine it was given; a second replay with it reuses that one."""
        engine = Engine.default(params={"change_window": "45m"})
        bag = dask_bag.from_sequence([json.dumps(SEED)] * 4, npartitions=2)

        def shipped() -> list[int]:
            return [id(held) for held in dask_module._SHIPPED.values()]

        assess_bag(bag, at=AT, engine=engine).compute()
        first = client.run(shipped)
        assess_bag(bag, at=AT, engine=engine).compute()
        assert client.run(shipped) == first

    def test_a_dataframe_of_json_text_equals_serial(self, client: Any) -> None:
        """The ``document`` text column of a Dask DataFrame, decided partition by partition."""
        documents = [json.dumps(SEED | {"id": f"INC-{n}"}) for n in range(20)]
        frame = dask_dataframe.from_pandas(pandas.DataFrame({"document": documents}), npartitions=4)
        computed = assess_frame(frame, at=AT).compute()
        _same(computed, serial(documents, Engine.default()))


class TestTheGraph:
    def test_the_task_that_reads_a_partition_also_decides_it(self, tmp_path: Path) -> None:
        """No task holds a partition's raw text alone, so no scheduler can move it to another worker."""
        lines = tmp_path / "incidents.jsonl"
        lines.write_text((json.dumps(SEED) + "\n") * 40, encoding="utf-8")
        bag = dask_bag.read_text(str(lines), blocksize=lines.stat().st_size // 2)
        graph = assess_bag(bag, at=AT, engine=Engine.default()).__dask_graph__()
        readers = [str(key) for key in graph if "read-block" in str(key)]
        assert readers
        assert all("assess" in key for key in readers), readers

    def test_a_bag_read_from_a_file_equals_serial_without_a_cluster(self, tmp_path: Path) -> None:
        """Without a distributed client the engine travels in the tasks, and the rows are the same."""
        lines = tmp_path / "incidents.jsonl"
        texts = [json.dumps(SEED | {"id": f"INC-{n}"}) for n in range(12)] + ["{broken"]
        lines.write_text("\n".join(texts) + "\n", encoding="utf-8")
        bag = dask_bag.read_text(str(lines), blocksize=lines.stat().st_size // 3)
        engine = Engine.default()
        computed = assess_bag(bag, at=AT, engine=engine).compute(scheduler="sync")
        _same(computed, serial([text + "\n" for text in texts], engine))

    def test_an_engine_shipped_to_a_cluster_arriving_elsewhere_is_our_error(self) -> None:
        """A task run in a process the engine was not shipped to fails with EngineError."""
        shipped = pickle.dumps(dask_module._Shipped("not-shipped-here", Engine.default()))
        arrived = pickle.loads(shipped)
        with pytest.raises(EngineError, match="shipped to the workers of a distributed cluster"):
            _ = arrived.engine


class TestImport:
    def test_importing_the_module_imports_no_distributed(self) -> None:
        """Spark and Ray users of ``assess_pandas`` do not pay for distributed's import."""
        code = "import sys, incident_rules.dask; print('distributed' in sys.modules)"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert done.stdout.strip() == "False"

    def test_the_worker_plugin_pickles_by_name(self) -> None:
        """The plugin class is found as ``incident_rules.dask._EngineOnWorkers`` when unpickled."""
        plugin = dask_module._plugin_class()("a-token", Engine.default())
        again = pickle.loads(pickle.dumps(plugin))
        assert (type(again) is type(plugin), again.token) == (True, "a-token")
