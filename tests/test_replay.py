"""Batch assessment: records equal to one-by-one assessments, bad documents kept, engines pickled."""

from __future__ import annotations

import copy
import io
import json
import pickle
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BACKENDS
from incident_rules import Engine, Incident, InvalidIncident
from incident_rules._authoring.layers import load_rules
from incident_rules._replay.progress import terminal_progress
from incident_rules._replay.records import record
from incident_rules._replay.sources import items_of, spans_of
from samples import ROOT, SEED_PATH, seed
from strategies import assessments

SEED_AT = "2025-06-15T14:30:00Z"


def one_by_one(engine: Engine, pairs: list[tuple[dict[str, Any], datetime]]) -> list[dict[str, Any]]:
    """The records ``assess`` gives for each document, as the batch numbers their sources."""
    return [record(engine.assess(document, at=at), f"#{index}") for index, (document, at) in enumerate(pairs)]


def batch(
    engine: Engine, pairs: list[tuple[dict[str, Any], datetime]], **options: Any
) -> list[dict[str, Any]]:
    """The batch records of ``pairs``, each document at its own instant."""
    instants = {id(document): at for document, at in pairs}
    return list(engine.assess_many([d for d, _ in pairs], at=lambda doc: instants[id(doc)], **options))


class TestAssessMany:
    @pytest.mark.parametrize("backend", BACKENDS)
    @given(pairs=st.lists(assessments(), max_size=6))
    def test_batch_records_equal_assessing_one_by_one(self, backend: str, pairs: list[Any]) -> None:
        """Each record is what assess() decides for that document at that instant."""
        engine = Engine.default(backend=backend)
        assert batch(engine, pairs) == one_by_one(engine, pairs)

    @settings(max_examples=3)
    @given(pairs=st.lists(assessments(), min_size=1, max_size=40))
    def test_batch_records_on_two_workers_equal_assessing_one_by_one(self, pairs: list[Any]) -> None:
        """Process workers give the same records, in the same order."""
        engine = Engine.default(backend="native")
        assert batch(engine, pairs, workers=2) == one_by_one(engine, pairs)

    def test_an_offset_from_detection_decides_at_that_instant(self) -> None:
        """``detected+30m`` is the same as the instant 30 minutes after detection."""
        engine = Engine.default(backend="native")
        (row,) = engine.assess_many([seed()], at="detected+30m")
        assert row == record(engine.assess(seed(), at="2025-06-15T14:53:00Z"), "#0")

    def test_an_offset_from_onset_counts_from_onset(self) -> None:
        """``onset+20m`` is twenty minutes after the onset the record gives."""
        document = seed() | {"onset_at": "2025-06-15T14:10:00Z"}
        (row,) = Engine.default(backend="native").assess_many([document], at="onset+20m")
        assert row["at"] == "2025-06-15T14:30:00+00:00"

    def test_an_offset_before_detection_is_a_recorded_error(self) -> None:
        """``detected-5m`` is before the incident existed: an error row, as assess() says."""
        (row,) = Engine.default().assess_many([seed()], at="detected-5m", errors="record")
        assert "before the incident was detected" in row["error"]

    @pytest.mark.parametrize("at", ["detected+soon", "yesterday", "2025-06-15T14:30:00", 42])
    def test_an_invalid_instant_is_rejected_before_any_document_is_read(self, at: object) -> None:
        """The error names ``at`` and what it may be, and no document is consumed."""
        consumed = []
        documents = (consumed.append(d) or d for d in [seed()])
        with pytest.raises(InvalidIncident, match=r"^at: "):
            Engine.default().assess_many(documents, at=at)
        assert consumed == []

    def test_one_document_instead_of_many_is_rejected(self) -> None:
        """A single dict is not a batch: the error says to use assess()."""
        with pytest.raises(InvalidIncident, match="use assess"):
            Engine.default().assess_many(seed(), at=SEED_AT)

    @pytest.mark.parametrize(("option", "value"), [("workers", 0), ("workers", True), ("errors", "skip")])
    def test_an_invalid_option_is_rejected_with_its_name(self, option: str, value: object) -> None:
        """``workers`` and ``errors`` are checked up front, the error naming the option."""
        with pytest.raises(InvalidIncident, match=f"^{option}: "):
            Engine.default().assess_many([seed()], at=SEED_AT, **{option: value})

    def test_explain_adds_the_full_assessment(self) -> None:
        """With explain=True each record carries the assessment, equal to assess()'s."""
        engine = Engine.default(backend="native")
        (row,) = engine.assess_many([seed()], at=SEED_AT, explain=True)
        assert row["assessment"] == engine.assess(seed(), at=SEED_AT)

    def test_the_documents_are_not_modified(self) -> None:
        """The caller's dicts are the same after the batch."""
        documents = [seed(), seed()]
        before = copy.deepcopy(documents)
        list(Engine.default().assess_many(documents, at=SEED_AT))
        assert documents == before

    def test_progress_is_reported_up_to_the_whole_batch(self) -> None:
        """The callback hears how many are done, the last call being all of them."""
        calls: list[tuple[int, int | None]] = []
        list(Engine.default().assess_many([seed()] * 300, at=SEED_AT, progress=lambda *c: calls.append(c)))
        assert calls == [(256, 300), (300, 300)]


def _bad_and_good() -> list[Any]:
    bad_scope = seed()
    bad_scope["impact"]["scope"] = "global"
    return [seed(), bad_scope, "{not json", json.dumps(seed()), {"id": 7}]


class TestErrors:
    def test_recorded_errors_keep_every_bad_document_as_a_row(self) -> None:
        """Each bad document is a row with its problems; each good one is decided; order is kept."""
        engine = Engine.default(backend="native")
        rows = list(engine.assess_many(_bad_and_good(), at=SEED_AT, errors="record"))
        assert [row["error"] is None for row in rows] == [True, False, False, True, False]
        assert (
            rows[1]["error"]
            == "impact.scope: must be one of none, cosmetic, minor, partial, widespread (got 'global')"
        )
        assert rows[2]["error"].startswith("not valid JSON")
        assert rows[3] == record(engine.assess(seed(), at=SEED_AT), "#3")

    def test_a_bad_document_read_as_text_keeps_its_id(self) -> None:
        """A JSON line that parses but is not valid is a row with the id it gives."""
        bad_scope = _bad_and_good()[1]
        (row,) = Engine.default().assess_many([json.dumps(bad_scope)], at=SEED_AT, errors="record")
        assert (row["id"], row["error"] is not None) == ("INC-2025-0142", True)

    def test_a_recorded_error_row_has_the_keys_of_a_decided_row(self) -> None:
        """A DataFrame gets the same columns from good and bad rows."""
        rows = list(Engine.default().assess_many(_bad_and_good(), at=SEED_AT, errors="record"))
        assert all(list(row) == list(rows[0]) for row in rows)

    def test_a_bad_document_stops_the_batch_with_where_it_came_from(self) -> None:
        """Under errors="raise" the first bad document raises, its problems prefixed by its source."""
        with pytest.raises(InvalidIncident, match=r"^#1: impact\.scope: must be one of"):
            list(Engine.default().assess_many(_bad_and_good(), at=SEED_AT))

    def test_a_failing_instant_function_is_a_recorded_error(self) -> None:
        """A function ``at`` that raises gives that document an error row, not a crash."""
        rows = list(Engine.default().assess_many([seed()], at=lambda doc: doc["nope"], errors="record"))
        assert rows[0]["error"] == "at: the function raised KeyError: 'nope'"

    def test_recorded_errors_on_two_workers_keep_every_row(self) -> None:
        """Workers keep bad rows in place too."""
        documents = _bad_and_good() * 3
        engine = Engine.default(backend="native")
        serial = list(engine.assess_many(documents, at=SEED_AT, errors="record"))
        assert list(engine.assess_many(documents, at=SEED_AT, errors="record", workers=2)) == serial


class TestSources:
    def test_json_lines_are_read_line_by_line_with_their_line_numbers(self, tmp_path: Path) -> None:
        """Blank lines are skipped, a bad line is a row naming ``file:line``."""
        path = tmp_path / "incidents.jsonl"
        path.write_text(f"{json.dumps(seed())}\n\n[1,\n", encoding="utf-8")
        rows = list(Engine.default().assess_many(path, at=SEED_AT, errors="record"))
        assert [row["source"] for row in rows] == [f"{path}:1", f"{path}:3"]
        assert rows[0]["severity"] == "SEV1"
        assert rows[1]["error"].startswith("not valid JSON")

    def test_a_directory_is_read_file_by_file_in_name_order(self, tmp_path: Path) -> None:
        """Every .json and .jsonl file of a directory, sorted by name."""
        shutil.copy(SEED_PATH, tmp_path / "b.json")
        (tmp_path / "a.jsonl").write_text(json.dumps(seed()) + "\n", encoding="utf-8")
        (tmp_path / "notes.txt").write_text("not an incident", encoding="utf-8")
        rows = list(Engine.default().assess_many(tmp_path, at=SEED_AT))
        assert [Path(row["source"]).name for row in rows] == ["a.jsonl:1", "b.json"]

    def test_a_text_stream_is_read_as_json_lines(self) -> None:
        """An open stream (stdin, say) is JSON lines."""
        stream = io.StringIO(json.dumps(seed()) + "\n")
        (row,) = Engine.default().assess_many(stream, at=SEED_AT)
        assert row["id"] == "INC-2025-0142"

    def test_a_missing_path_is_an_error_naming_it(self, tmp_path: Path) -> None:
        """The path that does not exist is named."""
        with pytest.raises(InvalidIncident, match="no such file or directory"):
            Engine.default().assess_many(tmp_path / "missing.jsonl", at=SEED_AT)

    def test_incidents_already_structured_are_assessed_as_they_are(self) -> None:
        """An Incident object needs no structuring."""
        engine = Engine.default()
        (row,) = engine.assess_many([Incident.from_dict(seed())], at=SEED_AT)
        assert row == record(engine.assess(seed(), at=SEED_AT), "#0")


#: JSON lines text with every kind of line end, blank lines and lines longer than a small span.
_line_texts = st.lists(
    st.tuples(
        st.sampled_from(['{"a": 1}', "", "[1,", '"' + "x" * 40 + '"']), st.sampled_from(["\n", "\r\n", "\r"])
    ),
    max_size=12,
).map(lambda lines: "".join(text + end for text, end in lines))


class TestSpans:
    @settings(max_examples=60)
    @given(_line_texts, st.integers(1, 48))
    def test_spans_hold_the_lines_a_serial_read_gives_numbered_alike(self, text: str, size: int) -> None:
        """Cut anywhere, the spans' items are the file's items, each with its own line number."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "incidents.jsonl"
            path.write_bytes(text.encode("utf-8"))
            serial, _ = items_of(path)
            assert [item for span in spans_of(path, size) for item in span.items()] == list(serial)

    def test_two_workers_on_a_json_lines_file_give_the_serial_rows(self, tmp_path: Path) -> None:
        """Workers read their spans of the file themselves: same rows, sources and order."""
        path = tmp_path / "incidents.jsonl"
        lines = [json.dumps(seed()).replace('"INC-2025-0142"', f'"INC-{n}"') for n in range(40)]
        path.write_text("\n".join([*lines[:20], "[1,", *lines[20:]]) + "\n", encoding="utf-8")
        engine = Engine.default()
        serial = list(engine.assess_many(path, at=SEED_AT, errors="record"))
        with mock.patch("incident_rules._replay.runner.spans_of", lambda p: spans_of(p, 4096)):
            assert list(engine.assess_many(path, at=SEED_AT, errors="record", workers=2)) == serial

    def test_a_file_that_is_not_utf8_fails_on_workers_as_it_does_serially(self, tmp_path: Path) -> None:
        """The error names the file, whether the caller or a worker reads it."""
        path = tmp_path / "incidents.jsonl"
        path.write_bytes(json.dumps(seed()).encode() + b"\n\xff\n")
        engine = Engine.default()
        with pytest.raises(InvalidIncident) as serially:
            list(engine.assess_many(path, at=SEED_AT, errors="record"))
        with pytest.raises(InvalidIncident) as on_workers:
            list(engine.assess_many(path, at=SEED_AT, errors="record", workers=2))
        # The byte position differs: a text-mode reader counts it from its own buffer.
        expected = f"{path}: cannot read: 'utf-8' codec can't decode byte 0xff"
        assert [
            str(p).startswith(expected) for p in (*serially.value.problems, *on_workers.value.problems)
        ] == [
            True,
            True,
        ]


class TestPickling:
    @pytest.mark.parametrize("backend", BACKENDS)
    def test_a_pickled_default_engine_decides_like_the_original(self, backend: str) -> None:
        """Params and backend survive pickling; so do the decisions."""
        engine = Engine.default(params={"change_window": "5m"}, backend=backend)
        copied = pickle.loads(pickle.dumps(engine))
        assert (copied.params, copied.backend) == (engine.params, engine.backend)
        assert copied.assess(seed(), at=SEED_AT) == engine.assess(seed(), at=SEED_AT)

    def test_an_engine_from_files_pickles_without_needing_the_files(self, tmp_path: Path) -> None:
        """The rules texts travel with the engine: a worker never reads the directory."""
        rules = tmp_path / "rules"
        shutil.copytree(ROOT / "rules", rules)
        engine = Engine.from_path(rules, params={"significant_fraction": 0.05})
        data = pickle.dumps(engine)
        shutil.rmtree(rules)
        copied = pickle.loads(data)
        assert copied.assess(seed(), at=SEED_AT) == engine.assess(seed(), at=SEED_AT)
        assert copied.rulesets == engine.rulesets

    def test_an_engine_built_from_rulesets_pickles(self) -> None:
        """An engine made with the constructor pickles as its rulesets and param specs."""
        loaded = load_rules()
        rulesets, specs = loaded.rulesets, loaded.params
        engine = Engine(rulesets, specs, backend="native")
        copied = pickle.loads(pickle.dumps(engine))
        assert copied.assess(seed(), at=SEED_AT) == engine.assess(seed(), at=SEED_AT)


class TestDataFrame:
    def test_a_dataframe_takes_the_records_as_they_are(self) -> None:
        """One row per document, one flat column per key."""
        pandas = pytest.importorskip("pandas")
        rows = list(Engine.default().assess_many(_bad_and_good(), at=SEED_AT, errors="record"))
        frame = pandas.DataFrame(rows)
        assert frame.shape == (5, len(rows[0]))
        assert frame.loc[0, "severity"] == "SEV1"


class _Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class TestProgressBar:
    def test_no_bar_is_drawn_in_ci(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """With ``CI`` set there is no callback, even on a terminal."""
        monkeypatch.setenv("CI", "true")
        with terminal_progress(_Terminal()) as progress:
            assert progress is None

    def test_no_bar_is_drawn_when_piped(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A stream that is not a terminal gets no callback."""
        monkeypatch.delenv("CI", raising=False)
        with terminal_progress(io.StringIO()) as progress:
            assert progress is None

    def test_a_terminal_bar_counts_the_documents(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """On a terminal, outside CI, the bar ends at the number of documents done."""
        monkeypatch.delenv("CI", raising=False)
        monkeypatch.setattr("incident_rules._replay.progress.DELAY_S", 0)
        stream = _Terminal()
        with terminal_progress(stream) as progress:
            assert progress is not None
            list(Engine.default().assess_many([seed()] * 3, at=SEED_AT, progress=progress))
        assert "3/3" in stream.getvalue()
