"""The fast structuring path accepts exactly what the strict converter accepts, and builds the same."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from incident_rules import Incident, InvalidIncident
from incident_rules._facts.convert import structure
from incident_rules._facts.fast import fast_path_only, structure_fast
from incident_rules._facts.jsontext import loads
from incident_rules._facts.model import Observation
from strategies import incident_documents

SEED = Path(__file__).resolve().parent.parent / "examples" / "inc-2025-0142.json"

#: Any JSON value, and a few Python values a dict built by hand may hold.
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
) | st.sampled_from(["2025-06-15T14:23:00", "2025-06-15T14:23:00Z", "widespread", "deploy", 0.5, 1.5, -0.0])


def _containers(document: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every dict and list inside ``document``, the document itself first."""
    found = [path]
    children = (
        document.items()
        if isinstance(document, dict)
        else enumerate(document)
        if isinstance(document, list)
        else ()
    )
    for key, child in children:
        if isinstance(child, (dict, list)):
            found += _containers(child, (*path, key))
    return found


def _nudged(value: Any) -> Any:
    """A near miss of ``value``: a number pushed out of 0..1, a time without its offset, an enum typo."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value + 1.25 if value >= 0 else -value
    if isinstance(value, str):
        return value[:19] if value[:4].isdigit() and len(value) > 19 else value + "x"
    return None


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


@st.composite
def _damaged(draw: st.DrawFn) -> dict[str, Any]:
    """A valid document with one change: a value nudged or replaced, a key dropped or added."""
    document = copy.deepcopy(draw(incident_documents()))
    container = _at(document, draw(st.sampled_from(_containers(document))))
    keys = list(container) if isinstance(container, dict) else list(range(len(container)))
    assume(keys or isinstance(container, dict))
    action = draw(st.sampled_from(["nudge", "replace", "drop", "add"] if keys else ["add"]))
    if action == "add":
        if isinstance(container, dict):
            container[draw(st.text(min_size=1, max_size=12))] = draw(_values)
        else:
            container.append(draw(_values))
    elif action == "nudge":
        key = draw(st.sampled_from(keys))
        container[key] = _nudged(container[key])
    elif action == "drop":
        del container[draw(st.sampled_from(keys))]
    else:
        container[draw(st.sampled_from(keys))] = draw(_values)
    return document


def _strict(document: Any) -> Incident | None:
    try:
        return Incident.from_dict(document)
    except InvalidIncident:
        return None


class TestFastPath:
    @given(incident_documents())
    def test_a_valid_document_is_built_by_the_fast_path_equal_to_the_strict_one(
        self, document: dict[str, Any]
    ) -> None:
        """Every valid generated document passes the fast path and equals what the strict path builds."""
        assert fast_path_only(document, Incident) == Incident.from_dict(document)

    @given(_damaged())
    def test_a_damaged_document_is_accepted_by_both_paths_or_neither(self, document: dict[str, Any]) -> None:
        """One value changed, dropped or added: both paths agree on acceptance and on the result."""
        assert fast_path_only(document, Incident) == _strict(document)

    @given(_damaged())
    def test_a_document_read_from_json_text_is_built_as_from_json_loads(
        self, document: dict[str, Any]
    ) -> None:
        """Read by the adopted decoder, the text of a document gives the incident (or refusal) of
        json.loads and the strict path."""
        text = json.dumps(document)
        assert fast_path_only(loads(text), Incident) == _strict(json.loads(text))

    def test_the_seed_example_is_built_by_the_fast_path(self) -> None:
        """The complete seed record (timeline, updates, postmortem) needs no fallback."""
        document = json.loads(SEED.read_text(encoding="utf-8"))
        assert fast_path_only(document, Incident) == Incident.from_dict(document)

    def test_the_fast_path_does_not_modify_the_document(self) -> None:
        """The caller's document is the same after structuring."""
        document = json.loads(SEED.read_text(encoding="utf-8"))
        before = copy.deepcopy(document)
        structure_fast(document, Incident)
        assert document == before


class TestFallback:
    def test_an_invalid_document_gets_the_strict_error_report(self) -> None:
        """Every problem is reported, with its path, as the strict converter reports it."""
        document = json.loads(SEED.read_text(encoding="utf-8"))
        document["impact"]["scope"] = "global"
        document["timeline"][0]["at"] = "2025-06-15T14:23:00"
        with pytest.raises(InvalidIncident) as raised:
            structure_fast(document, Incident)
        with pytest.raises(InvalidIncident) as strict:
            Incident.from_dict(document)
        assert raised.value.problems == strict.value.problems
        assert len(raised.value.problems) == 2

    def test_a_hand_built_incident_is_checked_after_the_fast_path_gave_up(self) -> None:
        """The fast path's "values checked" mark is gone once it returns, even after a failed check."""
        document = json.loads(SEED.read_text(encoding="utf-8"))
        document["impact"]["scope"] = "global"
        assert fast_path_only(document, Incident) is None
        incident = Incident.from_dict(json.loads(SEED.read_text(encoding="utf-8")))
        with pytest.raises(InvalidIncident):
            attrs.evolve(incident, id=42)

    def test_a_bool_never_passes_for_a_number(self) -> None:
        """JSON true as an affected fraction is rejected by the fast path too."""
        document = json.loads(SEED.read_text(encoding="utf-8"))
        document["impact"]["affected_fraction"] = True
        assert fast_path_only(document, Incident) is None


#: Times near the common shape: each part in or just out of range, every offset spelling.
_time_texts = st.builds(
    "{:04d}-{:02d}-{:02d}{}{:02d}:{:02d}:{:02d}{}{}".format,
    st.integers(1, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.sampled_from(["T", "t", " "]),
    st.integers(0, 25),
    st.integers(0, 61),
    st.integers(0, 61),
    st.sampled_from(["", ".5", ".123", ".1234", ".123456", ".1234567", ",123"]),
    st.sampled_from(["Z", "z", "", "+00:00", "-00:00", "+05:30", "-23:59", "+24:00", "+05:60", "+0530"]),
)
#: The shape most times are written in, with one character replaced by any other.
_one_char_off = st.builds(
    lambda at, character: "2025-06-15T14:23:00Z"[:at] + character + "2025-06-15T14:23:00Z"[at + 1 :],
    st.integers(0, 19),
    st.characters(codec=None, categories=None),
)


def _observed_at(text: str, *, fast: bool) -> Any:
    """The time an observation at ``text`` holds, by one path, or "refused"."""
    document = {"at": text, "affected_fraction": 0.5}
    if fast:
        observation = fast_path_only(document, Observation)
        return "refused" if observation is None else observation.at
    try:
        return structure(document, Observation).at
    except InvalidIncident:
        return "refused"


class TestTimes:
    @given(_time_texts | _one_char_off)
    @example("2025-06-15T24:00:00Z")  # newer Pythons' fromisoformat reads it as the next midnight
    def test_the_fast_path_reads_every_time_text_as_the_strict_parser(self, text: str) -> None:
        """Accepted or refused alike, and an accepted time equal with the same offset."""
        quick, strict = _observed_at(text, fast=True), _observed_at(text, fast=False)
        assert quick == strict
        assume(strict != "refused")
        assert quick.utcoffset() == strict.utcoffset()

    def test_a_day_that_does_not_exist_is_refused_by_the_fast_path(self) -> None:
        """February 30th has the common shape but is no time: the fast path gives up on it."""
        assert _observed_at("2025-02-30T10:00:00Z", fast=True) == "refused"
