"""What the scheduler writes to the API: the Binding of a placed pod, and for a pod that fits nowhere its
PodScheduled=False condition (reason Unschedulable) and a FailedScheduling Event, as kube-scheduler does."""

from __future__ import annotations

from typing import Any

from rktnetes.api import meta
from rktnetes.client import interface, recording
from rktnetes.scheduler.eventing import EventSink

Obj = dict[str, Any]


def binding_for(pod: Obj, node: str) -> Obj:
    """The ``Binding`` that assigns ``pod`` to ``node`` (with the pod's uid, so a recreated pod is not bound)."""
    m = pod.get("metadata") or {}
    return {"apiVersion": "v1", "kind": "Binding",
            "metadata": {"name": m.get("name"), "namespace": m.get("namespace"), "uid": m.get("uid")},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node}}


async def bind(client: interface.Api, pod: Obj, node: str) -> Obj:
    m = pod.get("metadata") or {}
    return await client.create_subresource("pods", m.get("name"), "binding", binding_for(pod, node),
                                           m.get("namespace"))


def scheduled_condition(pod: Obj) -> Obj | None:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "PodScheduled":
            return condition
    return None


def unschedulable_condition(message: str) -> Obj:
    return {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message,
            "lastProbeTime": None, "lastTransitionTime": meta.now()}


async def unschedulable(client: interface.Api, recorder: EventSink, pod: Obj, message: str) -> None:
    """Report that no node fits: a Warning FailedScheduling Event each time, and the pod's condition when its
    message changed (best effort: the pod may be gone already)."""
    recorder.emit(pod, recording.WARNING, "FailedScheduling", message)
    current = scheduled_condition(pod) or {}
    if (current.get("status"), current.get("reason"), current.get("message")) == ("False", "Unschedulable", message):
        return
    m = pod.get("metadata") or {}
    patch = {"status": {"conditions": [unschedulable_condition(message)]}}
    await client.patch("pods", m.get("name"), patch, "strategic", m.get("namespace"), subresource="status")


def node_fit_view(node: Obj) -> tuple:
    """The parts of a node that decide what fits on it (a heartbeat that changes none of them is ignored)."""
    status = node.get("status") or {}
    ready = [c.get("status") for c in status.get("conditions") or [] if c.get("type") == "Ready"]
    return (node.get("spec"), (node.get("metadata") or {}).get("labels"), status.get("allocatable"),
            status.get("capacity"), ready)
