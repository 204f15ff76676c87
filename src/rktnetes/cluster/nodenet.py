"""The node network of a local cluster, made with ``ip`` and ``nft`` in the caller's network namespace.

One bridge holds the host's address (.1) and the host ends of one veth per node; the other end is ``eth0``
of the node's own namespace. Inside each node namespace: its address on the node subnet, a route to every
other node's pod CIDR via that node, an on-link route for the Service CIDR (so the node's own connections to
a Service IP get routed and then DNATed by the proxy; with no DNAT nobody answers ARP for it), ip_forward on, and one nftables table (``ip rktnetes-node``) that
masquerades pod traffic leaving for the node network (the API server, DNS and registry on the host), so the
host needs no route to any pod. Nothing else is touched in the caller's namespace: no NAT, no default
route; the bridge's connected route keeps traffic to the node subnet on the box. Pods have no route out.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess
from pathlib import Path

from rktnetes.cluster import errors, layout
from rktnetes.cluster.spec import CLUSTER_CIDR, SERVICE_CIDR, ClusterSpec, Node

POD_NETWORK = "rktnetes"
TIMEOUT = 30.0
_MASQ = """table ip rktnetes-node {{
 chain postrouting {{
  type nat hook postrouting priority srcnat + 10; policy accept;
  ip saddr {cidr} ip daddr != {cidr} oifname "eth0" masquerade
 }}
}}
"""


def _run(argv: list[str], stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if check and done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise errors.NetworkSetupFailed(f"{' '.join(argv[:6])}: {reason}")
    return done


def _in_node(node: Node, argv: list[str], stdin: str | None = None) -> None:
    _run(["ip", "netns", "exec", node.netns, *argv], stdin)


def pod_network_conf(node: Node) -> dict:
    """The CNI network (ptp, host-local in the node's pod CIDR) the node's pods join. Their resolv.conf comes
    from the kubelet (``--cluster-dns``: the namespace's search list), not from here."""
    ipam = {"type": "host-local", "subnet": node.pod_cidr, "routes": [{"dst": "0.0.0.0/0"}]}
    return {"cniVersion": "1.0.0", "name": POD_NETWORK, "type": "ptp", "ipMasq": False, "ipam": ipam}


def clashes(routes: list[dict], subnet: str, bridge: str) -> list[str]:
    """The routes (``ip -j route`` entries) of this namespace, but the default one and the bridge's own,
    that overlap ``subnet``: a network the host already reaches that the nodes would hide."""
    net = ipaddress.IPv4Network(subnet)
    found = []
    for route in routes:
        dst = route.get("dst", "")
        if dst == "default" or route.get("dev") == bridge:
            continue
        try:
            other = ipaddress.IPv4Network(dst, strict=False)
        except ValueError:
            continue
        if net.overlaps(other):
            found.append(f"{dst} dev {route.get('dev')}")
    return found


def _routes() -> list[dict]:
    return json.loads(_run(["ip", "-j", "-4", "route", "show", "table", "all"]).stdout or "[]")


def free_subnet(routes: list[dict] | None = None) -> str:
    """The first of 192.168.49.0/24, .58, .67, … (minikube's sequence) that no route here overlaps."""
    routes = _routes() if routes is None else routes
    for third in range(49, 256, 9):
        subnet = f"192.168.{third}.0/24"
        if not clashes(routes, subnet, bridge=""):
            return subnet
    raise errors.NetworkSetupFailed("no free 192.168.x.0/24 for the node network: pass --subnet")


def _make_bridge(spec: ClusterSpec) -> None:
    if _run(["ip", "link", "show", spec.bridge], check=False).returncode == 0:
        return
    taken = clashes(_routes(), spec.subnet, spec.bridge)
    if taken:
        raise errors.NetworkSetupFailed(f"node subnet {spec.subnet} overlaps this host's route {taken[0]}: "
                                        "choose another --subnet")
    _run(["ip", "link", "add", spec.bridge, "type", "bridge"])
    _run(["ip", "addr", "add", f"{spec.host_ip}/24", "dev", spec.bridge])
    _run(["ip", "link", "set", spec.bridge, "up"])


def _make_node(spec: ClusterSpec, node: Node) -> None:
    _run(["ip", "netns", "add", node.netns])
    _run(["ip", "link", "add", node.veth, "type", "veth", "peer", "name", "eth0", "netns", node.netns])
    _run(["ip", "link", "set", node.veth, "master", spec.bridge, "up"])
    batch = [f"addr add {node.ip}/24 dev eth0", "link set eth0 up", "link set lo up"]
    batch += [f"route add {other.pod_cidr} via {other.ip}" for other in spec.all_nodes() if other != node]
    batch.append(f"route add {SERVICE_CIDR} dev eth0")  # on-link: lets the node itself reach Service IPs
    _run(["ip", "-n", node.netns, "-batch", "-"], "\n".join(batch) + "\n")
    _in_node(node, ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
    _in_node(node, ["nft", "-f", "-"], _MASQ.format(cidr=CLUSTER_CIDR))


def up(spec: ClusterSpec) -> None:
    """Create the bridge and every node namespace not there yet (a node that fails half-way is removed)."""
    _make_bridge(spec)
    for node in spec.all_nodes():
        if layout.netns_path(node.netns).exists():
            continue
        try:
            _make_node(spec, node)
        except errors.NetworkSetupFailed:
            _remove_node(node)
            raise


def _remove_node(node: Node) -> None:
    _run(["ip", "netns", "del", node.netns], check=False)  # its eth0 and with it the host's veth end go too
    _run(["ip", "link", "del", node.veth], check=False)


def down(spec: ClusterSpec) -> None:
    """Remove every node namespace (with its veth, routes and nft table) and the bridge; missing is fine."""
    for node in spec.all_nodes():
        _remove_node(node)
    _run(["ip", "link", "del", spec.bridge], check=False)


def node_up(node: Node) -> bool:
    return layout.netns_path(node.netns).exists()


def write_pod_network(node: Node, net_d: Path) -> None:
    """The node's pod network as a file of its rkt ``--local-config``'s net.d."""
    net_d.mkdir(parents=True, exist_ok=True)
    (net_d / f"10-{POD_NETWORK}.conf").write_text(json.dumps(pod_network_conf(node), indent=1))
