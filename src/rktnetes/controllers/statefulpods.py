"""StatefulSet identities and ordering, pure: pod ``<set>-<ordinal>`` with a stable hostname and its own
claims, and the next step towards the wanted set.

``OrderedReady`` creates ordinal i only when 0..i-1 are Running and Ready, and removes the highest ordinal
first, one at a time; ``Parallel`` creates and removes without waiting. A RollingUpdate replaces one pod at a
time, highest ordinal first, down to ``partition``, and only while every pod is ready.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rktnetes.client import owners
from rktnetes.controllers import podstate, rollout, templates

Obj = dict[str, Any]
REVISION_LABEL = "controller-revision-hash"
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"


@dataclass
class Step:
    create: list[int] = field(default_factory=list)
    delete: list[Obj] = field(default_factory=list)


def revision(sts: Obj) -> str:
    return f"{sts['metadata']['name']}-{rollout.template_hash(sts['spec']['template'])}"


def ordinal_of(sts: Obj, pod: Obj) -> int | None:
    prefix, _, number = pod["metadata"]["name"].rpartition("-")
    return int(number) if prefix == sts["metadata"]["name"] and number.isdigit() else None


def claim_name(template: Obj, sts: Obj, ordinal: int) -> str:
    return f"{template['metadata']['name']}-{sts['metadata']['name']}-{ordinal}"


def claim_for(sts: Obj, template: Obj, ordinal: int) -> Obj:
    """The claim of one ordinal; owned by the set (so it goes with it) when ``whenDeleted: Delete``."""
    labels = dict(((sts["spec"].get("selector") or {}).get("matchLabels")) or {})
    meta = {"name": claim_name(template, sts, ordinal), "namespace": sts["metadata"]["namespace"], "labels": labels}
    policy = sts["spec"].get("persistentVolumeClaimRetentionPolicy") or {}
    if policy.get("whenDeleted") == "Delete":
        meta["ownerReferences"] = [owners.owner_reference(sts, controller=False)]
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta, "spec": template.get("spec") or {}}


def pod_for_ordinal(sts: Obj, ordinal: int) -> Obj:
    name = f"{sts['metadata']['name']}-{ordinal}"
    pod = templates.pod_for(sts, extra_labels={POD_NAME_LABEL: name, POD_INDEX_LABEL: str(ordinal),
                                               REVISION_LABEL: revision(sts)})
    del pod["metadata"]["generateName"]
    pod["metadata"]["name"] = name
    spec = pod["spec"]
    spec["hostname"] = name
    if sts["spec"].get("serviceName"):
        spec["subdomain"] = sts["spec"]["serviceName"]
    volumes = spec.setdefault("volumes", [])
    for template in sts["spec"].get("volumeClaimTemplates") or []:
        if not any(v.get("name") == template["metadata"]["name"] for v in volumes):
            volumes.append({"name": template["metadata"]["name"],
                            "persistentVolumeClaim": {"claimName": claim_name(template, sts, ordinal)}})
    return pod


def healthy(pod: Obj | None) -> bool:
    return pod is not None and podstate.phase(pod) == "Running" and podstate.is_ready(pod) \
        and not podstate.is_terminating(pod)


def step(sts: Obj, pods: dict[int, Obj]) -> Step:
    """What to do now, given the set's pods by ordinal."""
    wanted = int(sts["spec"].get("replicas", 1))
    parallel = sts["spec"].get("podManagementPolicy") == "Parallel"
    out = Step(delete=[p for p in pods.values() if podstate.phase(p) == "Failed" and not podstate.is_terminating(p)])
    for ordinal in range(wanted):
        if ordinal not in pods:
            out.create.append(ordinal)
        if not parallel and (out.create or not healthy(pods.get(ordinal))):
            return out
    if out.create:
        return out
    condemned = sorted((o for o in pods if o >= wanted), reverse=True)
    if condemned:
        doomed = [pods[o] for o in condemned if not podstate.is_terminating(pods[o])]
        out.delete += doomed if parallel else doomed[:1] if len(doomed) == len(condemned) else []
        return out
    return _update(sts, pods, wanted, out)


def _update(sts: Obj, pods: dict[int, Obj], wanted: int, out: Step) -> Step:
    strategy = sts["spec"].get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate" or not all(healthy(p) for p in pods.values()):
        return out
    partition = int((strategy.get("rollingUpdate") or {}).get("partition") or 0)
    stale = [o for o in range(wanted - 1, partition - 1, -1) if o in pods
             and (pods[o]["metadata"].get("labels") or {}).get(REVISION_LABEL) != revision(sts)]
    out.delete += [pods[stale[0]]] if stale else []
    return out
