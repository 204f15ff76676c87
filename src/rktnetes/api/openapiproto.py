"""``/openapi/v2`` in the protobuf form kubectl asks for (``application/com.github.proto-openapi.spec.v2…``).

kubectl up to 1.28 reads only this form (explain, the fieldValidation check, client-side apply metadata) and
cannot fall back to JSON. The messages are the subset of gnostic's ``openapi.v2`` schema kubectl reads,
built as dynamic descriptors; the field numbers are facts of that wire format.
"""

from __future__ import annotations

import functools
from typing import Any

import yaml
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message

from rktnetes.api import openapi
from rktnetes.api.resources import Resource

PROTOBUF_TYPES = ("application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
                  "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
_S, _B, _M = "string", "bool", "message"
# message: [(field, number, kind, repeated, message type)]
_MESSAGES: dict[str, list[tuple[str, int, str, bool, str]]] = {
    "Document": [("swagger", 1, _S, False, ""), ("info", 2, _M, False, "Info"), ("paths", 8, _M, False, "Paths"),
                 ("definitions", 9, _M, False, "Definitions")],
    "Info": [("title", 1, _S, False, ""), ("version", 2, _S, False, "")],
    "Paths": [("path", 2, _M, True, "NamedPathItem")],
    "NamedPathItem": [("name", 1, _S, False, ""), ("value", 2, _M, False, "PathItem")],
    "PathItem": [("get", 2, _M, False, "Operation"), ("put", 3, _M, False, "Operation"),
                 ("post", 4, _M, False, "Operation"), ("delete", 5, _M, False, "Operation"),
                 ("patch", 8, _M, False, "Operation"), ("parameters", 9, _M, True, "ParametersItem")],
    "Operation": [("tags", 1, _S, True, ""), ("description", 3, _S, False, ""), ("operation_id", 5, _S, False, ""),
                  ("consumes", 7, _S, True, ""), ("parameters", 8, _M, True, "ParametersItem"),
                  ("vendor_extension", 13, _M, True, "NamedAny")],
    "ParametersItem": [("parameter", 1, _M, False, "Parameter")],
    "Parameter": [("body_parameter", 1, _M, False, "BodyParameter"),
                  ("non_body_parameter", 2, _M, False, "NonBodyParameter")],
    "BodyParameter": [("description", 1, _S, False, ""), ("name", 2, _S, False, ""), ("in", 3, _S, False, ""),
                      ("required", 4, _B, False, ""), ("schema", 5, _M, False, "Schema")],
    "NonBodyParameter": [("query_parameter_sub_schema", 3, _M, False, "QueryParameterSubSchema"),
                         ("path_parameter_sub_schema", 4, _M, False, "PathParameterSubSchema")],
    "QueryParameterSubSchema": [("required", 1, _B, False, ""), ("in", 2, _S, False, ""),
                                ("description", 3, _S, False, ""), ("name", 4, _S, False, ""),
                                ("type", 6, _S, False, ""), ("unique_items", 20, _B, False, "")],
    "PathParameterSubSchema": [("required", 1, _B, False, ""), ("in", 2, _S, False, ""),
                               ("description", 3, _S, False, ""), ("name", 4, _S, False, ""),
                               ("type", 5, _S, False, ""), ("unique_items", 19, _B, False, "")],
    "NamedAny": [("name", 1, _S, False, ""), ("value", 2, _M, False, "Any")],
    "Any": [("yaml", 2, _S, False, "")],
    "Definitions": [("additional_properties", 1, _M, True, "NamedSchema")],
    "NamedSchema": [("name", 1, _S, False, ""), ("value", 2, _M, False, "Schema")],
    "Schema": [("_ref", 1, _S, False, ""), ("format", 2, _S, False, ""), ("description", 4, _S, False, ""),
               ("required", 19, _S, True, ""), ("additional_properties", 21, _M, False, "AdditionalPropertiesItem"),
               ("type", 22, _M, False, "TypeItem"), ("items", 23, _M, False, "ItemsItem"),
               ("all_of", 24, _M, True, "Schema"), ("properties", 25, _M, False, "Properties"),
               ("vendor_extension", 31, _M, True, "NamedAny")],
    "TypeItem": [("value", 1, _S, True, "")],
    "ItemsItem": [("schema", 1, _M, True, "Schema")],
    "AdditionalPropertiesItem": [("schema", 1, _M, False, "Schema"), ("boolean", 2, _B, False, "")],
    "Properties": [("additional_properties", 1, _M, True, "NamedSchema")],
}


def v2_response(table: tuple[Resource, ...], accept: str) -> tuple[bytes, str]:
    """``(body, content type)`` of ``/openapi/v2`` for this Accept header: protobuf when asked, else JSON."""
    if any(t in accept for t in PROTOBUF_TYPES):
        return v2_protobuf(table), PROTOBUF_TYPES[1]  # the form with '@' is not a valid media type to answer
    import orjson

    return orjson.dumps(openapi.v2_document(table)), "application/json"


@functools.cache
def v2_protobuf(table: tuple[Resource, ...]) -> bytes:
    doc = openapi.v2_document(table)
    msg = message("Document")(swagger=doc["swagger"])
    msg.info.title, msg.info.version = doc["info"]["title"], doc["info"]["version"]
    for path, item in doc["paths"].items():
        _path_item(msg.paths.path.add(name=path).value, item)
    for name, spec in doc["definitions"].items():
        _schema(msg.definitions.additional_properties.add(name=name).value, spec)
    return msg.SerializeToString()


def _path_item(out: Message, item: dict[str, Any]) -> None:
    for verb in ("get", "put", "post", "delete", "patch"):
        if verb in item:
            _operation(getattr(out, verb), item[verb])
    for param in item.get("parameters", []):
        _parameter(out.parameters.add(), param)


def _operation(out: Message, op: dict[str, Any]) -> None:
    out.operation_id = op.get("operationId", "")
    out.tags.extend(op.get("tags", []))
    out.consumes.extend(op.get("consumes", []))
    for param in op.get("parameters", []):
        _parameter(out.parameters.add(), param)
    _extensions(out, op)


def _parameter(out: Message, param: dict[str, Any]) -> None:
    common = {"name": param["name"], "in": param["in"], "description": param.get("description", ""),
              "required": bool(param.get("required"))}
    if param["in"] == "body":
        body = out.parameter.body_parameter
        for key, value in common.items():
            setattr(body, key, value)
        _schema(body.schema, param["schema"])
        return
    nonbody = out.parameter.non_body_parameter
    sub = nonbody.path_parameter_sub_schema if param["in"] == "path" else nonbody.query_parameter_sub_schema
    for key, value in {**common, "type": param.get("type", "string"),
                       "unique_items": bool(param.get("uniqueItems"))}.items():
        setattr(sub, key, value)


def _schema(out: Message, spec: dict[str, Any]) -> None:
    out._ref = spec.get("$ref", "")
    out.format, out.description = spec.get("format", ""), spec.get("description", "")
    out.required.extend(spec.get("required", []))
    if "type" in spec:
        out.type.value.append(spec["type"])
    if "items" in spec:
        _schema(out.items.schema.add(), spec["items"])
    extra = spec.get("additionalProperties")
    if isinstance(extra, dict):
        _schema(out.additional_properties.schema, extra)
    elif isinstance(extra, bool):
        out.additional_properties.boolean = extra
    for sub in spec.get("allOf", []):
        _schema(out.all_of.add(), sub)
    for name, prop in spec.get("properties", {}).items():
        _schema(out.properties.additional_properties.add(name=name).value, prop)
    _extensions(out, spec)


def _extensions(out: Message, spec: dict[str, Any]) -> None:
    for key, value in spec.items():
        if key.startswith("x-"):
            out.vendor_extension.add(name=key).value.yaml = yaml.safe_dump(value, default_flow_style=False)


@functools.cache
def message(name: str) -> type[Message]:
    return message_factory.GetMessageClass(_pool().FindMessageTypeByName(f"openapi.v2.{name}"))


@functools.cache
def _pool() -> descriptor_pool.DescriptorPool:
    f = descriptor_pb2.FieldDescriptorProto
    kinds = {_S: f.TYPE_STRING, _B: f.TYPE_BOOL, _M: f.TYPE_MESSAGE}
    fdp = descriptor_pb2.FileDescriptorProto(name="openapiv2/rktnetes.proto", package="openapi.v2", syntax="proto3")
    for name, fields in _MESSAGES.items():
        msg = fdp.message_type.add(name=name)
        for fname, number, kind, repeated, type_name in fields:
            field = msg.field.add(name=fname, number=number, type=kinds[kind],
                                  label=f.LABEL_REPEATED if repeated else f.LABEL_OPTIONAL)
            if type_name:
                field.type_name = f".openapi.v2.{type_name}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return pool
