"""The files of configMap, secret, downwardAPI and projected volumes (one file per key or item).

A projected volume gathers several sources in one directory: ConfigMap and Secret keys, downward API
items, and a service account token requested for the pod (a TokenRequest bound to it, so it stops being
valid when the pod is gone). Files are made when the pod (re)starts; they are not refreshed while it runs.
"""

from __future__ import annotations

from typing import Any

from rktnetes.client import errors as client_errors
from rktnetes.client import interface
from rktnetes.kubelet import environment, errors, sources

Obj = dict[str, Any]
KINDS = ("configMap", "secret", "downwardAPI", "projected")
TOKEN_SECONDS = 3600


def _labels(values: dict[str, str]) -> bytes:
    """Labels or annotations as a downward API file writes them: ``key="value"`` lines, sorted."""
    return "".join(f'{k}="{v}"\n' for k, v in sorted(values.items())).encode()


def downward(pod: Obj, source: Obj) -> dict[str, bytes]:
    files = {}
    containers = {c["name"]: c for c in (pod.get("spec") or {}).get("containers") or []}
    for item in source.get("items") or []:
        if "fieldRef" in item:
            path = item["fieldRef"]["fieldPath"]
            if path in ("metadata.labels", "metadata.annotations"):
                files[item["path"]] = _labels(pod["metadata"].get(path.split(".")[1]) or {})
            else:
                files[item["path"]] = environment.field_value(pod, path, "").encode()
        else:
            ref = item["resourceFieldRef"]
            container = containers.get(ref.get("containerName", ""))
            if container is None:
                raise errors.BadPod(f"downwardAPI {item['path']}: no container {ref.get('containerName')!r}")
            files[item["path"]] = environment.resource_value(container, ref).encode()
    return files


async def token(client: interface.Api, pod: Obj, source: Obj) -> dict[str, bytes]:
    meta = pod["metadata"]
    request = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
               "spec": {"audiences": [source["audience"]] if source.get("audience") else [],
                        "expirationSeconds": int(source.get("expirationSeconds") or TOKEN_SECONDS),
                        "boundObjectRef": {"apiVersion": "v1", "kind": "Pod", "name": meta["name"], "uid": meta["uid"]}}}
    account = (pod.get("spec") or {}).get("serviceAccountName") or "default"
    try:
        answer = await client.create_subresource("serviceaccounts", account, "token", request, meta["namespace"])
    except client_errors.NotFound:
        raise errors.BadPod(f'serviceaccount "{account}" not found') from None
    return {source["path"]: str(answer["status"]["token"]).encode()}


async def files(client: interface.Api, pod: Obj, kind: str, source: Obj) -> dict[str, bytes]:
    """Path → content of one volume source of ``kind`` (one of ``KINDS``)."""
    if kind in ("configMap", "secret"):
        plural, name = ("configmaps", source.get("name")) if kind == "configMap" else ("secrets", source.get("secretName"))
        data = await sources.required(client, plural, name or "", pod["metadata"]["namespace"],
                                      bool(source.get("optional")))
        return sources.selected(source, data)
    if kind == "downwardAPI":
        return downward(pod, source)
    found: dict[str, bytes] = {}
    for part in source.get("sources") or []:
        if "serviceAccountToken" in part:
            found |= await token(client, pod, part["serviceAccountToken"])
        elif "configMap" in part or "secret" in part or "downwardAPI" in part:
            sub = next(k for k in ("configMap", "secret", "downwardAPI") if k in part)
            found |= await files(client, pod, sub, {"secretName": part[sub].get("name"), **part[sub]})
        else:
            raise errors.BadPod(f"projected source {sorted(part)} is not supported")
    return found
