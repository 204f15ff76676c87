"""What rkt says about a pod, as the Kubernetes pod status: pure functions, no I/O.

A Kubernetes pod is one rkt pod at a time (``current``); a restart is a new rkt pod, and the one before
(``previous``) gives the containers' ``lastState``. ``waiting`` is why no container runs yet, when the kubelet
knows (ContainerCreating, ErrImagePull, CrashLoopBackOff, ...).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from rktnetes.kubelet.rktpods import RktPod

Obj = dict[str, Any]
PENDING, RUNNING, SUCCEEDED, FAILED = "Pending", "Running", "Succeeded", "Failed"


@dataclass(frozen=True)
class Observed:
    current: RktPod | None = None
    previous: RktPod | None = None
    waiting: tuple[str, str] | None = None  # (reason, message)
    unready: frozenset[str] = frozenset()  # running containers whose readiness probe does not pass
    inits: tuple[RktPod, ...] = ()  # the runs of the init containers, oldest first
    messages: dict[tuple[str, str], str] = field(default_factory=dict)  # (rkt uuid, container) -> its message


def stamp(when: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when)) if when else None


def restart_policy(pod: Obj) -> str:
    return (pod.get("spec") or {}).get("restartPolicy") or "Always"


def exit_codes(rkt: RktPod) -> list[int]:
    return [a.exit_code if a.exit_code is not None else 255 for a in rkt.info.apps]


def wants_restart(pod: Obj, rkt: RktPod) -> bool:
    """Whether an exited rkt pod is to be replaced by a new one, by the pod's restartPolicy."""
    policy = restart_policy(pod)
    return policy == "Always" or (policy == "OnFailure" and any(exit_codes(rkt)))


def _last_init_runs(pod: Obj, seen: Observed) -> list[RktPod | None]:
    runs = {r.init: r for r in seen.inits}  # oldest first: the last run of each wins
    return [runs.get(c["name"]) for c in (pod.get("spec") or {}).get("initContainers") or []]


def initialized(pod: Obj, seen: Observed) -> bool:
    """Every init container has succeeded (or the pod's containers have started already)."""
    return seen.current is not None or all(r is not None and r.exited and not any(exit_codes(r))
                                           for r in _last_init_runs(pod, seen))


def init_failed(pod: Obj, seen: Observed) -> bool:
    """An init container failed and will not run again (restartPolicy Never)."""
    return restart_policy(pod) == "Never" and any(r is not None and r.exited and any(exit_codes(r))
                                                  for r in _last_init_runs(pod, seen))


def phase(pod: Obj, seen: Observed) -> str:
    current = seen.current
    if current is None and init_failed(pod, seen):
        return FAILED
    if current is None or not (current.running or current.exited):
        return RUNNING if seen.previous is not None else PENDING
    if current.running or wants_restart(pod, current):
        return RUNNING
    return FAILED if any(exit_codes(current)) else SUCCEEDED


def terminated(rkt: RktPod, name: str, messages: dict[tuple[str, str], str] | None = None) -> Obj | None:
    app = next((a for a in rkt.info.apps if a.name == name), None)
    if app is None or app.exit_code is None:
        return None
    ended = {"exitCode": app.exit_code, "reason": "Completed" if app.exit_code == 0 else "Error",
             "startedAt": stamp(rkt.info.started), "finishedAt": stamp(rkt.finished.get(name) or rkt.info.exited_at),
             "containerID": container_id(rkt, name)}
    message = (messages or {}).get((rkt.info.uuid, name))
    return {**ended, "message": message} if message else ended


def container_id(rkt: RktPod, name: str) -> str:
    return f"rkt://{rkt.info.uuid}:{name}"


def _state(seen: Observed, name: str) -> Obj:
    current = seen.current
    ended = terminated(current, name, seen.messages) if current is not None and (current.running or current.exited) \
        else None
    if seen.waiting is not None and (ended is None or seen.waiting[0] == "CrashLoopBackOff"):
        reason, message = seen.waiting
        return {"waiting": {"reason": reason, **({"message": message} if message else {})}}
    if ended is not None:
        return {"terminated": ended}
    if current is not None and current.running:
        return {"running": {"startedAt": stamp(current.info.started)}}
    return {"waiting": {"reason": "ContainerCreating"}}


def container_status(container: Obj, seen: Observed) -> Obj:
    name, current = container["name"], seen.current
    state = _state(seen, name)
    ready = "running" in state and name not in seen.unready
    status = {"name": name, "state": state, "ready": ready, "started": "running" in state,
              "restartCount": current.restarts if current else 0, "image": container["image"], "imageID": ""}
    if current is not None:
        app = next((a for a in current.info.apps if a.name == name), None)
        status["imageID"] = app.image_id if app else ""
        if current.running or current.exited:
            status["containerID"] = container_id(current, name)
    last = _last_state(seen, name, state)
    return {**status, "lastState": last} if last else status


def _last_state(seen: Observed, name: str, state: Obj) -> Obj:
    """The container's previous end: the previous rkt pod's, or the current one's while waiting to restart."""
    if "waiting" in state and seen.current is not None and seen.current.exited:
        ended = terminated(seen.current, name, seen.messages)
        return {"terminated": ended} if ended else {}
    ended = terminated(seen.previous, name, seen.messages) if seen.previous is not None else None
    return {"terminated": ended} if ended else {}


def conditions(pod_phase: str, statuses: list[Obj], old: list[Obj], now: str, init_done: bool = True) -> list[Obj]:
    ready = "True" if pod_phase == RUNNING and statuses and all(s["ready"] for s in statuses) else "False"
    wanted = [("PodReadyToStartContainers", "True"), ("Initialized", "True" if init_done else "False"), ("Ready", ready),
              ("ContainersReady", ready), ("PodScheduled", "True")]
    by_type = {c.get("type"): c for c in old}
    found = []
    for kind, status in wanted:
        before = by_type.get(kind) or {}
        since = before.get("lastTransitionTime") if before.get("status") == status else None
        found.append({"type": kind, "status": status, "lastProbeTime": None, "lastTransitionTime": since or now})
    return found


def pod_status(pod: Obj, seen: Observed, host_ip: str) -> Obj:
    """The ``status`` to write for ``pod``, given what rkt shows of it."""
    old = pod.get("status") or {}
    now = stamp(time.time())
    spec, init_done = pod.get("spec") or {}, initialized(pod, seen)
    waiting = seen.waiting or (None if init_done else ("PodInitializing", ""))
    main = Observed(seen.current, seen.previous, waiting, seen.unready, messages=seen.messages)
    statuses = [container_status(c, main) for c in spec.get("containers") or []]
    pod_phase = phase(pod, seen)
    ip = host_ip if spec.get("hostNetwork") else (seen.current.ip if seen.current else "")
    status = {"phase": pod_phase,
              "conditions": conditions(pod_phase, statuses, old.get("conditions") or [], now, init_done),
              "hostIP": host_ip, "hostIPs": [{"ip": host_ip}], "startTime": old.get("startTime") or now,
              "containerStatuses": statuses, "podIP": ip or None, "podIPs": [{"ip": ip}] if ip else None}
    if spec.get("initContainers"):
        status["initContainerStatuses"] = [container_status(c, Observed(run, messages=seen.messages)) for c, run
                                           in zip(spec["initContainers"], _last_init_runs(pod, seen), strict=True)]
    if old.get("qosClass"):
        status["qosClass"] = old["qosClass"]
    return status


def same(old: Obj, new: Obj) -> bool:
    """Whether writing ``new`` would change anything but timestamps that are only rewritten."""
    return all(old.get(k) == v for k, v in new.items() if v is not None) and \
        all(old.get(k) is None for k, v in new.items() if v is None)
