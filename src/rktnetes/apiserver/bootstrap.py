"""Built-in objects every cluster has: the four system namespaces (each with its ``default`` ServiceAccount)
and the ``kubernetes`` Service in ``default``. Idempotent: run at every start."""

from __future__ import annotations

from rktnetes.api import errors
from rktnetes.api.resources import lookup
from rktnetes.apiserver.objects import Objects

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
KUBERNETES_SERVICE_IP = "10.96.0.1"


async def _create(objects: Objects, plural: str, namespace: str | None, obj: dict) -> None:
    """Create ``obj`` unless an object of that name exists (allocations are only tried for new ones)."""
    resource = lookup("", "v1", plural)
    try:
        await objects.registry.get(resource, namespace, obj["metadata"]["name"])
        return
    except errors.APIError as exc:
        if exc.code != 404:
            raise
    try:
        await objects.create(resource, namespace, obj)
    except errors.APIError as exc:
        if exc.code != 409:
            raise


def kubernetes_service(port: int) -> dict:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"type": "ClusterIP", "clusterIP": KUBERNETES_SERVICE_IP, "clusterIPs": [KUBERNETES_SERVICE_IP],
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": port}]}}


def _endpoints(address: str, port: int) -> dict:
    return {"apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": "kubernetes", "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
            "subsets": [{"addresses": [{"ip": address}],
                         "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}]}


def _endpoint_slice(address: str, port: int) -> dict:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "kubernetes", "labels": {"kubernetes.io/service-name": "kubernetes",
                                                          "endpointslice.kubernetes.io/managed-by":
                                                              "rktnetes-apiserver"}},
            "addressType": "IPv4", "endpoints": [{"addresses": [address], "conditions": {"ready": True}}],
            "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}


async def _upsert(objects: Objects, resource, obj: dict) -> None:
    """Create ``obj`` in default, or make the stored one carry its content."""
    try:
        await objects.create(resource, "default", obj)
    except errors.APIError as exc:
        if exc.code != 409:
            raise
        content = {k: v for k, v in obj.items() if k not in ("metadata", "kind", "apiVersion")}
        await objects.modify(resource, "default", obj["metadata"]["name"], lambda o: {**o, **content}, scope="all")


async def ensure_builtins(objects: Objects, secure_port: int, advertise_address: str = "127.0.0.1") -> None:
    """The system namespaces, their default ServiceAccounts, and the kubernetes Service with its endpoints
    (``advertise_address``:``secure_port``, where clients in pods reach this server)."""
    for name in SYSTEM_NAMESPACES:
        await _create(objects, "namespaces", None, {"apiVersion": "v1", "kind": "Namespace",
                                                    "metadata": {"name": name}})
        await objects.ensure_service_account(name)
    await _create(objects, "services", "default", kubernetes_service(secure_port))
    await _upsert(objects, lookup("", "v1", "endpoints"), _endpoints(advertise_address, secure_port))
    await _upsert(objects, lookup("discovery.k8s.io", "v1", "endpointslices"),
                  _endpoint_slice(advertise_address, secure_port))
