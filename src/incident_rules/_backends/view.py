"""The fact view: an incident and its features as the flat ``path -> value`` facts rules read.

The view reads the same fields of every incident, so it is generated once, as one function that
reads each path in turn (a record that may be absent, such as ``rollback``, is read once and
skipped when it is): no per-path call, no attribute lookup by name at run time. Its source is in
:mod:`linecache` like the compiled conditions'.

The features and the view are also generated together, once (:func:`features_and_facts`): each
feature function is called with the engine's params, its results are unpacked into locals, and
the view reads the features from those locals. The params are an argument, bound per engine,
never compiled in: params equal but written apart (``30`` and ``30.0``) must stay apart.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from incident_rules._backends.codegen import Source
from incident_rules._facts.model import Incident
from incident_rules._facts.schema import FieldType, incident_paths
from incident_rules._features import FEATURE_PARAMS, Feature, feature_derivers, feature_paths

__all__ = ["FeaturesAndFacts", "fact_view", "features_and_facts"]

#: The features of an incident at an instant, and the facts rules read (features included).
FeaturesAndFacts = Callable[[Incident, datetime], tuple[dict[str, Feature], dict[str, Any]]]


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


def _feature_fact(source: Source, name: str, value: str) -> str:
    """The line adding feature ``name`` to ``v`` from the local ``value``, where it has a value."""
    return f"if {value} is not None: v[{source.constant(f'features.{name}')}] = {value}"


def _feature_lines(source: Source) -> list[str]:
    lines = []
    for path in feature_paths():
        name = path.removeprefix("features.")
        lines += [f"x = features[{source.constant(name)}].value", _feature_fact(source, name, "x")]
    return lines


#: Compiled on first use: assessments read their facts from features_and_facts, not from this.
@functools.cache
def _view() -> Callable[[Incident, Mapping[str, Feature]], dict[str, Any]]:
    source = Source()
    body = ["v = {}", *_incident_lines(source), *_feature_lines(source), "return v"]
    name = source.function(body, parameters="i, features")
    view: Callable[[Incident, Mapping[str, Feature]], dict[str, Any]] = source.compile("fact view")[name]
    return view


def fact_view(incident: Incident, features: Mapping[str, Feature]) -> dict[str, Any]:
    """The flat facts rules read: ``path -> value``, absent where the record has no value.

    A set path ``p`` becomes one boolean per choice, under ``p:choice``.
    """
    return _view()(incident, features)


def _derived_lines(source: Source) -> tuple[list[str], list[str], list[str]]:
    """Lines calling each feature function into locals, the features dict's items, the view's lines."""
    calls, items, reads = [], [], []
    feature = source.constant(Feature)
    for number, (names, derive) in enumerate(feature_derivers()):
        pairs = [(f"x{number}_{position}", f"e{number}_{position}") for position in range(len(names))]
        targets = "".join(f"({value}, {evidence}), " for value, evidence in pairs)
        calls.append(f"{targets}= {source.constant(derive)}(i, at, p)")
        for name, (value, evidence) in zip(names, pairs, strict=True):
            key = source.constant(name)
            items.append(f"{key}: {feature}({key}, {value}, {evidence}),")
            reads.append(_feature_fact(source, name, value))
    return calls, items, reads


def features_and_facts(params: Mapping[str, Any]) -> FeaturesAndFacts:
    """The function giving the features of an incident at ``at`` under ``params``, and its facts.

    It gives what :func:`~incident_rules._features.compute_features` and :func:`fact_view` give.
    """
    return functools.partial(_compiled(), {name: params[name] for name in FEATURE_PARAMS})


#: One function for every engine (each binds its own params), so a dropped engine leaves no
#: compiled code behind.
@functools.cache
def _compiled() -> Callable[..., tuple[dict[str, Feature], dict[str, Any]]]:
    source = Source()
    calls, items, reads = _derived_lines(source)
    body = [*calls, "features = {", *(f"    {item}" for item in items), "}", "v = {}"]
    body += [*_incident_lines(source), *reads, "return features, v"]
    name = source.function(body, parameters="p, i, at")
    compiled: Callable[..., tuple[dict[str, Feature], dict[str, Any]]] = source.compile(
        "features and fact view"
    )[name]
    return compiled
