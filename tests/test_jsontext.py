"""JSON text is read as ``json.loads`` reads it, with or without the C decoder of the fast extra."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from incident_rules import InvalidIncident
from incident_rules._facts import jsontext
from incident_rules._facts.fast import incident_from_document
from incident_rules._replay.sources import Item
from strategies import incident_documents

#: Scalars at JSON's edges: NaN and the infinities (which json.loads reads), floats near the
#: limits, integers past 64 bits, and texts with lone surrogates, escapes and odd line breaks.
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63 - 2, max_value=2**64 + 2)
    | st.integers(min_value=10**300, max_value=10**330)
    | st.floats()
    | st.text(st.characters(codec=None, categories=None), max_size=6)
    | st.sampled_from(["\ud800", "\udfff", "\ud83d\ude00", "\u2028", "\x85", "\\", '"', "\x00"])
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)

#: What a damaged text may have inserted: broken syntax, words JSON has not, escapes and characters
#: that JSON refuses or json.loads reads in its own way.
_fragments = st.sampled_from(
    [
        ",",
        "]",
        "}",
        "[",
        "{",
        '"',
        ":",
        "\\",
        "-",
        "0",
        "01",
        "1e999",
        "-1e999",
        "1.5e-400",
        "NaN",
        "Infinity",
        "-Infinity",
        "nan",
        "True",
        "\\ud800",
        "\\udc00",
        "\\ud83d\\ude00",
        "\\uD800",
        "\\x41",
        "\\u12",
        "\x0c",
        "\x0b",
        "\ufeff",
        "\ud800",
        "\x00",
        " ",
        "\n",
        "\t",
        "9" * 5000,
        "18446744073709551616",
        '"a": 1, "a": 2',
        "/*",
        "'",
    ]
)


@st.composite
def _damaged(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> str:
    """A JSON text with a piece cut out, a fragment put in, or both."""
    text = draw(texts)
    start = draw(st.integers(0, len(text)))
    stop = draw(st.integers(start, min(len(text), start + 3)))
    return text[:start] + draw(st.just("") | _fragments) + text[stop:]


def _dumped(value: Any, ensure_ascii: bool) -> str:
    # allow_nan (the default) writes NaN and Infinity, which json.loads reads back.
    return json.dumps(value, ensure_ascii=ensure_ascii)


_documents = st.builds(_dumped, incident_documents(), st.booleans())
_texts = st.builds(_dumped, _values, st.booleans())
#: Nested texts, shallow or past the recursion limit on 3.10-3.12 (1,000 or 1,500) and under it
#: on 3.13 (10,000); near the limit msgspec stops a few levels later (see jsontext), which
#: test_a_text_nested_at_the_recursion_limit_is_refused_either_way covers.
_nested = st.builds(
    lambda depth, open_, close: open_ * depth + close * depth,
    st.integers(1, 400) | st.integers(1700, 3000),
    st.sampled_from(["[", '{"a":']),
    st.sampled_from(["]", "1}"]),
)
_any_texts = _documents | _texts | _damaged(_documents) | _damaged(_texts) | _nested | st.text(max_size=12)


def _outcome(read: Callable[[str], Any], text: str) -> tuple[str, str]:
    """What ``read`` makes of ``text``: its value written exactly (NaN, -0.0, 1 and 1.0 apart), or
    its error."""
    try:
        value = read(text)
    except (ValueError, RecursionError) as error:
        return ("error", f"{type(error).__name__}: {error}")
    return ("value", repr(value))


def _c_decoder() -> Callable[[str], Any]:
    decode = jsontext.c_decoder()
    if decode is None:
        pytest.skip("the fast extra (msgspec) is not installed")
    return decode


class TestWithTheCDecoder:
    @given(_any_texts)
    def test_a_text_reads_as_json_loads_reads_it(self, text: str) -> None:
        """Accepted or refused alike, the same value, or the same error in the same words."""
        _c_decoder()
        assert _outcome(jsontext.loads, text) == _outcome(json.loads, text)

    @given(_any_texts)
    def test_what_the_c_decoder_accepts_json_loads_reads_to_the_same_value(self, text: str) -> None:
        """The C decoder alone never returns a value json.loads would not (else loads would)."""
        decode = _c_decoder()
        try:
            value = decode(text)
        except Exception:  # noqa: BLE001 -- a refusal is always safe: json.loads reads it again
            assume(False)
        assert ("value", repr(value)) == _outcome(json.loads, text)

    def test_the_c_decoder_reads_a_valid_document(self) -> None:
        """A valid document is read by the C decoder itself, not by the fallback."""
        text = json.dumps({"id": "INC-1", "impact": {"scope": "minor", "affected_fraction": 0.25}})
        assert _c_decoder()(text) == json.loads(text)

    def test_an_integer_past_the_digit_limit_is_refused_as_json_loads_refuses_it(self) -> None:
        """sys.set_int_max_str_digits holds for both: the error is json.loads' own."""
        _c_decoder()
        limit = sys.get_int_max_str_digits()
        try:
            sys.set_int_max_str_digits(640)
            assert _outcome(jsontext.loads, "7" * 641) == _outcome(json.loads, "7" * 641)
            assert _outcome(jsontext.loads, "7" * 641)[0] == "error"
        finally:
            sys.set_int_max_str_digits(limit)

    def test_a_text_nested_at_the_recursion_limit_is_refused_either_way(self) -> None:
        """Where json.loads first runs out of recursion, msgspec may read a few levels more; the
        document is invalid all the same."""
        _c_decoder()
        refused = _least_refused_depth()
        for depth in range(refused - 2, refused + 6):
            with pytest.raises(InvalidIncident):
                incident_from_document(Item("#0", text=_deep(depth)).load())


def _deep(depth: int) -> str:
    return '{"impact":' * depth + "1" + "}" * depth


def _least_refused_depth() -> int:
    """The least nesting ``json.loads`` refuses (RecursionError) here, by bisection."""
    low, high = 1, 100_000  # json.loads reads depth ``low``, refuses depth ``high``
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if _json_loads_reads(_deep(middle)) else (low, middle)
    return high


def _json_loads_reads(text: str) -> bool:
    try:
        json.loads(text)
    except RecursionError:
        return False
    return True


class TestWithoutTheCDecoder:
    def test_without_msgspec_there_is_no_c_decoder(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Where msgspec cannot be imported, the C decoder is None and nothing fails."""
        monkeypatch.setitem(sys.modules, "msgspec", None)  # import msgspec raises ImportError
        jsontext.c_decoder.cache_clear()
        try:
            assert jsontext.c_decoder() is None
        finally:
            jsontext.c_decoder.cache_clear()

    @settings(max_examples=50)  # the fallback is json.loads itself: only its wiring is checked
    @given(_any_texts)
    def test_a_text_reads_as_json_loads_reads_it(self, text: str) -> None:
        """Without the C decoder, loads is json.loads: value and error alike."""
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(jsontext, "c_decoder", lambda: None)
            assert _outcome(jsontext.loads, text) == _outcome(json.loads, text)


class TestItems:
    @pytest.mark.parametrize("decoder", ["c", "json.loads"])
    def test_a_bad_line_is_invalid_with_json_loads_words(
        self, decoder: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A line that is not JSON: the error names json.loads' reason and position, either way."""
        if decoder == "json.loads":
            monkeypatch.setattr(jsontext, "c_decoder", lambda: None)
        else:
            _c_decoder()
        text = '{"id": "INC-1",}'
        with pytest.raises(json.JSONDecodeError) as reason:  # its words differ from Python to Python
            json.loads(text)
        with pytest.raises(InvalidIncident) as raised:
            Item("incidents.jsonl:3", text=text).load()
        assert raised.value.problems == (f"not valid JSON: {reason.value}",)
