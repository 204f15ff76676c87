"""Kinds served in two groups over one storage: events.k8s.io/v1 Event is a view of core/v1 Event.

As in Kubernetes, both read and write the same stored objects (``kubectl get events`` sees what a recorder
wrote through events.k8s.io and the other way round); the fields are renamed on the way in and out.
"""

from __future__ import annotations

from typing import Any

from rktnetes.api.resources import Resource, by_kind

Obj = dict[str, Any]
# events.k8s.io/v1 name -> core/v1 name; the other fields are the same in both
_EVENT_FIELDS = {"regarding": "involvedObject", "note": "message", "reportingController": "reportingComponent",
                 "deprecatedSource": "source", "deprecatedFirstTimestamp": "firstTimestamp",
                 "deprecatedLastTimestamp": "lastTimestamp", "deprecatedCount": "count"}
_TO_EVENTS = {core: new for new, core in _EVENT_FIELDS.items()}


def storage_of(resource: Resource) -> Resource:
    """The resource whose keys hold ``resource``'s objects (itself, except for views)."""
    if resource.group == "events.k8s.io" and resource.kind == "Event":
        return by_kind("", "Event") or resource
    return resource


def is_view(resource: Resource) -> bool:
    return storage_of(resource) is not resource


def _renamed(obj: Obj, names: dict[str, str], api_version: str) -> Obj:
    out = {names.get(k, k): v for k, v in obj.items()}
    out["apiVersion"] = api_version
    return out


def to_storage(obj: Obj, resource: Resource) -> Obj:
    """A ``resource`` object in the stored kind's shape."""
    return _renamed(obj, _EVENT_FIELDS, "v1") if is_view(resource) else obj


def from_storage(obj: Obj, resource: Resource) -> Obj:
    """A stored object as ``resource`` shows it."""
    return _renamed(obj, _TO_EVENTS, resource.group_version) if is_view(resource) else obj
