"""The Node object the kubelet registers and the status it keeps current: pure builders, no I/O.

Conditions keep their ``lastTransitionTime`` while their status stays the same, and every report moves
``lastHeartbeatTime``, as the node lifecycle controller expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rktnetes.kubelet import machine
from rktnetes.kubelet.machine import Machine, Pressure

Obj = dict[str, Any]
NOT_READY_ON_SHUTDOWN = ("False", "KubeletStopped", "kubelet has stopped")
_PRESSURES = (  # (type, field of Pressure, reason when short, reason when not, message when not)
    ("MemoryPressure", "memory", "KubeletHasInsufficientMemory", "KubeletHasSufficientMemory",
     "kubelet has sufficient memory available"),
    ("DiskPressure", "disk", "KubeletHasDiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "pid", "KubeletHasInsufficientPID", "KubeletHasSufficientPID",
     "kubelet has sufficient PID available"),
)


@dataclass(frozen=True)
class Identity:
    """Who the node is and where its kubelet listens."""

    name: str
    ip: str
    hostname: str
    port: int
    labels: tuple[tuple[str, str], ...] = ()  # --node-labels, on top of the well-known ones
    taints: tuple[Obj, ...] = ()  # --register-with-taints


def capacity(m: Machine) -> Obj:
    return {"cpu": str(m.cpus), "memory": f"{m.memory_bytes // 1024}Ki",
            "ephemeral-storage": f"{m.storage_bytes // 1024}Ki", "pods": str(machine.MAX_PODS)}


def node_info(m: Machine) -> Obj:
    return {"machineID": m.machine_id, "systemUUID": m.machine_id, "bootID": m.boot_id, "kernelVersion": m.kernel,
            "osImage": m.os_image, "containerRuntimeVersion": machine.runtime_version(),
            "kubeletVersion": machine.kubelet_version(), "kubeProxyVersion": "", "operatingSystem": "linux",
            "architecture": m.architecture}


def condition(kind: str, status: str, reason: str, message: str, now: str, old: list[Obj]) -> Obj:
    """A condition, keeping the previous one's ``lastTransitionTime`` when its status did not change."""
    previous = next((c for c in old if c.get("type") == kind), {})
    since = previous.get("lastTransitionTime") if previous.get("status") == status else None
    return {"type": kind, "status": status, "reason": reason, "message": message,
            "lastHeartbeatTime": now, "lastTransitionTime": since or now}


def conditions(pressure: Pressure, now: str, old: list[Obj], ready: tuple[str, str, str] | None = None) -> list[Obj]:
    """The four conditions; ``ready`` overrides Ready's (status, reason, message)."""
    found = [condition(kind, "True" if getattr(pressure, field) else "False", short if getattr(pressure, field)
                       else fine, kind if getattr(pressure, field) else message, now, old)
             for kind, field, short, fine, message in _PRESSURES]
    status, reason, message = ready or ("True", "KubeletReady", "kubelet is posting ready status")
    return [*found, condition("Ready", status, reason, message, now, old)]


def status(m: Machine, me: Identity, pressure: Pressure, now: str, old: list[Obj],
           ready: tuple[str, str, str] | None = None) -> Obj:
    """The whole ``status`` of the Node."""
    return {
        "capacity": capacity(m), "allocatable": capacity(m),
        "addresses": [{"type": "InternalIP", "address": me.ip}, {"type": "Hostname", "address": me.hostname}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": me.port}},
        "nodeInfo": node_info(m),
        "conditions": conditions(pressure, now, old, ready),
    }


def node(m: Machine, me: Identity) -> Obj:
    """A new Node object (its status is written separately, through the status subresource)."""
    labels = {"kubernetes.io/hostname": me.hostname, "kubernetes.io/os": "linux",
              "kubernetes.io/arch": m.architecture, "beta.kubernetes.io/os": "linux",
              "beta.kubernetes.io/arch": m.architecture, **dict(me.labels)}
    spec = {"taints": [dict(t) for t in me.taints]} if me.taints else {}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": me.name, "labels": labels}, "spec": spec}


def parse_labels(text: str) -> tuple[tuple[str, str], ...]:
    """``k=v,k2=v2`` (``--node-labels``); ValueError (one line) on a malformed one."""
    pairs = [item.partition("=") for item in text.split(",") if item]
    if any(not key or not sep for key, sep, _ in pairs):
        raise ValueError(f"--node-labels wants KEY=VALUE[,KEY=VALUE…], got {text!r}")
    return tuple((key, value) for key, _, value in pairs)


def parse_taints(text: str) -> tuple[Obj, ...]:
    """``key[=value]:Effect,…`` (``--register-with-taints``); ValueError (one line) on a malformed one."""
    taints = []
    for item in (i for i in text.split(",") if i):
        pair, _, effect = item.rpartition(":")
        key, _, value = pair.partition("=")
        if not key or effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            raise ValueError(f"--register-with-taints wants KEY[=VALUE]:NoSchedule|PreferNoSchedule|NoExecute, "
                             f"got {item!r}")
        taints.append({"key": key, **({"value": value} if value else {}), "effect": effect})
    return tuple(taints)
