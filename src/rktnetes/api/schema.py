"""Every served kind's fields, derived once per process from the official ``kubernetes`` client's models.

The client's generated models carry each field's JSON name, type, description and whether it is required;
``wirefacts`` adds what they lack (int32 vs int64, bytes, Quantity, IntOrString, Time, RawExtension, the Go
package of each type) and ``mergekeys`` the strategic-merge facts. Everything else (OpenAPI, protobuf
decoding, patching, field validation) reads ``model(name)``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import kubernetes.client.models as _models

from rktnetes.api import mergekeys, wirefacts

_SCALARS = {"str": "string", "int": "integer", "bool": "boolean", "float": "number", "datetime": "time",
            "bytes": "bytes", "object": "any"}
_WIRE_KINDS = {"quantity": "quantity", "intstr": "intstr", "raw": "any", "bytes": "bytes", "duration": "string",
               "microtime": "time"}


@dataclass(frozen=True)
class Field:
    """One field of a model: ``kind`` is a scalar, ``ref``, ``array`` or ``map`` (then ``item`` is the element)."""

    name: str
    kind: str
    item: str = ""
    ref: str = ""
    format: str = ""
    description: str = ""
    required: bool = False
    strategy: str = ""
    merge_key: str = ""


@dataclass(frozen=True)
class Model:
    name: str
    openapi_name: str
    description: str
    fields: dict[str, Field] = field(default_factory=dict)


@functools.cache
def exists(name: str) -> bool:
    return hasattr(_models, name) and hasattr(getattr(_models, name), "openapi_types")


@functools.cache
def model(name: str) -> Model:
    """The model of a kubernetes client class (``"V1Pod"``), with every field by JSON name."""
    cls = getattr(_models, name)
    wire = wirefacts.facts().get(name, {}).get("fields", {})
    flat = _flatten(wire)
    fields = {}
    for attr, json_name in cls.attribute_map.items():
        fields[json_name] = _field(name, cls, attr, json_name, flat.get(json_name))
    openapi = wirefacts.openapi_name(name) or f"io.k8s.rktnetes.{name}"
    return Model(name, openapi, _doc(cls.__doc__ or ""), fields)


def reachable(roots: list[str]) -> list[str]:
    """Every model reachable from ``roots`` through fields, roots first."""
    seen: dict[str, None] = {}
    todo = list(roots)
    while todo:
        name = todo.pop(0)
        if name not in seen:
            seen[name] = None
            todo += [f.ref for f in model(name).fields.values() if f.ref]
    return list(seen)


def _flatten(wire: dict[str, list]) -> dict[str, list]:
    out = {}
    for json_name, entry in wire.items():
        out.update(_flatten(entry[2]) if entry[1] == "inline" else {json_name: entry})
    return out


def _field(owner: str, cls: type, attr: str, json_name: str, wire: list | None) -> Field:
    kind, item, ref = _shape(cls.openapi_types[attr])
    info = _infos(cls)[json_name]
    wkind = wire[1] if wire else ""
    if kind == "any" and "int" in str(info.annotation) and "str" in str(info.annotation):
        kind = "intstr"
    if kind in ("array", "map"):
        item = _refine(item, wkind.removeprefix("map:"))
    else:
        kind = _refine(kind, wkind)
    strategy, key = mergekeys.patch_meta(owner, json_name)
    return Field(json_name, kind, item, ref, _format(wkind), _doc(info.description or ""), info.is_required(),
                 strategy, key)


@functools.cache
def _infos(cls: type) -> dict:
    return {info.serialization_alias or attr: info for attr, info in cls.model_fields.items()}


def _shape(typ: str) -> tuple[str, str, str]:
    """``'List[V1Container]'`` → ``("array", "ref", "V1Container")``."""
    m = re.fullmatch(r"(List|Dict)\[(?:str, )?(.+)\]", typ)
    if m:
        inner, _, ref = _shape(m.group(2))
        return ("array" if m.group(1) == "List" else "map"), inner, ref
    if typ in _SCALARS:
        return _SCALARS[typ], "", ""
    return "ref", "", typ


def _refine(kind: str, wkind: str) -> str:
    if kind in ("string", "any", "bytes") and wkind in _WIRE_KINDS:
        return _WIRE_KINDS[wkind]
    return kind


def _format(wkind: str) -> str:
    wkind = wkind.removeprefix("map:")
    return {"int32": "int32", "int64": "int64", "double": "double", "bytes": "byte"}.get(wkind, "")


def _doc(text: str) -> str:
    return re.split(r"\n\s*Attributes:", text)[0].strip()
