"""Every on-disk path of a local cluster, under its profile directory, from one named helper each.

A profile directory holds the cluster's settings (``cluster.json``), the API server's data (PKI, the SQLite
store, the admin kubeconfig), one folder per node (rkt data, rkt's local configuration with the node's pod
network, the kubelet's files), every component's log and pid file.
"""

from __future__ import annotations

import os
from pathlib import Path

from rktnetes.apiserver import paths as apiserver_paths
from rktnetes.rkt import paths as rkt_paths

NETNS_DIR = Path("/run/netns")


def default_base_dir() -> Path:
    """``$RKTNETES_HOME``, else ``~/.rktnetes`` (as minikube keeps ``~/.minikube``)."""
    return Path(os.environ.get("RKTNETES_HOME") or Path.home() / ".rktnetes")


def profile_dir(base: Path, profile: str) -> Path:
    return base / "profiles" / profile


def spec_path(profile: Path) -> Path:
    return profile / "cluster.json"


def lock_path(profile: Path) -> Path:
    """Held while start, stop or delete works on the profile."""
    return profile / "lock"


def logs_dir(profile: Path) -> Path:
    return profile / "logs"


def log_path(profile: Path, component: str) -> Path:
    return logs_dir(profile) / f"{component}.log"


def run_dir(profile: Path) -> Path:
    return profile / "run"


def pid_path(profile: Path, component: str) -> Path:
    return run_dir(profile) / f"{component}.pid"


def state_path(profile: Path, component: str) -> Path:
    """What the component's supervisor says of it: Running (its pid) or Restarting, and its restarts."""
    return run_dir(profile) / f"{component}.state"


def apiserver_dir(profile: Path) -> Path:
    return profile / "apiserver"


def admin_kubeconfig_path(profile: Path) -> Path:
    return apiserver_dir(profile) / "admin.kubeconfig"


def hostpath_provisioner_dir(profile: Path) -> Path:
    """Where the controller manager provisions hostPath volumes of the ``standard`` StorageClass."""
    return profile / "hostpath-provisioner"


def cluster_ca_path(profile: Path) -> Path:
    """The cluster CA (the API server's): kubelets accept only clients it signed."""
    return apiserver_paths.ca_cert_path(apiserver_dir(profile))


def node_dir(profile: Path, node: str) -> Path:
    return profile / "nodes" / node


def node_rkt_dir(profile: Path, node: str) -> Path:
    return node_dir(profile, node) / "rkt"


def node_rkt_config_dir(profile: Path, node: str) -> Path:
    """The node's rkt ``--local-config``: its net.d holds the node's pod network."""
    return node_dir(profile, node) / "rkt-config"


def node_net_d_dir(profile: Path, node: str) -> Path:
    return rkt_paths.net_d_dir(node_rkt_config_dir(profile, node))


def node_kubelet_dir(profile: Path, node: str) -> Path:
    return node_dir(profile, node) / "kubelet"


def node_kubeconfig_path(profile: Path, node: str) -> Path:
    """The kubelet's own kubeconfig: the node's client certificate (CN=system:node:NODE, O=system:nodes)."""
    return node_dir(profile, node) / "kubelet.kubeconfig"


def netns_path(name: str) -> Path:
    """Where ``ip netns add NAME`` bind-mounts a namespace."""
    return NETNS_DIR / name


def user_kubeconfig_path() -> Path:
    """The kubeconfig kubectl reads by default: the first of ``$KUBECONFIG``, else ``~/.kube/config``."""
    first = (os.environ.get("KUBECONFIG") or "").split(os.pathsep)[0]
    return Path(first) if first else Path.home() / ".kube" / "config"
