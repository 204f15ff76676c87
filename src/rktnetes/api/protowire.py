"""Dynamic protobuf descriptors of every served model, built from ``schema`` and ``wirefacts``' numbers.

One message per model, named after it; Go structs embedded inline get their own nested message (prefix
``INLINE``) whose fields ``protobuf.to_dict`` flattens back into the parent, as the JSON form does.
"""

from __future__ import annotations

import functools

from google.protobuf import descriptor_pb2, descriptor_pool

from rktnetes.api import resources, schema, wirefacts

PACKAGE = "rktnetes.wire"
INLINE = "Inline"
_F = descriptor_pb2.FieldDescriptorProto
_SCALARS = {"string": _F.TYPE_STRING, "bytes": _F.TYPE_BYTES, "int32": _F.TYPE_INT32, "int64": _F.TYPE_INT64,
            "bool": _F.TYPE_BOOL, "double": _F.TYPE_DOUBLE, "float": _F.TYPE_FLOAT}
_SPECIAL = {"time": "Time", "microtime": "MicroTime", "duration": "Duration", "quantity": "Quantity",
            "intstr": "IntOrString", "raw": "RawExtension"}
_HELPERS = {  # the apimachinery wrapper messages and the runtime.Unknown envelope
    "Time": [("seconds", 1, "int64"), ("nanos", 2, "int32")],
    "MicroTime": [("seconds", 1, "int64"), ("nanos", 2, "int32")],
    "Duration": [("duration", 1, "int64")],
    "Quantity": [("string", 1, "string")],
    "IntOrString": [("type", 1, "int64"), ("intVal", 2, "int32"), ("strVal", 3, "string")],
    "RawExtension": [("raw", 1, "bytes")],
    "TypeMeta": [("apiVersion", 1, "string"), ("kind", 2, "string")],
    "Unknown": [("typeMeta", 1, ".TypeMeta"), ("raw", 2, "bytes"), ("contentEncoding", 3, "string"),
                ("contentType", 4, "string")],
}
EXTRA_MODELS = ["V1Scale", "V1Eviction", "V1Binding", "V1DeleteOptions"]


@functools.cache
def pool() -> descriptor_pool.DescriptorPool:
    """A pool holding ``rktnetes.wire.<Model>`` for every model reachable from the resource table."""
    fdp = descriptor_pb2.FileDescriptorProto(name="rktnetes/wire.proto", package=PACKAGE, syntax="proto2")
    for name, fields in _HELPERS.items():
        msg = fdp.message_type.add(name=name)
        for fname, number, kind in fields:
            _scalar_or_ref(msg.field.add(name=fname, number=number, label=_F.LABEL_OPTIONAL), kind)
    roots = [r.model for r in resources.TABLE] + EXTRA_MODELS
    for name in schema.reachable(roots):
        if name in wirefacts.facts():
            _build(fdp.message_type.add(name=name), name, wirefacts.facts()[name]["fields"])
    result = descriptor_pool.DescriptorPool()
    result.Add(fdp)
    return result


def _build(msg: descriptor_pb2.DescriptorProto, model: str, wire: dict[str, list]) -> None:
    fields = schema.model(model).fields
    for json_name, entry in sorted(wire.items(), key=lambda kv: kv[1][0]):
        number, kind = entry[0], entry[1]
        if kind == "inline":
            nested = msg.nested_type.add(name=f"{INLINE}{json_name[0].upper()}{json_name[1:]}")
            _build(nested, model, entry[2])
            _scalar_or_ref(msg.field.add(name=json_name, number=number, label=_F.LABEL_OPTIONAL),
                           f".{PACKAGE}.{model}.{nested.name}", absolute=True)
        elif json_name in fields and _target(kind, fields[json_name]):
            _add(msg, json_name, number, kind, fields[json_name])


def _add(msg: descriptor_pb2.DescriptorProto, name: str, number: int, kind: str, f: schema.Field) -> None:
    repeated = f.kind == "array" and not kind.startswith("map:")
    field = msg.field.add(name=name, number=number, label=_F.LABEL_REPEATED if repeated else _F.LABEL_OPTIONAL)
    if kind.startswith("map:"):
        entry = msg.nested_type.add(name=f"{name[0].upper()}{name[1:]}Entry")
        entry.options.map_entry = True
        entry.field.add(name="key", number=1, label=_F.LABEL_OPTIONAL, type=_F.TYPE_STRING)
        _scalar_or_ref(entry.field.add(name="value", number=2, label=_F.LABEL_OPTIONAL),
                       _target(kind[4:], f))
        field.label = _F.LABEL_REPEATED
        _scalar_or_ref(field, f".{PACKAGE}.{msg.name}.{entry.name}", absolute=True)
    else:
        _scalar_or_ref(field, _target(kind, f))


def _target(kind: str, f: schema.Field) -> str:
    """The scalar kind or ``.Message`` a wire kind maps to; ``""`` when we have no model for it."""
    if kind in _SCALARS:
        return kind
    if kind in _SPECIAL:
        return "." + _SPECIAL[kind]
    if kind == "message" and f.ref and f.ref in wirefacts.facts():
        return "." + f.ref
    return "map" if kind.startswith("map:") and _target(kind[4:], f) else ""


def _scalar_or_ref(field: descriptor_pb2.FieldDescriptorProto, kind: str, absolute: bool = False) -> None:
    if kind in _SCALARS:
        field.type = _SCALARS[kind]
    else:
        field.type = _F.TYPE_MESSAGE
        field.type_name = kind if absolute else f".{PACKAGE}{kind}"
