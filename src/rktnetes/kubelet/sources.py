"""ConfigMaps and Secrets a pod takes data from, read through the API when the pod (re)starts."""

from __future__ import annotations

import base64
from typing import Any

from rktnetes.client import errors as client_errors
from rktnetes.client import interface
from rktnetes.kubelet import environment

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
