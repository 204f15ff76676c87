"""Unknown fields in a request body, for the ``fieldValidation`` query parameter (Strict, Warn, Ignore).

kubectl sends ``fieldValidation=Strict`` by default (``--validate=strict``); kube-apiserver then refuses a
body naming a field its schema does not have, and with ``Warn`` (the default) answers a ``Warning`` header.
The API server calls ``check(body, resource, request.query.get("fieldValidation"))`` on create, update and
patch bodies (for patches: on the patched object) and sends each returned line as
``Warning: 299 - "<line>"``.
"""

from __future__ import annotations

from typing import Any

from rktnetes.api import errors, schema
from rktnetes.api.resources import Resource

_OPEN_KINDS = ("map", "any")


def unknown_fields(obj: dict[str, Any], model: str, prefix: str = "") -> list[str]:
    """Paths (``spec.template.spec.containers[0].bogus``) of the fields ``model`` does not define."""
    if not schema.exists(model):
        return []
    fields = schema.model(model).fields
    out: list[str] = []
    for key, value in obj.items():
        path = f"{prefix}.{key}" if prefix else key
        f = fields.get(key)
        if f is None:
            out.append(path)
        elif f.ref and f.kind not in _OPEN_KINDS:
            out += _nested(value, f, path)
    return out


def _nested(value: Any, f: schema.Field, path: str) -> list[str]:
    if f.kind == "ref" and isinstance(value, dict):
        return unknown_fields(value, f.ref, path)
    if f.kind == "array" and isinstance(value, list):
        return [p for i, item in enumerate(value) if isinstance(item, dict)
                for p in unknown_fields(item, f.ref, f"{path}[{i}]")]
    return []


def check(obj: dict[str, Any], resource: Resource, mode: str | None) -> list[str]:
    """Apply a ``fieldValidation`` mode: raise 400 for Strict, return warnings for Warn (the default)."""
    mode = (mode or "Warn").capitalize()
    if mode not in ("Strict", "Warn", "Ignore"):
        raise errors.bad_request(f"fieldValidation: Unsupported value: \"{mode}\": supported values: "
                                 '"Ignore", "Strict", "Warn"')
    if mode == "Ignore":
        return []
    unknown = unknown_fields(obj, resource.model)
    if mode == "Strict" and unknown:
        found = ", ".join(f'unknown field "{p}"' for p in unknown)
        raise errors.bad_request(f"{resource.kind} in version \"{resource.version}\" cannot be handled as a "
                                 f"{resource.kind}: strict decoding error: {found}")
    return [f'unknown field "{p}"' for p in unknown]
