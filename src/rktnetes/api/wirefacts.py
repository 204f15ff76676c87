"""Kubernetes' protobuf wire facts for our models: field numbers, scalar kinds and the Go package of each type.

They are facts of the wire format (the numbers kubectl puts on the wire), so they are derived once, at
development time, from the descriptors kubectl registers in its own binary, and recorded as data
(``wirefacts.json``) keyed by our own model names: nothing of kubectl is read at run time. Regenerate with
``python -m rktnetes.api.wirefacts $(readlink -f $(which kubectl))`` after updating the ``kubernetes`` package.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import zlib
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("wirefacts.json")
_GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00"
_SPECIAL = {
    ".k8s.io.apimachinery.pkg.apis.meta.v1.Time": "time",
    ".k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime": "microtime",
    ".k8s.io.apimachinery.pkg.apis.meta.v1.Duration": "duration",
    ".k8s.io.apimachinery.pkg.api.resource.Quantity": "quantity",
    ".k8s.io.apimachinery.pkg.util.intstr.IntOrString": "intstr",
    ".k8s.io.apimachinery.pkg.runtime.RawExtension": "raw",
}
_CLASS = re.compile(r"^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$")


@functools.cache
def facts() -> dict[str, Any]:
    """``{model: {"proto": full name, "fields": {json name: [number, kind]}}}`` for every model we serve."""
    return json.loads(DATA.read_text())


def openapi_name(model: str) -> str | None:
    """``V1PodSpec`` → ``io.k8s.api.core.v1.PodSpec``: the name kube-apiserver gives the type in OpenAPI."""
    entry = facts().get(model)
    return "io." + entry["proto"].replace("k8s.io.", "k8s.", 1) if entry else None


def _descriptors(binary: Path) -> dict[str, Any]:
    from google.protobuf import descriptor_pb2

    data, files = binary.read_bytes(), {}
    for match in re.finditer(re.escape(_GZIP), data):
        try:
            raw = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[match.start():match.start() + 1 << 20])
            fd = descriptor_pb2.FileDescriptorProto.FromString(raw)
        except Exception:  # noqa: BLE001 - most gzip magics in a binary are not descriptors
            continue
        if fd.name.startswith("k8s.io/") and fd.package:
            files[fd.name] = fd
    return files


def _messages(files: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for fd in files.values():
        for msg in fd.message_type:
            out[f"{fd.package}.{msg.name}"] = msg
    return out


def _kind(field: Any, msg: Any) -> str:
    from google.protobuf import descriptor_pb2 as d

    if field.type != d.FieldDescriptorProto.TYPE_MESSAGE:
        return d.FieldDescriptorProto.Type.Name(field.type)[5:].lower()
    entry = next((n for n in msg.nested_type if n.options.map_entry and field.type_name.endswith("." + n.name)), None)
    if entry is not None:
        return "map:" + _kind(entry.field[1], entry)
    return _SPECIAL.get(field.type_name, "message")


def _candidates(model: str, messages: dict[str, Any]) -> list[str]:
    m = _CLASS.match(model)
    if not m:
        return []
    group, version, name = m.group(1), m.group(2).lower(), m.group(3)
    found = [p for p in messages if p.endswith(f".{version}.{name}")]
    return [p for p in found if group is None or f".{group.lower()}." in p] or found


def _match(model: str, cls: Any, messages: dict[str, Any]) -> str | None:
    wanted = set(cls.attribute_map.values())
    scored = [(len(wanted & {f.json_name or f.name for f in messages[p].field}), ".core." in p, p)
              for p in _candidates(model, messages)]
    return max(scored)[2] if scored else None


def _reachable(roots: list[str]) -> list[str]:
    import kubernetes.client.models as models

    seen: dict[str, None] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen or not hasattr(models, name):
            continue
        seen[name] = None
        todo += [t for t in re.findall(r"[A-Z]\w+", " ".join(getattr(models, name).openapi_types.values()))
                 if t not in ("List", "Dict")]
    return sorted(seen)


def generate(binary: Path) -> dict[str, Any]:
    import kubernetes.client.models as models

    messages = _messages(_descriptors(binary))
    roots = [name for name in dir(models) if _CLASS.match(name)]  # every kind we serve now or may serve later
    out = {}
    for model in _reachable(roots):
        cls = getattr(models, model)
        proto = _match(model, cls, messages)
        if proto:
            out[model] = {"proto": proto, "fields": _fields(messages[proto], set(cls.attribute_map.values()),
                                                            messages)}
    return out


def _fields(msg: Any, wanted: set[str], messages: dict[str, Any]) -> dict[str, list]:
    """Numbers by JSON name; a Go struct embedded inline (``VolumeSource`` in ``Volume``) nests its fields."""
    out: dict[str, list] = {}
    for f in msg.field:
        kind = _kind(f, msg)
        if kind == "message" and f.name not in wanted and f.type_name[1:] in messages:
            out[f.name] = [f.number, "inline", _fields(messages[f.type_name[1:]], wanted, messages)]
        else:
            out[f.name] = [f.number, kind]
    return out


if __name__ == "__main__":
    DATA.write_text(json.dumps(generate(Path(sys.argv[1])), indent=0, sort_keys=True) + "\n")
