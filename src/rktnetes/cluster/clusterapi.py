"""What the local cluster asks of its own API server: readiness, the DNS Service, Nodes, Services.

Each call opens one client on the admin kubeconfig and closes it (``rktnetes start`` polls some of them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rktnetes.client import errors as client_errors
from rktnetes.client import rest
from rktnetes.cluster.spec import DNS_IP

Obj = dict[str, Any]
DNS_SERVICE = "kube-dns"
_DNS_PORTS = [("dns", "UDP"), ("dns-tcp", "TCP")]


async def _call(kubeconfig: Path, fn: Callable) -> Any:
    async with rest.Client.from_kubeconfig(kubeconfig) as client:
        return await fn(client)


def call(kubeconfig: Path, fn: Callable) -> Any:
    """Run ``await fn(client)`` on a fresh client; API and transport errors propagate."""
    return asyncio.run(_call(kubeconfig, fn))


def is_ready(kubeconfig: Path) -> bool:
    if not kubeconfig.exists():
        return False
    try:
        return call(kubeconfig, lambda c: c.request("GET", "/version")) is not None
    except (client_errors.ClientError, OSError):
        return False


def dns_objects(host_ip: str) -> tuple[Obj, Obj]:
    """The kube-dns Service at 10.96.0.10 (no selector) and its Endpoints: the DNS server on the host."""
    meta = {"name": DNS_SERVICE, "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}}
    ports = [{"name": n, "port": 53, "protocol": p, "targetPort": 53} for n, p in _DNS_PORTS]
    service = {"apiVersion": "v1", "kind": "Service", "metadata": meta,
               "spec": {"clusterIP": DNS_IP, "clusterIPs": [DNS_IP], "ports": ports, "type": "ClusterIP"}}
    subset = {"addresses": [{"ip": host_ip}], "ports": [{"name": n, "port": 53, "protocol": p} for n, p in _DNS_PORTS]}
    endpoints = {"apiVersion": "v1", "kind": "Endpoints", "metadata": dict(meta), "subsets": [subset]}
    return service, endpoints


async def _ensure(client: rest.Client, plural: str, obj: Obj) -> None:
    """Create ``obj`` unless it exists (Endpoints are brought up to date: the host address may change)."""
    namespace = obj["metadata"]["namespace"]
    try:
        current = await client.get(plural, obj["metadata"]["name"], namespace)
    except client_errors.NotFound:
        await client.create(plural, obj, namespace)
        return
    if plural == "endpoints" and current.get("subsets") != obj["subsets"]:
        await client.update(plural, {**current, "subsets": obj["subsets"]}, namespace)


def ensure_dns_service(kubeconfig: Path, host_ip: str) -> None:
    service, endpoints = dns_objects(host_ip)

    async def ensure(client: rest.Client) -> None:
        await _ensure(client, "services", service)
        await _ensure(client, "endpoints", endpoints)
    call(kubeconfig, ensure)


def storage_class() -> Obj:
    """minikube's default StorageClass ``standard``: hostPath volumes made by the controller manager."""
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "standard", "labels": {"addonmanager.kubernetes.io/mode": "EnsureExists"},
                         "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "k8s.io/minikube-hostpath", "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"}


def ensure_storage_class(kubeconfig: Path) -> None:
    """Create the ``standard`` StorageClass unless it exists (a user's changes to it are kept)."""
    async def ensure(client: rest.Client) -> None:
        try:
            await client.create("storageclasses.storage.k8s.io", storage_class())
        except client_errors.AlreadyExists:
            return
    call(kubeconfig, ensure)


def ready_nodes(kubeconfig: Path) -> set[str]:
    """Names of the Nodes whose Ready condition is True."""
    found = call(kubeconfig, lambda c: c.list("nodes"))
    return {n["metadata"]["name"] for n in found.get("items") or []
            if any(c.get("type") == "Ready" and c.get("status") == "True"
                   for c in (n.get("status") or {}).get("conditions") or [])}


def get(kubeconfig: Path, plural: str, name: str, namespace: str | None = None) -> Obj:
    return call(kubeconfig, lambda c: c.get(plural, name, namespace))
