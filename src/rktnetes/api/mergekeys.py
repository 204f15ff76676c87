"""How each list (or struct) field merges: Kubernetes' strategic-merge and server-side-apply facts, as data.

``PATCH[model][field] = (strategy, merge key)`` mirrors the ``patchStrategy``/``patchMergeKey`` tags of the
Kubernetes API types (published as ``x-kubernetes-patch-strategy``/``-merge-key``). Server-side apply reads
the same facts the way Kubernetes does for lists without an explicit list type: a merge key makes an
associative list keyed by it, ``merge`` without a key makes a set, anything else is atomic. ``LIST_KEYS``
records the lists whose ``x-kubernetes-list-map-keys`` are wider than their patch merge key.
"""

from __future__ import annotations

_CONTAINER = {"ports": ("merge", "containerPort"), "env": ("merge", "name"),
              "volumeMounts": ("merge", "mountPath"), "volumeDevices": ("merge", "devicePath")}
_CONDITIONS = {"conditions": ("merge", "type")}

PATCH: dict[str, dict[str, tuple[str, str]]] = {
    "V1ObjectMeta": {"finalizers": ("merge", ""), "ownerReferences": ("merge", "uid")},
    "V1PodSpec": {
        "volumes": ("merge,retainKeys", "name"), "containers": ("merge", "name"),
        "initContainers": ("merge", "name"), "ephemeralContainers": ("merge", "name"),
        "imagePullSecrets": ("merge", "name"), "hostAliases": ("merge", "ip"),
        "topologySpreadConstraints": ("merge", "topologyKey"), "resourceClaims": ("merge,retainKeys", "name"),
        "schedulingGates": ("merge", "name"),
    },
    "V1Container": _CONTAINER,
    "V1EphemeralContainer": _CONTAINER,
    "V1PodStatus": {**_CONDITIONS, "podIPs": ("merge", "ip"), "hostIPs": ("merge", "ip")},
    "V1ServiceSpec": {"ports": ("merge", "port")},
    "V1ServiceStatus": _CONDITIONS,
    "V1ServiceAccount": {"secrets": ("merge", "name")},
    "V1NodeSpec": {"podCIDRs": ("merge", "")},
    "V1NodeStatus": {**_CONDITIONS, "addresses": ("merge", "type")},
    "V1NamespaceStatus": _CONDITIONS,
    "V1PersistentVolumeClaimStatus": _CONDITIONS,
    "V1ReplicationControllerStatus": _CONDITIONS,
    "V1DeploymentSpec": {"strategy": ("retainKeys", "")},
    "V1DeploymentStatus": _CONDITIONS,
    "V1ReplicaSetStatus": _CONDITIONS,
    "V1DaemonSetStatus": _CONDITIONS,
    "V1StatefulSetStatus": _CONDITIONS,
    "V1JobStatus": _CONDITIONS,
}

LIST_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "V1Container": {"ports": ("containerPort", "protocol")},
    "V1EphemeralContainer": {"ports": ("containerPort", "protocol")},
    "V1ServiceSpec": {"ports": ("port", "protocol")},
    "V1PodSpec": {"topologySpreadConstraints": ("topologyKey", "whenUnsatisfiable")},
}

# Key fields kube-apiserver defaults before it computes an element's key (a port without protocol is TCP).
KEY_DEFAULTS: dict[str, object] = {"protocol": "TCP"}


def patch_meta(model: str, field: str) -> tuple[str, str]:
    """``(strategy, merge key)`` of ``model.field``; ``("", "")`` when it is replaced whole."""
    return PATCH.get(model, {}).get(field, ("", ""))


def list_type(model: str, field: str) -> tuple[str, tuple[str, ...]]:
    """``("map", keys)``, ``("set", ())`` or ``("atomic", ())``: how server-side apply treats a list field."""
    strategy, key = patch_meta(model, field)
    if "merge" not in strategy.split(","):
        return "atomic", ()
    if not key:
        return "set", ()
    return "map", LIST_KEYS.get(model, {}).get(field, (key,))
