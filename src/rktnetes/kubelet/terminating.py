"""A pod's end on the node: its rkt pods stopped (SIGTERM, SIGKILL after the grace period) and removed,
its volumes forgotten, and — for a pod being deleted — the final delete that lets the API server forget it
(grace 0, with the pod's uid as precondition so a new pod of the same name is never deleted by mistake)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rktnetes.client import errors as client_errors
from rktnetes.client import interface
from rktnetes.kubelet import hooks, volumes
from rktnetes.kubelet.rktpods import RktPod
from rktnetes.kubelet.runtime import Runtime

Obj = dict[str, Any]
DEFAULT_GRACE = 30


def grace_of(pod: Obj) -> float:
    """The seconds between SIGTERM and SIGKILL: the deletion's own, else the pod's, else 30."""
    meta, spec = pod["metadata"], pod.get("spec") or {}
    for value in (meta.get("deletionGracePeriodSeconds"), spec.get("terminationGracePeriodSeconds")):
        if value is not None:
            return float(value)
    return float(DEFAULT_GRACE)


async def discard(runtime: Runtime, rkt: RktPod, grace: float, pod: Obj | None = None) -> None:
    """Stop ``rkt`` if it runs (after ``pod``'s preStop hooks, when given), then remove it."""
    if rkt.running:
        left = await hooks.pre_stop(pod, rkt, runtime, grace) if pod is not None else grace
        await runtime.stop(rkt.info.uuid, left)
    await runtime.remove(rkt.info.uuid)


async def discard_stranger(runtime: Runtime, root_dir: Path, rkt: RktPod) -> None:
    """An rkt pod whose Kubernetes pod is gone (or was replaced): killed at once, its files forgotten."""
    await discard(runtime, rkt, grace=0)
    volumes.forget(root_dir, rkt.uid)


async def terminate(client: interface.Api, runtime: Runtime, root_dir: Path, pod: Obj, mine: list[RktPod]) -> None:
    """End a pod marked for deletion, then confirm the deletion to the API server."""
    meta = pod["metadata"]
    for rkt in mine:
        await discard(runtime, rkt, grace_of(pod), pod)
    volumes.forget(root_dir, meta["uid"])
    try:
        await client.delete("pods", meta["name"], meta["namespace"], grace_period_seconds=0,
                            preconditions={"uid": meta["uid"]})
    except (client_errors.NotFound, client_errors.Conflict):
        return
