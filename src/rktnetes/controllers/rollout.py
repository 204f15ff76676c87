"""Deployment arithmetic, pure: template hashes, the ReplicaSet a template becomes, and how far to scale each
ReplicaSet one step of a RollingUpdate or Recreate rollout (Kubernetes' rules: surge rounds up, unavailability
rounds down, never both zero; old pods that are not available go first).
"""

from __future__ import annotations

import copy
import hashlib
import math
from typing import Any

import orjson

from rktnetes.client import owners

Obj = dict[str, Any]
HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
CHANGE_CAUSE = "kubernetes.io/change-cause"
_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def _without_hash(template: Obj) -> Obj:
    template = copy.deepcopy(template or {})
    labels = (template.get("metadata") or {}).get("labels")
    if labels:
        labels.pop(HASH_LABEL, None)
    return template


def template_hash(template: Obj) -> str:
    """A short, stable name-safe hash of a pod template (the hash label itself excluded)."""
    number = int.from_bytes(hashlib.sha256(orjson.dumps(_without_hash(template), option=orjson.OPT_SORT_KEYS))
                            .digest()[:8], "big")
    out = ""
    while number and len(out) < 10:
        number, digit = divmod(number, len(_ALPHABET))
        out += _ALPHABET[digit]
    return out


def same_template(a: Obj, b: Obj) -> bool:
    return _without_hash(a) == _without_hash(b)


def revision_of(obj: Obj) -> int:
    try:
        return int(((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


def replicaset_for(deployment: Obj, replicas: int, revision: int) -> Obj:
    """The ReplicaSet that runs ``deployment``'s current template, named ``<deployment>-<hash>``."""
    spec = deployment["spec"]
    template = copy.deepcopy(spec["template"])
    digest = template_hash(template)
    template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = digest
    selector = copy.deepcopy(spec["selector"])
    selector.setdefault("matchLabels", {})[HASH_LABEL] = digest
    annotations = {REVISION: str(revision), **_replica_annotations(deployment)}
    cause = ((deployment["metadata"].get("annotations") or {}).get(CHANGE_CAUSE))
    if cause:
        annotations[CHANGE_CAUSE] = cause
    meta = {"name": f"{deployment['metadata']['name']}-{digest}", "namespace": deployment["metadata"]["namespace"],
            "labels": dict(template["metadata"]["labels"]), "annotations": annotations,
            "ownerReferences": [owners.owner_reference(deployment)]}
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta,
            "spec": {"replicas": replicas, "minReadySeconds": spec.get("minReadySeconds", 0),
                     "selector": selector, "template": template}}


def _replica_annotations(deployment: Obj) -> dict[str, str]:
    replicas = desired(deployment)
    return {DESIRED: str(replicas), MAX_REPLICAS: str(replicas + surge_and_unavailable(deployment)[0])}


def desired(deployment: Obj) -> int:
    replicas = deployment["spec"].get("replicas")
    return 1 if replicas is None else int(replicas)


def _scaled(value: Any, total: int, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        exact = int(value[:-1]) * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(value)


def surge_and_unavailable(deployment: Obj) -> tuple[int, int]:
    """``(maxSurge, maxUnavailable)`` in pods for a RollingUpdate (defaults 25% each; not both zero)."""
    rolling = ((deployment["spec"].get("strategy") or {}).get("rollingUpdate") or {})
    replicas = desired(deployment)
    surge = _scaled(rolling.get("maxSurge", "25%"), replicas, True)
    unavailable = _scaled(rolling.get("maxUnavailable", "25%"), replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable
