"""A local cluster's settings (kept in the profile as ``cluster.json``) and the names and addresses derived
from them: node names, network namespaces, the host bridge and veths, node IPs and pod CIDRs.

Addresses: the node network is one IPv4 /24 (default 192.168.49.0/24, as minikube's): the host end of the
bridge is .1, node i is .(i+2). Node i's pods get 10.244.i.0/24; Services 10.96.0.0/12, DNS at 10.96.0.10.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from dataclasses import asdict, dataclass, field

from rktnetes.cluster import errors

CLUSTER_CIDR = ipaddress.IPv4Network("10.244.0.0/16")
SERVICE_CIDR = ipaddress.IPv4Network("10.96.0.0/12")
DNS_IP = "10.96.0.10"
DOMAIN = "cluster.local"
MAX_NODES = 20
_PROFILE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,18}[a-z0-9])?$")


@dataclass(frozen=True)
class ClusterSpec:
    profile: str = "rktnetes"
    nodes: int = 1
    subnet: str = "192.168.49.0/24"
    apiserver_port: int = 8443
    store: str = ""  # "" : SQLite in the profile
    insecure_registry: bool = False
    dns_upstreams: tuple[str, ...] = field(default_factory=tuple)

    def validate(self) -> ClusterSpec:
        if not _PROFILE.match(self.profile):
            raise errors.BadSpec(f"--profile {self.profile!r}: 1-20 lowercase letters, digits or '-'")
        if not 1 <= self.nodes <= MAX_NODES:
            raise errors.BadSpec(f"--nodes {self.nodes}: between 1 and {MAX_NODES}")
        if self.store and not self.store.startswith(("sqlite://", "etcd://")):
            raise errors.BadSpec(f"--store {self.store!r}: sqlite:///PATH or etcd://HOST:PORT")
        if not 0 < self.apiserver_port < 65536:
            raise errors.BadSpec(f"--apiserver-port {self.apiserver_port}: not a port")
        try:
            net = ipaddress.IPv4Network(self.subnet)
        except ValueError:
            raise errors.BadSpec(f"--subnet {self.subnet!r} is not an IPv4 network like 192.168.49.0/24") from None
        if net.prefixlen != 24 or net.overlaps(CLUSTER_CIDR) or net.overlaps(SERVICE_CIDR):
            raise errors.BadSpec(f"--subnet {self.subnet}: a /24 outside 10.244.0.0/16 and 10.96.0.0/12")
        return self

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> ClusterSpec:
        raw = json.loads(text)
        raw["dns_upstreams"] = tuple(raw.get("dns_upstreams") or ())
        return cls(**raw)

    def _tag(self) -> str:
        return hashlib.sha256(self.profile.encode()).hexdigest()[:6]

    @property
    def bridge(self) -> str:
        return f"rkb{self._tag()}"

    @property
    def host_ip(self) -> str:
        return str(ipaddress.IPv4Network(self.subnet)[1])

    @property
    def server(self) -> str:
        return f"https://{self.host_ip}:{self.apiserver_port}"

    def node_names(self) -> list[str]:
        """The first node is named after the profile, the others PROFILE-m02, -m03… (as minikube does)."""
        return [self.profile] + [f"{self.profile}-m{i + 1:02d}" for i in range(1, self.nodes)]

    def node(self, index: int) -> Node:
        net = ipaddress.IPv4Network(self.subnet)
        return Node(self.node_names()[index], index, str(net[index + 2]), f"rktnetes-{self.profile}-{index}",
                    f"rkv{self._tag()}{index}", str(ipaddress.IPv4Network(f"10.244.{index}.0/24")))

    def all_nodes(self) -> list[Node]:
        return [self.node(i) for i in range(self.nodes)]


@dataclass(frozen=True)
class Node:
    name: str
    index: int
    ip: str
    netns: str  # the `ip netns` name
    veth: str  # the host end of its veth
    pod_cidr: str
