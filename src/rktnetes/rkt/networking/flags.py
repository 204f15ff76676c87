"""The networking flags of ``rkt run`` and ``rkt prepare``; the subcommands call ``add`` and ``plan_from``."""

from __future__ import annotations

import argparse
from pathlib import Path

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs every rkt run ~3 ms
if TYPE_CHECKING:
    from rktnetes.rkt.networking import podnet


def add(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--net", action="append", metavar="NETS",
                        help="networks to join: default, host, none, all, or name[:K=V;…],… (default: default)")
    parser.add_argument("--dns", action="append", metavar="IP|host|none", help="a name server for the pod")
    parser.add_argument("--dns-search", action="append", metavar="DOMAIN", help="a DNS search domain")
    parser.add_argument("--dns-opt", action="append", metavar="OPT", help="a resolv.conf option")
    parser.add_argument("--dns-domain", metavar="DOMAIN", help="the pod's local domain")
    parser.add_argument("--hosts-entry", action="append", metavar="IP=NAME|host", help="an /etc/hosts entry")
    parser.add_argument("--port", action="append", metavar="NAME:[HOSTIP:]HOSTPORT",
                        help="publish the image port NAME on the host")


def plan_from(args: argparse.Namespace, local_config: Path, declared_ports: list[dict]) -> podnet.PodNetPlan:
    """The validated networking plan of a pod; ``declared_ports`` are the apps' appc ``ports`` entries."""
    from rktnetes.rkt.networking import podnet, resolvconf  # on use: every rkt run/prepare imports this module

    dns = resolvconf.parse_dns(args.dns, args.dns_search, args.dns_opt, args.dns_domain)
    return podnet.plan(local_config, args.net, dns, args.hosts_entry, args.port, declared_ports)
