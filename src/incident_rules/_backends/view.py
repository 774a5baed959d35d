"""The fact view: an incident and its features as the flat ``path -> value`` facts rules read.

The view reads the same fields of every incident, so it is generated once, as one function that
reads each path in turn (a record that may be absent, such as ``rollback``, is read once and
skipped when it is): no per-path call, no attribute lookup by name at run time. Its source is in
:mod:`linecache` like the compiled conditions'.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

from incident_rules._backends.codegen import Source
from incident_rules._facts.model import Incident
from incident_rules._facts.schema import FieldType, incident_paths
from incident_rules._features import Feature, feature_paths

__all__ = ["fact_view"]


def _read(source: Source, path: str, field: FieldType, holder: str) -> list[str]:
    """Lines adding the facts of ``path`` to ``v``, its last attribute read from ``holder``."""
    attribute = path.rpartition(".")[2]
    if field.kind == "set":
        body = [
            f"v[{source.constant(f'{path}:{choice}')}] = {source.constant(choice)} in x"
            for choice in field.choices
        ]
    else:
        body = [f"v[{source.constant(path)}] = x"]
    return [f"x = {holder}.{attribute}", "if x is not None:", *(f"    {line}" for line in body)]


def _incident_lines(source: Source) -> list[str]:
    lines = []
    by_record = itertools.groupby(incident_paths().items(), key=lambda item: item[0].rpartition(".")[0])
    for record, group in by_record:
        if not record:  # a field of the incident itself
            lines += [line for path, field in group for line in _read(source, path, field, "i")]
            continue
        assert "." not in record, record  # the document nests its records one level deep
        inner = [line for path, field in group for line in _read(source, path, field, "r")]
        lines += [f"r = i.{record}", "if r is not None:", *(f"    {line}" for line in inner)]
    return lines


def _feature_lines(source: Source) -> list[str]:
    lines = []
    for path in feature_paths():
        name = path.removeprefix("features.")
        lines += [
            f"x = features[{source.constant(name)}].value",
            f"if x is not None: v[{source.constant(path)}] = x",
        ]
    return lines


def _generated() -> Callable[[Incident, Mapping[str, Feature]], dict[str, Any]]:
    source = Source()
    body = ["v = {}", *_incident_lines(source), *_feature_lines(source), "return v"]
    name = source.function(body, parameters="i, features")
    view: Callable[[Incident, Mapping[str, Feature]], dict[str, Any]] = source.compile("fact view")[name]
    return view


_VIEW = _generated()


def fact_view(incident: Incident, features: Mapping[str, Feature]) -> dict[str, Any]:
    """The flat facts rules read: ``path -> value``, absent where the record has no value.

    A set path ``p`` becomes one boolean per choice, under ``p:choice``.
    """
    return _VIEW(incident, features)
