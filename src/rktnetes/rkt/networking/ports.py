"""``--port NAME:[HOSTIP:]HOSTPORT``: publishing an image's declared port through the CNI portmap plugin.

The portmap plugin is appended to the chain of the first network that is not ``default-restricted`` and is
handed the mappings as ``runtimeConfig.portMappings``; ``snat: true`` makes it set route_localnet and
masquerade hairpin/localhost traffic, so the port answers on 127.0.0.1 as well as on the host's addresses.
"""

from __future__ import annotations

import ipaddress

from rktnetes.rkt.networking.errors import NetSpecError, PortError
from rktnetes.rkt.networking.netconf import RESTRICTED, Network
from rktnetes.rkt.records import Record


class PortRequest(Record, frozen=True):
    name: str
    host_port: int
    host_ip: str = ""


def parse_port(value: str) -> PortRequest:
    """``http:8080`` or ``http:127.0.0.1:8080``; raises NetSpecError on anything else."""
    name, sep, rest = value.partition(":")
    host_ip, _, port = rest.rpartition(":")
    if not sep or not name or not port.isdigit() or not 0 < int(port) < 65536:
        raise NetSpecError(f"invalid --port {value!r}: want NAME:[HOSTIP:]HOSTPORT")
    if host_ip:
        try:
            host_ip = str(ipaddress.IPv4Address(host_ip))
        except ValueError:
            raise NetSpecError(f"invalid host IP {host_ip!r} in --port {value!r}") from None
    return PortRequest(name, int(port), host_ip)


def mappings(requests: list[PortRequest], declared: list[dict]) -> list[dict]:
    """portMappings for the requests; ``declared`` is the image's appc ``app.ports`` list."""
    by_name = {p.get("name"): p for p in declared}
    out: list[dict] = []
    for req in requests:
        port = by_name.get(req.name)
        if port is None:
            names = ", ".join(sorted(str(n) for n in by_name)) or "none"
            raise PortError(f"port {req.name!r} is not declared by the image (declared: {names})")
        protocol = str(port.get("protocol", "tcp")).lower()
        if any(m["hostPort"] == req.host_port and m["protocol"] == protocol for m in out):
            raise PortError(f"host port {req.host_port}/{protocol} is published twice")
        out.append({"hostPort": req.host_port, "containerPort": int(port["port"]),
                    "protocol": protocol, "hostIP": req.host_ip})
    return out


def publish(networks: list[Network], ports: list[dict]) -> list[Network]:
    """The networks with a portmap plugin on the first one that can forward; PortError if none can."""
    if not ports:
        return networks
    target = next((n for n in networks if n.name != RESTRICTED), None)
    if target is None:
        raise PortError("--port needs a network other than default-restricted (e.g. --net=default)")
    portmap = next((p for p in target.plugins if p.get("type") == "portmap"), None)
    if portmap is None:  # a conflist's own portmap keeps its settings; otherwise add one
        portmap = {"type": "portmap", "capabilities": {"portMappings": True}, "snat": True}
        target.plugins.append(portmap)
    portmap["runtimeConfig"] = {"portMappings": ports}
    return networks
