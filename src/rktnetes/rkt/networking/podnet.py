"""The networking of one pod, as stage0 and stage1 use it.

stage0 calls ``plan`` while preparing the pod: every flag is validated and every network resolved there,
so bad input fails before anything exists. The plan is JSON (``to_json``/``from_json``) so stage1 can
read it from the pod folder; stage1 calls ``up`` inside its supervisor once the pod's netns exists,
writes ``etc_files`` into each app's rootfs, and calls ``down`` on exit. ``gc`` calls ``down`` too.
"""

from __future__ import annotations

import json
from pathlib import Path

from rktnetes.rkt.networking import hostsfile, netconf, netinfo, netspec, ports, resolvconf
from rktnetes.rkt.networking.errors import PortError
from rktnetes.rkt.networking.netinfo import NetInfo
from rktnetes.rkt.records import Factory, Record


class PodNetPlan(Record):
    mode: str = netspec.CNI
    networks: list[netconf.Network] = Factory(list)
    dns: resolvconf.DnsOptions = Factory(resolvconf.DnsOptions)
    hosts: list[tuple[str, str]] = Factory(list)
    ports: list[dict] = Factory(list)

    def to_json(self) -> str:
        return json.dumps(self.as_dict())

    @classmethod
    def from_json(cls, text: str) -> PodNetPlan:
        raw = json.loads(text)
        nets = [netconf.Network(**n) for n in raw["networks"]]
        dns = {k: tuple(v) if isinstance(v, list) else v for k, v in raw["dns"].items()}
        hosts = [(a, n) for a, n in raw["hosts"]]
        return cls(raw["mode"], nets, resolvconf.DnsOptions(**dns), hosts, raw["ports"])


def plan(local_config: Path, net: list[str] | None = None, dns: resolvconf.DnsOptions | None = None,
         hosts_entries: list[str] | None = None, port_flags: list[str] | None = None,
         declared_ports: list[dict] | None = None) -> PodNetPlan:
    """Validates every networking flag and resolves the networks; raises a NetworkError on bad input."""
    request = netspec.parse_net(net)
    requests = [ports.parse_port(p) for p in port_flags or []]
    mapped = ports.mappings(requests, declared_ports or [])
    if mapped and request.mode != netspec.CNI:
        raise PortError(f"--port cannot be used with --net={request.mode}")
    networks = ports.publish(netconf.resolve(request, local_config), mapped)
    return PodNetPlan(request.mode, networks, dns or resolvconf.DnsOptions(),
                      hostsfile.parse_entries(hosts_entries), mapped)


def up(pod_dir: Path, pod_uuid: str, netns: str, the_plan: PodNetPlan, data_dir: Path,
       loopback: bool = True) -> list[NetInfo]:
    """Brings lo up in the pod's netns (unless the caller already did: ``loopback=False``) and ADDs its
    networks; nothing to do for --net=host."""
    if the_plan.mode == netspec.HOST:
        return []
    from rktnetes.rkt.networking import attaching, cni  # on use: --net=none and plans need neither

    if loopback:
        lo = netconf.Network("lo", netconf.CNI_VERSION, [{"type": "loopback"}])
        cni.add(lo, cni.Invocation(pod_uuid, netns, "lo"))
    return attaching.setup(pod_dir, pod_uuid, netns, the_plan.networks, data_dir)


def down(pod_dir: Path, pod_uuid: str) -> None:
    """DELs every network recorded in the pod folder, in reverse order; a no-op when there are none."""
    from rktnetes.rkt.networking import attaching

    attaching.teardown(pod_dir, pod_uuid)


def check(pod_dir: Path, pod_uuid: str) -> None:
    """CNI CHECK of every network the pod joined (its interfaces, addresses, routes and rules are still as
    ADD left them); raises PluginError naming the first network that drifted."""
    from rktnetes.rkt.networking import cni

    netns, infos = netinfo.load(pod_dir)
    for info in infos:
        if info.result is not None:
            cni.check(info.network, cni.Invocation(pod_uuid, netns, info.ifname, info.network.args), info.result)


def etc_files(the_plan: PodNetPlan, infos: list[NetInfo], hostname: str, image_hosts: str | None,
              host_etc: Path = Path("/etc")) -> dict[str, str | None]:
    """``/etc/resolv.conf`` (None: keep the image's) and ``/etc/hosts`` contents for each app's rootfs."""
    cni_dns = next((i.dns for i in infos if i.dns.get("nameservers")), None)
    return {
        "/etc/resolv.conf": resolvconf.resolv_conf(the_plan.dns, cni_dns, _read(host_etc / "resolv.conf")),
        "/etc/hosts": hostsfile.hosts_file(the_plan.hosts, hostname, _read(host_etc / "hosts"), image_hosts),
    }


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


pod_networks = netinfo.pod_networks
