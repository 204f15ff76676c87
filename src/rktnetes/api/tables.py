"""Server-side printing: meta.k8s.io/v1 Table answers for ``kubectl get``, with kube-apiserver's columns.

Column sets live in ``api.columns_core`` and ``api.columns_apps``; this module builds the Table and rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rktnetes.api.resources import Resource

Obj = dict[str, Any]
NONE = "<none>"


def spec_of(obj: Obj) -> Obj:
    """An object's spec, {} when absent (column helpers read it without checking)."""
    return obj.get("spec") or {}


def status_of(obj: Obj) -> Obj:
    """An object's status, {} when absent."""
    return obj.get("status") or {}


@dataclass(frozen=True)
class Column:
    name: str
    cell: Callable[[Obj], Any]
    priority: int = 0
    type: str = "string"
    description: str = ""

    def definition(self) -> Obj:
        fmt = "name" if self.name == "Name" else ""
        return {"name": self.name, "type": self.type, "format": fmt, "description": self.description,
                "priority": self.priority}


def parse_time(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def human_duration(seconds: float) -> str:
    """Kubernetes' ``duration.HumanDuration``."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 120:
        return f"{max(s, 0)}s"
    minutes, hours = s // 60, s // 3600
    if minutes < 10:
        return f"{minutes}m" if s % 60 == 0 else f"{minutes}m{s % 60}s"
    if minutes < 180:
        return f"{minutes}m"
    if hours < 8:
        return f"{hours}h" if minutes % 60 == 0 else f"{hours}h{minutes % 60}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d" if hours % 24 == 0 else f"{hours // 24}d{hours % 24}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    years, days = hours // 24 // 365, hours // 24 % 365
    if hours < 24 * 365 * 8:
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{years}y"


def since(stamp: str | None) -> str:
    """How long ago ``stamp`` was, or ``<unknown>``."""
    when = parse_time(stamp)
    if when is None:
        return "<unknown>"
    return human_duration((datetime.now(UTC) - when).total_seconds())


def age(obj: Obj) -> str:
    return since(obj.get("metadata", {}).get("creationTimestamp"))


def name(obj: Obj) -> str:
    return obj.get("metadata", {}).get("name", "")


NAME = Column("Name", name, description="Name must be unique within a namespace.")
AGE = Column("Age", age, description="CreationTimestamp is a timestamp representing the server time when this "
             "object was created.")
DEFAULT_COLUMNS = (NAME, AGE)


def columns_for(resource: Resource) -> tuple[Column, ...]:
    from rktnetes.api import columns_apps, columns_core, columns_pods, columns_volumes

    key = (resource.group, resource.kind)
    for module in (columns_pods, columns_core, columns_apps, columns_volumes):
        if key in module.COLUMNS:
            return module.COLUMNS[key]
    return DEFAULT_COLUMNS


def partial_metadata(obj: Obj) -> Obj:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata", {})}


def _row(obj: Obj, columns: tuple[Column, ...], include: str) -> Obj:
    row: Obj = {"cells": [c.cell(obj) for c in columns]}
    if include == "Object":
        row["object"] = obj
    elif include != "None":
        row["object"] = partial_metadata(obj)
    return row


def table(resource: Resource, items: list[Obj], list_meta: Obj, *, include: str = "Metadata",
          headers: bool = True) -> Obj:
    """A meta.k8s.io/v1 Table of ``items``; ``include`` is the ``includeObject`` query parameter."""
    columns = columns_for(resource)
    body: Obj = {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": list_meta}
    body["columnDefinitions"] = [c.definition() for c in columns] if headers else None
    body["rows"] = [_row(obj, columns, include) for obj in items]
    return body
