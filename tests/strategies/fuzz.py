"""Hostile input: arbitrary JSON and YAML, damaged documents, rules files of any shape."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from strategies.documents import incident_documents

__all__ = [
    "any_json",
    "damaged_documents",
    "engine_json",
    "hostile_documents",
    "json_values",
    "rules_files",
    "yaml_values",
]

#: Small JSON values: no NaN (it is not JSON), short texts.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)

#: Any value a JSON parser may hand us, NaN and infinities included.
any_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)

#: What the JSON given to durable_rules may hold: text shaped like numbers, floats of every size.
engine_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.floats(-1e-4, 1e-4)  # Python writes these with an exponent
    | st.floats(min_value=1e16, allow_infinity=False)  # and these
    | st.text()
    | st.sampled_from(["1e-05", 'x": 1e-05', "\\", "e-1"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)

_INCIDENT_KEYS = [
    "id",
    "title",
    "detected_at",
    "impact",
    "status",
    "signals",
    "rollback",
    "timeline",
    "updates",
]

#: Anything as a document: any JSON value, or a mapping of the document's top-level keys to anything.
hostile_documents = any_json | st.dictionaries(st.sampled_from(_INCIDENT_KEYS), any_json, max_size=9)


@st.composite
def damaged_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid document with one value, somewhere inside it, replaced by arbitrary JSON."""
    document = draw(incident_documents())
    holder: Any = document
    while True:
        keys = list(holder) if isinstance(holder, dict) else list(range(len(holder)))
        if not keys:
            return document
        key = draw(st.sampled_from(keys))
        if isinstance(holder[key], (dict, list)) and holder[key] and draw(st.booleans()):
            holder = holder[key]
            continue
        holder[key] = draw(json_values)
        return document


#: YAML-safe values: anything but NaN, which does not survive a dump and load.
yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=15,
)

_condition_texts = st.text(max_size=40) | st.sampled_from(
    ["impact.scope ==", "impact.scope == 'x'", "a.b.c", "1 < 2", "not", "x in [", "'a' in impact.scope"]
)
_rule = st.fixed_dictionaries(
    {"id": st.text(max_size=8) | st.integers(), "when": _condition_texts | yaml_values, "then": yaml_values}
)

#: Rules files shaped roughly like ours, with anything in every place; or any YAML, or any text.
rules_files = (
    st.fixed_dictionaries(
        {
            "ruleset": st.text(max_size=8) | st.integers(),
            "hit": st.sampled_from(["first", "collect", "unique", "any"]),
        },
        optional={
            "values": st.lists(st.text(max_size=6), max_size=3),
            "uses": yaml_values,
            "rules": st.lists(_rule, max_size=3) | yaml_values,
            "params": yaml_values,
        },
    )
    | yaml_values
    | st.text(max_size=200)
)
