"""JSON schemas of our models, named and shaped as kube-apiserver publishes them (OpenAPI v3 and v2)."""

from __future__ import annotations

from typing import Any

from rktnetes.api import mergekeys, schema

META = "io.k8s.apimachinery.pkg.apis.meta.v1"
TIME = f"{META}.Time"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
INTSTR = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
PATCH = f"{META}.Patch"
SPECIALS: dict[str, dict[str, Any]] = {
    TIME: {"type": "string", "format": "date-time",
           "description": "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON."},
    QUANTITY: {"type": "string", "description": "Quantity is a fixed-point representation of a number, "
               "serialized as its canonical string form, e.g. 100m, 1Gi, 2."},
    INTSTR: {"type": "string", "format": "int-or-string", "x-kubernetes-int-or-string": True,
             "description": "IntOrString is a type that can hold an int32 or a string."},
    PATCH: {"type": "object", "description": "Patch is provided to give a concrete name and type to the "
            "Kubernetes PATCH request body."},
}
_SCALAR = {"string": {"type": "string"}, "boolean": {"type": "boolean"}, "bytes": {"type": "string", "format": "byte"},
           "number": {"type": "number", "format": "double"}, "any": {"type": "object"}}
_NAMED = {"time": TIME, "quantity": QUANTITY, "intstr": INTSTR}


def ref(name: str, prefix: str) -> dict[str, Any]:
    return {"$ref": prefix + name}


def model_schema(name: str, prefix: str, gvk: dict[str, str] | None = None) -> dict[str, Any]:
    """The component schema of one model; ``gvk`` marks a top-level kind."""
    m = schema.model(name)
    out: dict[str, Any] = {"description": m.description, "type": "object",
                           "properties": {f.name: field_schema(name, f, prefix) for f in m.fields.values()}}
    required = sorted(f.name for f in m.fields.values() if f.required)
    if required:
        out["required"] = required
    if gvk is not None:
        out["x-kubernetes-group-version-kind"] = [gvk]
    return out


def list_schema(item: str, prefix: str, gvk: dict[str, str]) -> dict[str, Any]:
    kind = gvk["kind"]
    return {"description": f"{kind} is a list of {kind.removesuffix('List')} objects.", "type": "object",
            "required": ["items"], "x-kubernetes-group-version-kind": [gvk],
            "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                           "items": {"type": "array", "items": ref(item, prefix)},
                           "metadata": ref(f"{META}.ListMeta", prefix)}}


def field_schema(owner: str, f: schema.Field, prefix: str) -> dict[str, Any]:
    if f.kind == "array":
        out = {"type": "array", "items": _value(f.item, f.ref, f.format, prefix)}
        out.update(_list_extensions(owner, f))
    elif f.kind == "map":
        out = {"type": "object", "additionalProperties": _value(f.item, f.ref, f.format, prefix)}
    else:
        out = _value(f.kind, f.ref, f.format, prefix)
    if "$ref" in out and f.description:
        out = {"allOf": [out]} if prefix.startswith("#/components") else out
    if f.description:
        out["description"] = f.description
    return out


def _value(kind: str, ref_name: str, fmt: str, prefix: str) -> dict[str, Any]:
    if kind == "ref":
        return ref(schema.model(ref_name).openapi_name, prefix)
    if kind in _NAMED:
        return ref(_NAMED[kind], prefix)
    if kind == "integer":
        return {"type": "integer", "format": fmt or "int64"}
    return dict(_SCALAR[kind])


def _list_extensions(owner: str, f: schema.Field) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if f.strategy:
        out["x-kubernetes-patch-strategy"] = f.strategy
    if f.merge_key:
        out["x-kubernetes-patch-merge-key"] = f.merge_key
    kind, keys = mergekeys.list_type(owner, f.name)
    out["x-kubernetes-list-type"] = kind
    if keys:
        out["x-kubernetes-list-map-keys"] = list(keys)
    return out
