"""What cluster DNS needs of Services and EndpointSlices, as small frozen records built from API objects.

Pure functions: an informer hands a cached object in, a record comes out, and the object is never mutated.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
_ADDRESS_TYPES = ("IPv4", "IPv6")


@dataclass(frozen=True)
class Port:
    name: str
    protocol: str  # lower case, as in an SRV label: tcp, udp, sctp
    port: int


@dataclass(frozen=True)
class Service:
    namespace: str
    name: str
    cluster_ips: tuple[str, ...]
    headless: bool
    external_name: str
    ports: tuple[Port, ...]
    publish_not_ready: bool


@dataclass(frozen=True)
class Endpoint:
    ip: str
    hostname: str
    ready: bool


@dataclass(frozen=True)
class Slice:
    """One EndpointSlice: the service it belongs to, its endpoints (one per address) and ports."""

    namespace: str
    name: str
    service: str
    endpoints: tuple[Endpoint, ...]
    ports: tuple[Port, ...]


def is_ip(text: str) -> bool:
    """True for an IPv4 or IPv6 address (the API may hold anything: answers are built only from real ones)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _ports(items: list[Obj] | None, number_field: str) -> tuple[Port, ...]:
    return tuple(Port(str(p.get("name") or ""), str(p.get("protocol") or "TCP").lower(), int(p.get(number_field) or 0))
                 for p in items or [])


def service_of(obj: Obj) -> Service:
    """The record of a Service object."""
    meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
    cluster_ips = tuple(spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else []))
    headless = spec.get("clusterIP") == "None"
    external = str(spec.get("externalName") or "") if spec.get("type") == "ExternalName" else ""
    return Service(str(meta.get("namespace") or ""), str(meta.get("name") or ""),
                   () if headless or external else tuple(ip for ip in cluster_ips if is_ip(ip)),
                   headless and not external, external.rstrip("."), _ports(spec.get("ports"), "port"),
                   bool(spec.get("publishNotReadyAddresses")))


def _endpoints(item: Obj) -> tuple[Endpoint, ...]:
    ready = (item.get("conditions") or {}).get("ready")
    hostname = str(item.get("hostname") or "")
    return tuple(Endpoint(str(ip), hostname, ready is not False) for ip in item.get("addresses") or []
                 if is_ip(str(ip)))


def slice_of(obj: Obj) -> Slice | None:
    """The record of an EndpointSlice of IP addresses that names its Service; None for any other slice."""
    meta = obj.get("metadata") or {}
    service = (meta.get("labels") or {}).get(SERVICE_NAME_LABEL)
    if not service or obj.get("addressType") not in _ADDRESS_TYPES:
        return None
    endpoints = tuple(e for item in obj.get("endpoints") or [] for e in _endpoints(item))
    return Slice(str(meta.get("namespace") or ""), str(meta.get("name") or ""), str(service), endpoints,
                 _ports(obj.get("ports"), "port"))
