"""What the proxy programs, pure: each Service port with the endpoints that serve it.

A Service contributes one ``ServicePort`` per port that has a cluster IP (headless and ExternalName Services
have nothing to proxy). Its endpoints come from the Service's EndpointSlices (label
``kubernetes.io/service-name``), or from its Endpoints object when it has no slice at all (clusters whose
EndpointSlice controller is off). Only ready endpoints are kept (terminating ones still serving when no other
is left); the slice port of the same name gives the target port. External addresses are ``externalIPs`` and a
LoadBalancer's ingress IPs. Output is sorted, so an unchanged world builds the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]
SERVICE_NAME = "kubernetes.io/service-name"
DEFAULT_AFFINITY_SECONDS = 10800


@dataclass(frozen=True, order=True)
class Endpoint:
    ip: str
    port: int
    node: str = ""


@dataclass(frozen=True)
class ServicePort:
    namespace: str
    name: str
    port_name: str
    protocol: str  # tcp, udp or sctp: nft's spelling
    cluster_ip: str
    port: int
    node_port: int = 0
    external_ips: tuple[str, ...] = ()
    affinity_seconds: int = 0  # 0: no session affinity
    internal_local: bool = False
    external_local: bool = False
    endpoints: tuple[Endpoint, ...] = ()

    @property
    def id(self) -> str:
        """``namespace/name/protocol/port-name``: unique per cluster, readable in chain names."""
        return f"{self.namespace}/{self.name}/{self.protocol}/{self.port_name}"

    def local_endpoints(self, node: str) -> tuple[Endpoint, ...]:
        return tuple(e for e in self.endpoints if e.node == node)


def _affinity(spec: Obj) -> int:
    if spec.get("sessionAffinity") != "ClientIP":
        return 0
    config = (spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}
    return int(config.get("timeoutSeconds") or DEFAULT_AFFINITY_SECONDS)


def proxied(service: Obj) -> bool:
    """Whether the Service has a cluster IP to proxy (not headless, not ExternalName)."""
    spec = service.get("spec") or {}
    ip = spec.get("clusterIP") or ""
    return spec.get("type") != "ExternalName" and ip not in ("", "None") and ":" not in ip


def _usable(conditions: dict) -> tuple[bool, bool]:
    """(ready, serving while terminating) of a slice endpoint; ``ready`` is true when unset."""
    ready = conditions.get("ready") is not False
    return ready, not ready and bool(conditions.get("serving")) and bool(conditions.get("terminating"))


def from_slices(slices: list[Obj]) -> dict[str, tuple[Endpoint, ...]]:
    """Ready endpoints of a Service's IPv4 slices, by port name; where a port has none, its endpoints still
    serving while they terminate (so connections drain instead of failing, as kube-proxy does)."""
    ready: dict[str, set[Endpoint]] = {}
    draining: dict[str, set[Endpoint]] = {}
    for slice_ in (s for s in slices if s.get("addressType", "IPv4") == "IPv4"):
        for endpoint in slice_.get("endpoints") or []:
            is_ready, is_draining = _usable(endpoint.get("conditions") or {})
            if not (is_ready or is_draining):
                continue
            found = ready if is_ready else draining
            for port in slice_.get("ports") or []:
                for ip in endpoint.get("addresses") or []:
                    found.setdefault(port.get("name") or "", set()).add(
                        Endpoint(ip, int(port["port"]), endpoint.get("nodeName") or ""))
    return {name: tuple(sorted(ready.get(name) or draining[name])) for name in {*ready, *draining}}


def from_endpoints(endpoints: Obj | None) -> dict[str, tuple[Endpoint, ...]]:
    """Ready addresses of an Endpoints object, by port name."""
    found: dict[str, set[Endpoint]] = {}
    for subset in (endpoints or {}).get("subsets") or []:
        for port in subset.get("ports") or []:
            for address in subset.get("addresses") or []:
                found.setdefault(port.get("name") or "", set()).add(
                    Endpoint(address["ip"], int(port["port"]), address.get("nodeName") or ""))
    return {name: tuple(sorted(eps)) for name, eps in found.items()}


def _external_ips(service: Obj) -> tuple[str, ...]:
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    ips = [*(service["spec"].get("externalIPs") or []), *(i.get("ip") for i in ingress if i.get("ip"))]
    return tuple(dict.fromkeys(ip for ip in ips if ":" not in ip))


def service_ports(service: Obj, endpoints: dict[str, tuple[Endpoint, ...]]) -> list[ServicePort]:
    """The ``ServicePort``s of one Service, given its endpoints by port name."""
    if not proxied(service):
        return []
    meta, spec = service["metadata"], service["spec"]
    return [ServicePort(
        meta.get("namespace") or "default", meta["name"], port.get("name") or "",
        str(port.get("protocol") or "TCP").lower(), spec["clusterIP"], int(port["port"]),
        int(port.get("nodePort") or 0) if spec.get("type") in ("NodePort", "LoadBalancer") else 0,
        _external_ips(service), _affinity(spec),
        spec.get("internalTrafficPolicy") == "Local", spec.get("externalTrafficPolicy") == "Local",
        endpoints.get(port.get("name") or "", ()),
    ) for port in spec.get("ports") or []]


def all_ports(services: list[Obj], slices_of, endpoints_of) -> list[ServicePort]:
    """Every ServicePort of the cluster; ``slices_of(key)`` and ``endpoints_of(key)`` read the caches."""
    out: list[ServicePort] = []
    for service in services:
        key = f"{service['metadata'].get('namespace')}/{service['metadata']['name']}"
        slices = slices_of(key)
        out.extend(service_ports(service, from_slices(slices) if slices else from_endpoints(endpoints_of(key))))
    return sorted(out, key=lambda p: p.id)
