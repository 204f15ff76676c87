"""Built-in objects every cluster has: the four system namespaces (each with its ``default`` ServiceAccount)
and the ``kubernetes`` Service in ``default``. Idempotent: run at every start."""

from __future__ import annotations

from rktnetes.api import errors
from rktnetes.api.resources import lookup
from rktnetes.apiserver.objects import Objects

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
KUBERNETES_SERVICE_IP = "10.96.0.1"


async def _create(objects: Objects, plural: str, namespace: str | None, obj: dict) -> None:
    try:
        await objects.create(lookup("", "v1", plural), namespace, obj)
    except errors.APIError as exc:
        if exc.code != 409:
            raise


def kubernetes_service(port: int) -> dict:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"type": "ClusterIP", "clusterIP": KUBERNETES_SERVICE_IP, "clusterIPs": [KUBERNETES_SERVICE_IP],
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": port}]}}


async def ensure_builtins(objects: Objects, secure_port: int) -> None:
    for name in SYSTEM_NAMESPACES:
        await _create(objects, "namespaces", None, {"apiVersion": "v1", "kind": "Namespace",
                                                    "metadata": {"name": name}})
        await objects.ensure_service_account(name)
    await _create(objects, "services", "default", kubernetes_service(secure_port))
