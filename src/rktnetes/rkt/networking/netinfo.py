"""What a pod's networking produced, kept in the pod folder (``net-info.json``).

It is written before each ADD (the network with no result yet) and after it, always by atomic rename,
so a supervisor killed at any point leaves a file from which ``gc`` can DEL exactly what was added.
"""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.networking.netconf import Network
from rktnetes.rkt.records import Record


class NetInfo(Record):
    """One network of a pod: the network, its interface name and the CNI result (None until ADD returned)."""

    network: Network
    ifname: str
    result: dict | None = None

    @property
    def name(self) -> str:
        return self.network.name

    def _first_ip(self) -> dict:
        result = self.result or {}
        ips = result.get("ips") or []
        if ips:
            return ips[0]
        old = result.get("ip4") or {}
        return {"address": old.get("ip", ""), "gateway": old.get("gateway", "")}

    @property
    def ip(self) -> str:
        address = self._first_ip().get("address", "")
        return str(ipaddress.ip_interface(address).ip) if address else ""

    @property
    def prefix_len(self) -> int:
        address = self._first_ip().get("address", "")
        return ipaddress.ip_interface(address).network.prefixlen if address else 0

    @property
    def gateway(self) -> str:
        return self._first_ip().get("gateway", "") or ""

    @property
    def dns(self) -> dict:
        return (self.result or {}).get("dns") or {}

    def summary(self) -> str:
        """rkt's ``list``/``status`` form: ``default:ip4=172.16.28.5``."""
        return f"{self.name}:ip4={self.ip}"


def save(pod_dir: Path, netns: str, infos: list[NetInfo]) -> None:
    target = paths.pod_networks_path(pod_dir)
    body = {"netns": netns, "networks": [i.as_dict() for i in infos]}
    scratch = target.with_name(target.name + ".tmp")
    scratch.write_text(json.dumps(body, indent=1))
    os.replace(scratch, target)


def load(pod_dir: Path) -> tuple[str, list[NetInfo]]:
    """The recorded netns path and networks; ("", []) when the pod has no CNI networks."""
    try:
        body = json.loads(paths.pod_networks_path(pod_dir).read_text())
    except FileNotFoundError:
        return "", []
    infos = [NetInfo(Network(**n["network"]), n["ifname"], n.get("result")) for n in body.get("networks", [])]
    return body.get("netns", ""), infos


def forget(pod_dir: Path) -> None:
    paths.pod_networks_path(pod_dir).unlink(missing_ok=True)


def pod_networks(pod_dir: Path) -> list[NetInfo]:
    """The pod's networks that were set up (ADD returned), in interface order; for list and status."""
    return [i for i in load(pod_dir)[1] if i.result is not None]


def summary(pod_dir: Path) -> str:
    """``default:ip4=172.16.28.5,other:ip4=…`` as ``rkt list`` shows it ("" when there are none)."""
    return ",".join(i.summary() for i in pod_networks(pod_dir))
