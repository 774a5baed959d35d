"""The fact view: an incident and its features as the flat ``path -> value`` facts rules read."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from incident_rules._facts.model import Incident
from incident_rules._facts.schema import FieldType, incident_paths
from incident_rules._features import Feature

__all__ = ["fact_view"]


def _reader(path: str, field: FieldType) -> Callable[[Incident, dict[str, Any]], None]:
    get = operator.attrgetter(path)
    keys = [(f"{path}:{choice}", choice) for choice in field.choices]

    def read(incident: Incident, out: dict[str, Any]) -> None:
        try:
            value = get(incident)
        except AttributeError:  # an optional record (rollback, postmortem) is absent
            return
        if value is None:
            return
        if field.kind == "set":
            out.update({key: choice in value for key, choice in keys})
        else:
            out[path] = value

    return read


_READERS = [_reader(path, field) for path, field in incident_paths().items()]


def fact_view(incident: Incident, features: Mapping[str, Feature]) -> dict[str, Any]:
    """The flat facts rules read: ``path -> value``, absent where the record has no value.

    A set path ``p`` becomes one boolean per choice, under ``p:choice``.
    """
    view: dict[str, Any] = {}
    for read in _READERS:
        read(incident, view)
    for name, feature in features.items():
        if feature.value is not None:
            view[f"features.{name}"] = feature.value
    return view
