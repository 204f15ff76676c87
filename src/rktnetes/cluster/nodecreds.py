"""Each node's own credentials, as kubeadm gives each kubelet: a client certificate CN=system:node:NODE,
O=system:nodes, signed by the cluster CA, in a kubeconfig of its own. The API server lets such a user write
only its own Node, Lease and pods' status (``apiserver.noderestriction``), so one node's credentials cannot
touch another node."""

from __future__ import annotations

from pathlib import Path

from rktnetes.apiserver import auth, certs, kubeconfig

NAME = "rktnetes-node"


def user_of(node: str) -> tuple[str, tuple[str, ...]]:
    """The user name and groups of ``node``'s certificate."""
    return f"{auth.NODE_PREFIX}{node}", (auth.NODES_GROUP,)


def write_kubeconfig(apiserver_dir: Path, server: str, node: str, path: Path) -> Path:
    """Issue (or reuse) ``node``'s client certificate from the CA under ``apiserver_dir`` and write a kubeconfig
    for ``server`` with it at ``path``."""
    user, groups = user_of(node)
    pair = certs.ensure_client(apiserver_dir, user, groups)
    return kubeconfig.write(path, server, certs.ensure_ca(apiserver_dir).cert, pair, name=NAME)
