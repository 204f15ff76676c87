"""Endpoints and EndpointSlices a Service should have, pure: its selected pods' IPs with its ports resolved.

A Service port's ``targetPort`` is a number or the name of a container port, which each pod resolves for
itself (pods of one Service may serve a name on different numbers); pods resolving to the same ports share a
subset (Endpoints) or a slice (EndpointSlice). Ready pods are ``addresses``, the others ``notReadyAddresses``
(or ``ready: false``), unless the Service publishes not-ready addresses. Pods without an IP, finished or
being deleted are left out; output is sorted, so an unchanged world compares equal and nothing is written.
"""

from __future__ import annotations

import hashlib
from typing import Any

from rktnetes.api import selectors
from rktnetes.client import owners
from rktnetes.controllers import podstate

Obj = dict[str, Any]
SERVICE_NAME = "kubernetes.io/service-name"
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
MANAGER = "endpointslice-controller.k8s.io"
MAX_PER_SLICE = 100


def selected(service: Obj, pods: list[Obj], terminating: bool = False) -> list[Obj]:
    """Pods the Service selects that have an IP and are not finished, nor being deleted unless ``terminating``
    (EndpointSlices keep terminating pods, marked so, for proxies draining connections)."""
    reqs = selectors.from_label_selector({"matchLabels": service["spec"].get("selector") or {}})
    return sorted((p for p in pods if selectors.matches_labels(reqs, p) and (p.get("status") or {}).get("podIP")
                   and podstate.phase(p) not in podstate.TERMINAL and (terminating or not podstate.is_terminating(p))),
                  key=lambda p: p["metadata"]["name"])


def resolve_port(pod: Obj, target: Any) -> int | None:
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == target:
                return int(port["containerPort"])
    return None


def ports_of(service: Obj, pod: Obj) -> tuple[tuple[str, int, str], ...]:
    """``(name, port, protocol)`` of each Service port this pod serves."""
    out = []
    for port in service["spec"].get("ports") or []:
        number = resolve_port(pod, port.get("targetPort", port.get("port")))
        if number is not None:
            out.append((port.get("name", ""), number, port.get("protocol", "TCP")))
    return tuple(sorted(out))


def _ready(service: Obj, pod: Obj) -> bool:
    return bool(service["spec"].get("publishNotReadyAddresses")) or podstate.is_ready(pod)


def _address(pod: Obj) -> Obj:
    address = {"ip": pod["status"]["podIP"], "targetRef": _target(pod)}
    if pod["spec"].get("nodeName"):
        address["nodeName"] = pod["spec"]["nodeName"]
    return address


def _target(pod: Obj) -> Obj:
    m = pod["metadata"]
    return {"kind": "Pod", "namespace": m["namespace"], "name": m["name"], "uid": m["uid"]}


def groups(service: Obj, pods: list[Obj], terminating: bool = False) -> dict[tuple, list[Obj]]:
    """Selected pods by the ports they resolve (pods serving none of the ports are left out)."""
    out: dict[tuple, list[Obj]] = {}
    for pod in selected(service, pods, terminating):
        ports = ports_of(service, pod)
        if ports or not service["spec"].get("ports"):
            out.setdefault(ports, []).append(pod)
    return out


def _port_dicts(ports: tuple) -> list[Obj]:
    return [{k: v for k, v in (("name", n), ("port", p), ("protocol", proto)) if v != ""} for n, p, proto in ports]


def subsets(service: Obj, pods: list[Obj]) -> list[Obj]:
    out = []
    for ports, members in sorted(groups(service, pods).items()):
        subset: Obj = {}
        ready = [_address(p) for p in members if _ready(service, p)]
        unready = [_address(p) for p in members if not _ready(service, p)]
        if ready:
            subset["addresses"] = ready
        if unready:
            subset["notReadyAddresses"] = unready
        if ports:
            subset["ports"] = _port_dicts(ports)
        out.append(subset)
    return out


def endpoints_for(service: Obj, pods: list[Obj]) -> Obj:
    m = service["metadata"]
    return {"apiVersion": "v1", "kind": "Endpoints", "metadata": {
        "name": m["name"], "namespace": m["namespace"], "labels": dict(m.get("labels") or {})},
        "subsets": subsets(service, pods)}


def _endpoint(service: Obj, pod: Obj) -> Obj:
    serving, terminating = _ready(service, pod), podstate.is_terminating(pod)
    endpoint = {"addresses": [pod["status"]["podIP"]], "targetRef": _target(pod),
                "conditions": {"ready": serving and not terminating, "serving": serving, "terminating": terminating}}
    if pod["spec"].get("nodeName"):
        endpoint["nodeName"] = pod["spec"]["nodeName"]
    return endpoint


def slices_for(service: Obj, pods: list[Obj]) -> list[Obj]:
    """The Service's EndpointSlices: per port set, up to ``MAX_PER_SLICE`` endpoints each, names stable."""
    out = []
    for ports, members in sorted(groups(service, pods, terminating=True).items()):
        for start in range(0, len(members), MAX_PER_SLICE):
            out.append(_slice(service, ports, start, members[start:start + MAX_PER_SLICE]))
    return out


def _slice(service: Obj, ports: tuple, start: int, members: list[Obj]) -> Obj:
    m = service["metadata"]
    digest = hashlib.sha256(repr((ports, start)).encode()).hexdigest()[:8]
    address_type = "IPv6" if ":" in members[0]["status"]["podIP"] else "IPv4"
    labels = {**(m.get("labels") or {}), SERVICE_NAME: m["name"], MANAGED_BY: MANAGER}
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": f"{m['name'][:54]}-{digest}", "namespace": m["namespace"], "labels": labels,
                         "ownerReferences": [owners.owner_reference(service)]},
            "addressType": address_type, "ports": _port_dicts(ports),
            "endpoints": [_endpoint(service, p) for p in members]}
