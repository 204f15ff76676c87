"""``rktnetes dns``: the cluster DNS server (Services and pods of ``--domain``), standalone against an API server."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rktnetes.cluster.cli import ClusterError

if TYPE_CHECKING:  # the DNS library loads only when the command runs (every rktnetes command builds this parser)
    from rktnetes.dns.running import Config


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("dns", help="run the cluster DNS server (answers <svc>.<ns>.svc.<domain>)")
    p.add_argument("--kubeconfig", type=Path, required=True, help="kubeconfig of the API server to serve")
    p.add_argument("--context", help="kubeconfig context (default: its current-context)")
    p.add_argument("--listen", default="127.0.0.1:53", help="IP:PORT to serve on, UDP and TCP (default: %(default)s)")
    p.add_argument("--domain", default="cluster.local", help="the cluster domain (default: %(default)s)")
    p.add_argument("--upstream", action="append", default=[], metavar="IP:PORT",
                   help="forward other names here, in order (repeatable; default: /etc/resolv.conf's nameservers)")
    p.add_argument("--ttl", type=int, default=5, help="TTL of every answer, seconds (default: %(default)s)")
    p.add_argument("--upstream-timeout", type=float, default=2.0, help="seconds to wait for each upstream server")
    p.add_argument("-v", "--verbose", action="store_true", help="log forwarding failures")
    p.set_defaults(func=run)


def _config(args: argparse.Namespace) -> Config:
    from rktnetes.dns import addresses, names, running

    if args.ttl < 0 or args.upstream_timeout <= 0:
        raise ClusterError("--ttl must be >= 0 and --upstream-timeout > 0")
    names.zone(args.domain)
    upstreams = [addresses.parse(u) for u in args.upstream] or addresses.resolv_conf_nameservers()
    return running.Config(addresses.parse(args.listen), args.domain, upstreams, args.ttl, args.upstream_timeout)


async def _serve(args: argparse.Namespace, config: Config) -> None:
    from rktnetes.client import rest
    from rktnetes.dns import running

    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, task.cancel)
    host, port = config.listen
    async with rest.Client.from_kubeconfig(args.kubeconfig, args.context) as client:
        await running.serve(client, config, lambda: print(f"serving DNS on {host}:{port}", flush=True))


def run(args: argparse.Namespace) -> int:
    from rktnetes.client import errors
    from rktnetes.dns.errors import DnsError

    if not args.kubeconfig.is_file():
        raise ClusterError(f"no kubeconfig at {args.kubeconfig}")
    try:
        config = _config(args)
        logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                            format="%(asctime)s %(name)s %(levelname)s %(message)s")
        import uvloop

        uvloop.run(_serve(args, config))
    except asyncio.CancelledError:
        return 0
    except (DnsError, errors.ClientError) as exc:
        raise ClusterError(str(exc)) from None
    except OSError as exc:
        raise ClusterError(f"cannot listen on {args.listen}: {exc.strerror or exc}") from None
    return 0
