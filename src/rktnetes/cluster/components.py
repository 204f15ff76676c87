"""The command line of every component of a local cluster, built from its settings (pure: no I/O).

The control plane (API server, controller manager, scheduler, DNS) runs in the caller's namespace and
listens on the host's end of the node bridge. Each node's kubelet runs inside the node's namespace, reaches
the API server over the node network and starts pods there; its proxy runs beside the control plane and
programs the node's namespace through ``--netns`` (the proxy refuses to program the namespace it runs in).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from rktnetes.cluster import layout, nodenet
from rktnetes.cluster.spec import CLUSTER_CIDR, DNS_IP, DOMAIN, ClusterSpec, Node

CONTROL_PLANE = ("apiserver", "controller-manager", "scheduler", "dns")
KUBELET_PORT = 10250


@dataclass(frozen=True)
class Component:
    name: str
    argv: list[str]
    netns: str | None = None  # path of the node namespace it runs in


def _rktnetes(*args: str) -> list[str]:
    return [sys.executable, "-m", "rktnetes.cluster", *args]


def apiserver(spec: ClusterSpec, profile: Path) -> Component:
    argv = _rktnetes("apiserver", f"--data-dir={layout.apiserver_dir(profile)}", f"--bind-address={spec.host_ip}",
                     f"--port={spec.apiserver_port}", f"--advertise-address={spec.host_ip}",
                     f"--tls-san={spec.host_ip}")
    return Component("apiserver", argv + ([f"--store={spec.store}"] if spec.store else []))


def control_plane(spec: ClusterSpec, profile: Path) -> list[Component]:
    """The API server first, then what only needs it."""
    kubeconfig = f"--kubeconfig={layout.admin_kubeconfig_path(profile)}"
    upstreams = [f"--upstream={u}" for u in spec.dns_upstreams]
    return [apiserver(spec, profile),
            Component("controller-manager", _rktnetes("controller-manager", kubeconfig, "--leader-elect=false",
                                                      f"--hostpath-provisioner-dir="
                                                      f"{layout.hostpath_provisioner_dir(profile)}")),
            Component("scheduler", _rktnetes("scheduler", kubeconfig, "--no-leader-elect")),
            Component("dns", _rktnetes("dns", kubeconfig, f"--listen={spec.host_ip}:53", *upstreams))]


def kubelet(spec: ClusterSpec, profile: Path, node: Node) -> Component:
    netns = str(layout.netns_path(node.netns))
    insecure = "image,http" if spec.insecure_registry else "image"
    argv = _rktnetes("kubelet", f"--kubeconfig={layout.node_kubeconfig_path(profile, node.name)}",
                     f"--node-name={node.name}",
                     f"--node-ip={node.ip}", f"--address={node.ip}", f"--port={KUBELET_PORT}",
                     f"--rkt-dir={layout.node_rkt_dir(profile, node.name)}",
                     f"--root-dir={layout.node_kubelet_dir(profile, node.name)}",
                     f"--rkt-local-config={layout.node_rkt_config_dir(profile, node.name)}",
                     f"--pod-network={nodenet.POD_NETWORK}", f"--node-netns={netns}", f"--cluster-dns={DNS_IP}",
                     f"--cluster-domain={DOMAIN}", f"--client-ca-file={layout.cluster_ca_path(profile)}",
                     f"--rkt-insecure-options={insecure}", "--pod-sandboxes", "-v")
    return Component(f"kubelet-{node.name}", argv, netns)


def proxy(spec: ClusterSpec, profile: Path, node: Node) -> Component:
    netns = str(layout.netns_path(node.netns))
    argv = _rktnetes("proxy", f"--kubeconfig={layout.admin_kubeconfig_path(profile)}", f"--node-name={node.name}",
                     f"--netns={netns}", f"--cluster-cidr={CLUSTER_CIDR}", "--healthz-port=0",
                     "--nodeport-addresses", f"{node.ip}/32")
    return Component(f"proxy-{node.name}", argv)  # it stays here: only its nft/conntrack enter the node


def node_components(spec: ClusterSpec, profile: Path) -> list[Component]:
    return [c for node in spec.all_nodes() for c in (kubelet(spec, profile, node), proxy(spec, profile, node))]


def all_components(spec: ClusterSpec, profile: Path) -> list[Component]:
    return control_plane(spec, profile) + node_components(spec, profile)
