"""Container lifecycle hooks: ``postStart`` after the pod's containers start, ``preStop`` before SIGTERM.

A hook handler has a probe's shape (exec, httpGet, tcpSocket — run by ``probing``) or is a ``sleep``. The
preStop hooks of all containers run together and count against the pod's grace period, as in Kubernetes;
what is left of it goes to SIGTERM before SIGKILL. A failed postStart hook is reported, and the pod's
containers are stopped so its restartPolicy decides what happens next.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from rktnetes.kubelet import probing
from rktnetes.kubelet.rktpods import RktPod
from rktnetes.kubelet.runtime import Runtime

Obj = dict[str, Any]


def containers_with(pod: Obj, hook: str) -> list[Obj]:
    return [c for c in (pod.get("spec") or {}).get("containers") or []
            if ((c.get("lifecycle") or {}).get(hook))]


async def run(handler: Obj, container: Obj, rkt: RktPod, runtime: Runtime, timeout: float) -> bool:
    """One hook handler; True when it succeeded within ``timeout`` seconds."""
    if "sleep" in handler:
        await asyncio.sleep(min(float(handler["sleep"].get("seconds") or 0), max(timeout, 0.0)))
        return True
    spec = {**handler, "timeoutSeconds": max(timeout, 1.0)}
    return await probing.run(spec, container, rkt.info.netns or runtime.node_netns or "",
                             lambda cmd: runtime.enter_argv(rkt.info.uuid, container["name"], cmd))


async def pre_stop(pod: Obj, rkt: RktPod, runtime: Runtime, grace: float) -> float:
    """Run every container's preStop hook (together, within ``grace``); the grace period left."""
    containers = containers_with(pod, "preStop")
    if not containers or not rkt.running:
        return grace
    start = time.monotonic()
    hooks = [run(c["lifecycle"]["preStop"], c, rkt, runtime, grace) for c in containers]
    try:
        await asyncio.wait_for(asyncio.gather(*hooks), grace)
    except TimeoutError:
        return 0.0
    return max(grace - (time.monotonic() - start), 0.0)


async def post_start(pod: Obj, rkt: RktPod, runtime: Runtime, timeout: float = 30.0) -> list[str]:
    """Run every container's postStart hook; the names of the containers whose hook failed."""
    containers = containers_with(pod, "postStart")
    results = await asyncio.gather(*(run(c["lifecycle"]["postStart"], c, rkt, runtime, timeout) for c in containers))
    return [c["name"] for c, ok in zip(containers, results, strict=True) if not ok]
