"""``rktnetes proxy``: the node's service proxy, programming nftables in the node's network namespace."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import signal
from pathlib import Path

from rktnetes.client import errors, rest
from rktnetes.cluster.cli import ClusterError
from rktnetes.proxy import errors as proxy_errors
from rktnetes.proxy import netns
from rktnetes.proxy.proxier import Config
from rktnetes.proxy.serving import ProxyServer, Timing


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("proxy", help="run the service proxy of one node (nftables)")
    p.add_argument("--kubeconfig", type=Path, required=True, help="kubeconfig of the API server")
    p.add_argument("--context", help="kubeconfig context (default: its current-context)")
    p.add_argument("--node-name", required=True, help="this node (for Local traffic policies)")
    p.add_argument("--netns", type=Path, help="network namespace to program (default: the proxy's own; "
                   "the host's namespace is refused)")
    p.add_argument("--cluster-cidr", default="", help="pod CIDR: traffic from outside it to a Service is masqueraded")
    p.add_argument("--nodeport-addresses", nargs="*", default=[], metavar="CIDR",
                   help="node addresses NodePorts answer on (default: every non-loopback local address)")
    p.add_argument("--min-sync-period", type=float, default=1.0, help="seconds between syncs at most (bursts coalesce)")
    p.add_argument("--sync-period", type=float, default=30.0, help="seconds between full resyncs")
    p.add_argument("--healthz-port", type=int, default=10256, help="loopback port of /healthz (0: none)")
    p.add_argument("--cleanup-on-exit", action=argparse.BooleanOptionalAction, default=True,
                   help="delete the proxy's nftables table on exit (default: on)")
    p.add_argument("-v", "--verbose", action="store_true", help="log each sync")
    p.set_defaults(func=run)


def _cidrs(values: list[str], flag: str) -> tuple[str, ...]:
    try:
        return tuple(str(ipaddress.IPv4Network(v, strict=False)) for v in values if v)
    except ValueError as exc:
        raise ClusterError(f"{flag}: {exc}") from None


def _config(args: argparse.Namespace) -> tuple[Config, Timing]:
    if not args.kubeconfig.is_file():
        raise ClusterError(f"no kubeconfig at {args.kubeconfig}")
    if args.min_sync_period < 0 or args.sync_period <= 0 or not 0 <= args.healthz_port < 65536:
        raise ClusterError("--min-sync-period >= 0, --sync-period > 0 and --healthz-port 0-65535, please")
    cidr = _cidrs([args.cluster_cidr], "--cluster-cidr")
    config = Config(args.node_name, args.netns, cidr[0] if cidr else "",
                    _cidrs(args.nodeport_addresses, "--nodeport-addresses"))
    try:
        netns.check(args.netns)
    except proxy_errors.ProxyError as exc:
        raise ClusterError(str(exc)) from None
    return config, Timing(args.min_sync_period, args.sync_period, args.healthz_port, args.cleanup_on_exit)


async def _serve(config: Config, timing: Timing, args: argparse.Namespace) -> None:
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, task.cancel)  # unwind: the table is deleted on the way out
    async with rest.Client.from_kubeconfig(args.kubeconfig, args.context) as client:
        await ProxyServer(client, config, timing).run()


def run(args: argparse.Namespace) -> int:
    config, timing = _config(args)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        asyncio.run(_serve(config, timing, args))
    except asyncio.CancelledError:
        return 0
    except (errors.ClientError, proxy_errors.ProxyError) as exc:
        raise ClusterError(str(exc)) from None
    return 0
