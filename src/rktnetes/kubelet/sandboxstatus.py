"""What rkt says about a pod run in a sandbox (one app per container), as the Kubernetes pod status: pure.

Unlike ``podstatus`` (one rkt pod per run of all the containers), each container here is an app of the pod's
one sandbox, restarted alone: its own state, restart count (the app's annotation) and lastState (the app's
previous run, which ``rkt app rm`` keeps); the pod's IP is the sandbox's for the pod's whole life.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from rktnetes.kubelet import podstatus, translating
from rktnetes.kubelet.podstatus import FAILED, PENDING, RUNNING, SUCCEEDED, stamp
from rktnetes.kubelet.rktpods import RktPod

Obj = dict[str, Any]


@dataclass(frozen=True)
class Seen:
    sandbox: RktPod | None = None
    apps: dict[str, Any] = field(default_factory=dict)  # container name -> rkt's AppStatus
    waiting: dict[str, tuple[str, str]] = field(default_factory=dict)  # container -> (reason, message)
    pod_waiting: tuple[str, str] | None = None  # why no container can start yet (pull, bad pod)
    unready: frozenset[str] = frozenset()
    messages: dict[str, str] = field(default_factory=dict)  # container -> its ended run's termination message


def restarts(app: Any) -> int:
    return int((app.annotations or {}).get(translating.RESTARTS) or 0) if app is not None else 0


def wants_restart(pod: Obj, exit_code: int | None) -> bool:
    policy = podstatus.restart_policy(pod)
    return policy == "Always" or (policy == "OnFailure" and exit_code != 0)


def _ended(app: Any, uuid: str, last: bool = False) -> Obj:
    code = app.last_exit_code if last else app.exit_code
    return {"exitCode": code, "reason": "Completed" if code == 0 else "Error",
            "startedAt": stamp(app.last_started_at if last else app.started_at),
            "finishedAt": stamp(app.last_finished_at if last else app.finished_at),
            "containerID": f"rkt://{uuid}:{app.name}"}


def _state(app: Any, uuid: str, waiting: tuple[str, str] | None, message: str = "") -> tuple[Obj, Obj]:
    """(state, lastState) of one container."""
    last = {"terminated": _ended(app, uuid, last=True)} if app is not None and app.last_exit_code is not None else {}
    if app is not None and app.state == "exited":
        ended = {"terminated": {**_ended(app, uuid), **({"message": message} if message else {})}}
        if waiting is None:
            return ended, last
        last = ended
    if waiting is not None:
        reason, message = waiting
        return {"waiting": {"reason": reason, **({"message": message} if message else {})}}, last
    if app is not None and app.state == "running":
        return {"running": {"startedAt": stamp(app.started_at)}}, last
    return {"waiting": {"reason": "ContainerCreating"}}, last


def container_status(container: Obj, seen: Seen, waiting: tuple[str, str] | None) -> Obj:
    name, uuid = container["name"], seen.sandbox.info.uuid if seen.sandbox else ""
    app = seen.apps.get(name)
    state, last = _state(app, uuid, waiting, seen.messages.get(name, ""))
    ready = "running" in state and name not in seen.unready
    status = {"name": name, "state": state, "ready": ready, "started": "running" in state,
              "restartCount": restarts(app), "image": container["image"], "imageID": app.image_id if app else ""}
    if app is not None and app.state in ("running", "exited"):
        status["containerID"] = f"rkt://{uuid}:{name}"
    return {**status, "lastState": last} if last else status


def initialized(pod: Obj, seen: Seen) -> bool:
    inits = (pod.get("spec") or {}).get("initContainers") or []
    return all((a := seen.apps.get(c["name"])) is not None and a.exit_code == 0 for c in inits)


def init_failed(pod: Obj, seen: Seen) -> bool:
    inits = (pod.get("spec") or {}).get("initContainers") or []
    return podstatus.restart_policy(pod) == "Never" and any(
        (a := seen.apps.get(c["name"])) is not None and a.state == "exited" and a.exit_code != 0 for c in inits)


def phase(pod: Obj, seen: Seen) -> str:
    if init_failed(pod, seen):
        return FAILED
    apps = [seen.apps.get(c["name"]) for c in (pod.get("spec") or {}).get("containers") or []]
    ran = [a for a in apps if a is not None and a.state in ("running", "exited")]
    if not ran or not initialized(pod, seen):
        return PENDING
    if len(ran) < len(apps) or any(a.state == "running" for a in ran):
        return RUNNING
    if any(wants_restart(pod, a.exit_code) for a in ran) and not (seen.sandbox is None or seen.sandbox.exited):
        return RUNNING
    return FAILED if any(a.exit_code for a in ran) else SUCCEEDED


def pod_status(pod: Obj, seen: Seen, host_ip: str) -> Obj:
    """The ``status`` to write for ``pod``, given its sandbox and the sandbox's apps."""
    old, spec, now = pod.get("status") or {}, pod.get("spec") or {}, stamp(time.time())
    init_done = initialized(pod, seen)
    blocked = seen.pod_waiting or (None if init_done else ("PodInitializing", ""))
    statuses = [container_status(c, seen, seen.waiting.get(c["name"]) or (blocked if c["name"] not in seen.apps
                                                                            else None))
                for c in spec.get("containers") or []]
    pod_phase = phase(pod, seen)
    ip = host_ip if spec.get("hostNetwork") else (seen.sandbox.ip if seen.sandbox else "")
    status = {"phase": pod_phase,
              "conditions": podstatus.conditions(pod_phase, statuses, old.get("conditions") or [], now, init_done),
              "hostIP": host_ip, "hostIPs": [{"ip": host_ip}], "startTime": old.get("startTime") or now,
              "containerStatuses": statuses, "podIP": ip or None, "podIPs": [{"ip": ip}] if ip else None}
    if spec.get("initContainers"):
        status["initContainerStatuses"] = [container_status(c, seen, seen.waiting.get(c["name"]))
                                           for c in spec["initContainers"]]
    if old.get("qosClass"):
        status["qosClass"] = old["qosClass"]
    return status
