"""Init containers: each runs to completion, in order, before the pod's containers start (pure decisions).

Each init container runs as an rkt pod of its own (annotated with its name), with the pod's volumes, so what
it leaves in an emptyDir is there for the containers after it. ``next_step`` looks at the runs so far and
says what ``sync`` should do next; a failed init container is run again (with the restart back-off) unless
the pod's restartPolicy is Never, which fails the pod. Once the pod's containers have started, init
containers are done for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rktnetes.kubelet import podstatus
from rktnetes.kubelet.rktpods import RktPod

Obj = dict[str, Any]
DONE, START, RUN, WAIT, RESTART, FAILED = "done", "start", "run", "wait", "restart", "failed"


@dataclass(frozen=True)
class Step:
    action: str
    container: Obj | None = None
    restarts: int = 0
    rkt: RktPod | None = None


def next_step(pod: Obj, inits: list[RktPod]) -> Step:
    """What to do about the pod's init containers, given their rkt pods (oldest first)."""
    for container in (pod.get("spec") or {}).get("initContainers") or []:
        runs = [r for r in inits if r.init == container["name"]]
        last = runs[-1] if runs else None
        if last is None:
            return Step(START, container)
        if last.info.state == "prepared":
            return Step(RUN, container, rkt=last)
        if last.running:
            return Step(WAIT, container, rkt=last)
        if not any(podstatus.exit_codes(last)):
            continue
        if podstatus.restart_policy(pod) == "Never":
            return Step(FAILED, container, rkt=last)
        return Step(RESTART, container, last.restarts + 1, last)
    return Step(DONE)
