"""The part of kube-apiserver's Node authorizer graph a kubelet meets: the Secrets and ConfigMaps that the pods
bound to a node refer to (env, envFrom, volumes, projected sources, imagePullSecrets). A node may get only
those. The graph is not kept up to date from watches as kube-apiserver's is: it is computed from the
namespace's pods when a node asks, which a kubelet does only when it syncs a pod that uses one.
"""

from __future__ import annotations

from typing import Any

from rktnetes.apiserver.objects import PODS

Obj = dict[str, Any]
Ref = tuple[str, str]  # (plural, name)


def _container_refs(container: Obj) -> set[Ref]:
    found = set()
    for source in container.get("envFrom") or []:
        for key, plural in (("configMapRef", "configmaps"), ("secretRef", "secrets")):
            if key in source:
                found.add((plural, (source[key] or {}).get("name", "")))
    for var in container.get("env") or []:
        value_from = var.get("valueFrom") or {}
        for key, plural in (("configMapKeyRef", "configmaps"), ("secretKeyRef", "secrets")):
            if key in value_from:
                found.add((plural, (value_from[key] or {}).get("name", "")))
    return found


def _volume_refs(volume: Obj) -> set[Ref]:
    found = set()
    if "secret" in volume:
        found.add(("secrets", (volume["secret"] or {}).get("secretName", "")))
    if "configMap" in volume:
        found.add(("configmaps", (volume["configMap"] or {}).get("name", "")))
    for part in (volume.get("projected") or {}).get("sources") or []:
        for key, plural in (("configMap", "configmaps"), ("secret", "secrets")):
            if key in part:
                found.add((plural, (part[key] or {}).get("name", "")))
    return found


def references(pod: Obj) -> set[Ref]:
    """Every (secrets|configmaps, name) the pod refers to."""
    spec = pod.get("spec") or {}
    found = {("secrets", s.get("name", "")) for s in spec.get("imagePullSecrets") or []}
    for container in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        found |= _container_refs(container)
    for volume in spec.get("volumes") or []:
        found |= _volume_refs(volume)
    return found


async def related(registry, node: str, plural: str, namespace: str, name: str) -> bool:
    """Whether a pod bound to ``node`` in ``namespace`` refers to ``plural``/``name``."""
    page = await registry.list(PODS, namespace)
    return any((pod.get("spec") or {}).get("nodeName") == node and (plural, name) in references(pod)
               for pod in page.items)
