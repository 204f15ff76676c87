"""``rktnetes start``: start a local cluster (like ``minikube start``) and point kubectl at it."""

from __future__ import annotations

import argparse
import os

from rktnetes.cluster import nodenet, profileflags, starting
from rktnetes.cluster.cli import ClusterError

_FLAGS = {"nodes": "nodes", "subnet": "subnet", "apiserver_port": "apiserver_port", "store": "store",
          "insecure_registry": "insecure_registry", "dns_upstream": "dns_upstreams"}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("start", help="start a local cluster: control plane, DNS and N nodes")
    profileflags.add(p)
    p.add_argument("--nodes", type=int, help="number of nodes (default 1; fixed once the profile exists)")
    p.add_argument("--subnet", help="the node network, an IPv4 /24 (default: the first free of 192.168.49.0/24, "
                                    ".58, .67, …): the host is .1, node i is .(i+2)")
    p.add_argument("--apiserver-port", type=int, help="HTTPS port of the API server on the host's address "
                                                      "(default 8443)")
    p.add_argument("--store", help="store URL for the API server (default: SQLite in the profile)")
    p.add_argument("--insecure-registry", action="store_true", default=None,
                   help="let kubelets pull images over plain HTTP")
    p.add_argument("--dns-upstream", action="append", metavar="IP:PORT",
                   help="where cluster DNS forwards other names (default: /etc/resolv.conf's servers)")
    p.set_defaults(func=run)


def _asked(args: argparse.Namespace) -> dict:
    asked = {field: getattr(args, flag) for flag, field in _FLAGS.items() if getattr(args, flag) is not None}
    if "dns_upstreams" in asked:
        asked["dns_upstreams"] = tuple(asked["dns_upstreams"])
    return asked


def run(args: argparse.Namespace) -> int:
    profile = profileflags.profile(args)
    asked = _asked(args)
    spec = profile.settle(asked)
    if os.geteuid() != 0:
        raise ClusterError("rktnetes start makes network namespaces and runs pods: run it as root")
    if not profile.exists() and "subnet" not in asked:
        spec = profile.settle({**asked, "subnet": nodenet.free_subnet()})
    with profile.locked():
        starting.start(profile, spec)
    return 0
