"""Service cluster IPs (10.96.0.0/12) and node ports (30000-32767), allocated without a lock.

Each address or port in use is a key of its own in the store (``/registry/ranges/...``), claimed with the
store's create-if-absent: two API servers racing for one address cannot both win, the loser picks another.
A claim is released when its Service goes (or when the create that claimed it fails).
"""

from __future__ import annotations

import ipaddress
import random
from typing import Any

from rktnetes.api import errors
from rktnetes.api.errors import Cause
from rktnetes.api.resources import Resource
from rktnetes.apiserver.registry import Registry

Obj = dict[str, Any]
SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
NODE_PORTS = range(30000, 32768)
IP_PREFIX, PORT_PREFIX = "/registry/ranges/serviceips/", "/registry/ranges/servicenodeports/"
ATTEMPTS = 64


async def _claim_free(registry: Registry, prefix: str, pick) -> str:
    for _ in range(ATTEMPTS):
        value = pick()
        if await registry.claim(prefix + value):
            return value
    raise errors.internal(f"no free value left under {prefix}")


def _random_ip() -> str:
    return str(SERVICE_CIDR[random.randrange(2, SERVICE_CIDR.num_addresses - 1)])


async def _claim_given(registry: Registry, resource: Resource, obj: Obj, prefix: str, value: str, path: str,
                       what: str) -> None:
    if not await registry.claim(prefix + value):
        cause = Cause("FieldValueInvalid", path, f"Invalid value: {value}: provided {what} is already allocated")
        raise errors.invalid(resource, obj["metadata"]["name"], [cause])


def _check_ip(resource: Resource, obj: Obj, ip: str) -> None:
    try:
        inside = ipaddress.ip_address(ip) in SERVICE_CIDR
    except ValueError:
        inside = False
    if not inside:
        cause = Cause("FieldValueInvalid", "spec.clusterIPs", f"Invalid value: []string{{\"{ip}\"}}: failed to "
                      f"allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs "
                      f"is {SERVICE_CIDR}")
        raise errors.invalid(resource, obj["metadata"]["name"], [cause])


async def allocate(registry: Registry, resource: Resource, obj: Obj) -> list[str]:
    """Give a new Service its cluster IP and node ports; the claim keys taken (to release on failure)."""
    spec, taken = obj["spec"], []
    if spec.get("type") == "ExternalName":
        return taken
    ip = spec.get("clusterIP") or ""
    if ip and ip != "None":
        _check_ip(resource, obj, ip)
        await _claim_given(registry, resource, obj, IP_PREFIX, ip, "spec.clusterIPs", "IP")
    elif not ip:
        ip = await _claim_free(registry, IP_PREFIX, _random_ip)
    if ip != "None":
        taken.append(IP_PREFIX + ip)
    spec["clusterIP"], spec["clusterIPs"] = ip, [ip]
    if spec.get("type") in ("NodePort", "LoadBalancer"):
        taken += await _node_ports(registry, resource, obj)
    return taken


async def update_node_ports(registry: Registry, resource: Resource, obj: Obj) -> list[str]:
    """On update: give node ports to the ports of a NodePort/LoadBalancer Service that have none, drop them from a
    Service that is no longer one; the claims taken."""
    ports = obj["spec"].get("ports") or []
    if obj["spec"].get("type") not in ("NodePort", "LoadBalancer"):
        for port in ports:
            port.pop("nodePort", None)
        return []
    return await _node_ports(registry, resource, obj, only_missing=True)


async def _node_ports(registry: Registry, resource: Resource, obj: Obj, only_missing: bool = False) -> list[str]:
    taken = []
    for i, port in enumerate(obj["spec"].get("ports") or []):
        if port.get("nodePort") and only_missing:
            continue
        if port.get("nodePort"):
            await _claim_given(registry, resource, obj, PORT_PREFIX, str(port["nodePort"]),
                               f"spec.ports[{i}].nodePort", "port")
        else:
            port["nodePort"] = int(await _claim_free(registry, PORT_PREFIX, lambda: str(random.choice(NODE_PORTS))))
        taken.append(PORT_PREFIX + str(port["nodePort"]))
    return taken


def claims_of(obj: Obj) -> list[str]:
    """The claim keys a stored Service holds."""
    spec = obj.get("spec") or {}
    keys = [IP_PREFIX + ip for ip in spec.get("clusterIPs") or [] if ip and ip != "None"]
    return keys + [PORT_PREFIX + str(p["nodePort"]) for p in spec.get("ports") or [] if p.get("nodePort")]


async def release(registry: Registry, keys: list[str]) -> None:
    for key in keys:
        await registry.unclaim(key)


def keep_on_update(new: Obj, old: Obj) -> None:
    """clusterIP is immutable and node ports stay with their port unless the update names others."""
    spec, old_spec = new.setdefault("spec", {}), old.get("spec") or {}
    for key in ("clusterIP", "clusterIPs"):
        if old_spec.get(key) and not spec.get(key):
            spec[key] = old_spec[key]
    old_ports = {(p.get("port"), p.get("protocol", "TCP")): p.get("nodePort") for p in old_spec.get("ports") or []}
    for port in spec.get("ports") or []:
        if not port.get("nodePort") and spec.get("type") in ("NodePort", "LoadBalancer"):
            found = old_ports.get((port.get("port"), port.get("protocol", "TCP")))
            if found:
                port["nodePort"] = found
