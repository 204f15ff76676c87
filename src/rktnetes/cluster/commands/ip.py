"""``rktnetes ip [--node NAME]``: a node's IP on the node network (like ``minikube ip``)."""

from __future__ import annotations

import argparse

from rktnetes.cluster import errors, profileflags


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("ip", help="print a node's IP address (the first node's by default)")
    profileflags.add(p)
    p.add_argument("-n", "--node", help="the node (default: the first)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = profileflags.profile(args).spec()
    nodes = {node.name: node for node in spec.all_nodes()}
    name = args.node or spec.node_names()[0]
    if name not in nodes:
        raise errors.BadSpec(f"no node {name!r} in profile {args.profile!r} (nodes: {', '.join(nodes)})")
    print(nodes[name].ip)
    return 0
