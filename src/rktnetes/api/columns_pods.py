"""The pod table, with kube-apiserver's printer logic: READY counts ready containers (sidecars included), STATUS
is the phase refined by init progress (``Init:1/2``), container states (``CrashLoopBackOff``, ``ExitCode:1``)
and deletion (``Terminating``); RESTARTS adds how long ago the last one was."""

from __future__ import annotations

from dataclasses import dataclass

from rktnetes.api.tables import AGE, NAME, NONE, Column, Obj, since


@dataclass
class _Row:
    reason: str
    ready: int = 0
    total: int = 0
    restarts: int = 0
    last_restart: str = ""
    sidecar_restarts: int = 0
    sidecar_last: str = ""
    running: bool = False

    def count_restart(self, cs: Obj, sidecar: bool = False) -> None:
        self.restarts += cs.get("restartCount", 0)
        finished = ((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt") or ""
        self.last_restart = max(self.last_restart, finished)
        if sidecar:
            self.sidecar_restarts += cs.get("restartCount", 0)
            self.sidecar_last = max(self.sidecar_last, finished)


def _exit(prefix: str, term: Obj) -> str:
    if term.get("reason"):
        return prefix + term["reason"]
    if term.get("signal"):
        return f"{prefix}Signal:{term['signal']}"
    return f"{prefix}ExitCode:{term.get('exitCode', 0)}"


def _init(row: _Row, spec: Obj, status: Obj) -> bool:
    """Walk the init containers; True while the pod is still initializing."""
    policies = {c.get("name"): c.get("restartPolicy") for c in spec.get("initContainers") or []}
    count = len(spec.get("initContainers") or [])
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        sidecar = policies.get(cs.get("name")) == "Always"
        row.count_restart(cs, sidecar)
        if sidecar and cs.get("started"):
            row.ready += 1 if cs.get("ready") else 0
            continue
        state = cs.get("state") or {}
        term, wait = state.get("terminated"), state.get("waiting") or {}
        if term and term.get("exitCode", 0) == 0:
            continue
        if term:
            row.reason = _exit("Init:", term)
        elif wait.get("reason") and wait["reason"] != "PodInitializing":
            row.reason = "Init:" + wait["reason"]
        else:
            row.reason = f"Init:{i}/{count}"
        return True
    return False


def _containers(row: _Row, status: Obj) -> None:
    row.restarts, row.last_restart = row.sidecar_restarts, row.sidecar_last
    for cs in reversed(status.get("containerStatuses") or []):
        row.count_restart(cs)
        state = cs.get("state") or {}
        term, wait = state.get("terminated"), state.get("waiting") or {}
        if wait.get("reason"):
            row.reason = wait["reason"]
        elif term:
            row.reason = _exit("", term)
        elif cs.get("ready") and state.get("running") is not None:
            row.running = True
            row.ready += 1


def _condition(status: Obj, kind: str) -> bool:
    return any(c.get("type") == kind and c.get("status") == "True" for c in status.get("conditions") or [])


def pod_row(obj: Obj) -> _Row:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    row = _Row(status.get("reason") or status.get("phase") or "")
    if any(c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated"
           for c in status.get("conditions") or []):
        row.reason = "SchedulingGated"
    sidecars = sum(1 for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always")
    row.total = len(spec.get("containers") or []) + sidecars
    if not _init(row, spec, status) or _condition(status, "Initialized"):
        _containers(row, status)
        if row.reason == "Completed" and row.running:
            row.reason = "Running" if _condition(status, "Ready") else "NotReady"
    deleting = (obj.get("metadata") or {}).get("deletionTimestamp")
    if deleting and status.get("reason") == "NodeLost":
        row.reason = "Unknown"
    elif deleting and status.get("phase") not in ("Succeeded", "Failed"):
        row.reason = "Terminating"
    return row


def _restarts(obj: Obj) -> str:
    row = pod_row(obj)
    return f"{row.restarts} ({since(row.last_restart)} ago)" if row.restarts and row.last_restart else \
        str(row.restarts)


def _readiness_gates(obj: Obj) -> str:
    gates = (obj.get("spec") or {}).get("readinessGates") or []
    if not gates:
        return NONE
    conditions = {c.get("type"): c.get("status") for c in (obj.get("status") or {}).get("conditions") or []}
    ready = sum(1 for g in gates if conditions.get(g.get("conditionType")) == "True")
    return f"{ready}/{len(gates)}"


def _ready(obj: Obj) -> str:
    row = pod_row(obj)
    return f"{row.ready}/{row.total}"


POD = (NAME, Column("Ready", _ready), Column("Status", lambda o: pod_row(o).reason), Column("Restarts", _restarts),
       AGE, Column("IP", lambda o: (o.get("status") or {}).get("podIP") or NONE, 1),
       Column("Node", lambda o: (o.get("spec") or {}).get("nodeName") or NONE, 1),
       Column("Nominated Node", lambda o: (o.get("status") or {}).get("nominatedNodeName") or NONE, 1),
       Column("Readiness Gates", _readiness_gates, 1))
COLUMNS: dict[tuple[str, str], tuple[Column, ...]] = {("", "Pod"): POD}
