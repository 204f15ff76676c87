"""ConfigMaps and Secrets a pod takes data from, read through the API when the pod (re)starts."""

from __future__ import annotations

import base64
from typing import Any

from rktnetes.client import errors as client_errors
from rktnetes.client import interface
from rktnetes.kubelet import environment, errors

Obj = dict[str, Any]


async def read(client: interface.Api, kind: str, name: str, namespace: str) -> dict[str, bytes] | None:
    """The keys of ConfigMap or Secret ``name`` (``kind`` is ``configmaps`` or ``secrets``); None if missing."""
    try:
        obj = await client.get(kind, name, namespace)
    except client_errors.NotFound:
        return None
    if kind == "secrets":
        return {k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}
    data = {k: str(v).encode() for k, v in (obj.get("data") or {}).items()}
    return data | {k: base64.b64decode(v) for k, v in (obj.get("binaryData") or {}).items()}


async def for_env(client: interface.Api, pod: Obj) -> environment.Sources:
    """Every ConfigMap and Secret the pod's variables come from, as text (None for a missing one)."""
    found: environment.Sources = {}
    for kind, name in sorted(environment.references(pod)):
        data = await read(client, kind, name, pod["metadata"]["namespace"])
        found[(kind, name)] = None if data is None else {k: v.decode(errors="replace") for k, v in data.items()}
    return found


async def required(client: interface.Api, kind: str, name: str, namespace: str, optional: bool) -> dict[str, bytes]:
    """``read``, with a missing object an error unless ``optional`` (then it has no keys)."""
    data = await read(client, kind, name, namespace)
    if data is None and not optional:
        raise errors.BadPod(f'{kind[:-1]} "{name}" not found')
    return data or {}


def selected(source: Obj, data: dict[str, bytes]) -> dict[str, bytes]:
    """Path → content for a volume source: every key, or only its ``items`` (at their own paths)."""
    items = source.get("items")
    if not items:
        return data
    missing = [i["key"] for i in items if i["key"] not in data and not source.get("optional")]
    if missing:
        raise errors.BadPod(f"volume key {missing[0]!r} not found")
    return {i["path"]: data[i["key"]] for i in items if i["key"] in data}
