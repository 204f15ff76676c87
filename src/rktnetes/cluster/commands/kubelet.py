"""``rktnetes kubelet``: run one node's kubelet against an API server (pods run with rkt under --rkt-dir)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import socket
from pathlib import Path

from rktnetes.client import errors, rest
from rktnetes.cluster.cli import ClusterError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("kubelet", help="run a node's kubelet (runs the pods bound to it with rkt)")
    p.add_argument("--kubeconfig", type=Path, required=True, help="kubeconfig of the API server")
    p.add_argument("--context", help="kubeconfig context (default: its current-context)")
    p.add_argument("--node-name", default=socket.gethostname(), help="the Node's name (default: the hostname)")
    p.add_argument("--node-ip", help="the node's InternalIP (default: the hostname's address)")
    p.add_argument("--rkt-dir", type=Path, default=Path("/var/lib/rkt"), help="rkt's data dir (rkt --dir)")
    p.add_argument("--root-dir", type=Path, default=Path("/var/lib/rktnetes/kubelet"),
                   help="the kubelet's own files: pod volumes, its serving certificate")
    p.add_argument("--port", type=int, default=10250, help="HTTPS port for logs (the API server proxies to it)")
    p.add_argument("--address", default="0.0.0.0", help="address the HTTPS port listens on")
    p.add_argument("--node-labels", default="", help="labels the Node registers with: KEY=VALUE[,KEY=VALUE…]")
    p.add_argument("--register-with-taints", default="",
                   help="taints the Node registers with: KEY[=VALUE]:EFFECT[,…]")
    p.add_argument("--client-ca-file", type=Path,
                   help="accept only callers with a client certificate this CA signed (the API server's pki/ca.crt)")
    p.add_argument("--pod-network", default="default", help="the rkt network pods join (rkt --net=NAME)")
    p.add_argument("--node-netns", help="start pods inside this network namespace (the node's), e.g. /run/netns/X")
    p.add_argument("--rkt-insecure-options", default="",
                   help="rkt --insecure-options for fetching pod images (e.g. image,http for a plain-HTTP registry)")
    p.add_argument("--rkt-local-config", type=Path,
                   help="rkt --local-config for the pods (its net.d holds the --pod-network; default /etc/rkt)")
    p.add_argument("--cluster-dns", default="", help="IP of the cluster DNS that dnsPolicy ClusterFirst pods use "
                                                     "(default: none, rkt's resolv.conf)")
    p.add_argument("--cluster-domain", default="cluster.local", help="the cluster's DNS domain (pods' search list)")
    p.add_argument("--workers", type=int, default=4, help="pods synced concurrently")
    p.add_argument("--restart-backoff", type=float, default=10.0,
                   help="seconds before the first restart of an exited pod (doubling, at most 300)")
    p.add_argument("--pod-sandboxes", action="store_true",
                   help="one rkt sandbox per pod (rkt app): containers restart alone, the pod keeps its IP")
    p.add_argument("-v", "--verbose", action="store_true", help="log what the kubelet does")
    p.set_defaults(func=run)


def _node_ip(given: str | None) -> str:
    if given:
        try:
            socket.inet_pton(socket.AF_INET, given)
        except OSError:
            raise ClusterError(f"--node-ip {given!r} is not an IPv4 address") from None
        return given
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def _config(args: argparse.Namespace):
    from rktnetes.kubelet import nodestatus, serving

    if args.node_netns and not Path(args.node_netns).exists():
        raise ClusterError(f"no network namespace at {args.node_netns}")
    if args.client_ca_file and not args.client_ca_file.is_file():
        raise ClusterError(f"no CA certificate at {args.client_ca_file}")
    try:
        labels, taints = nodestatus.parse_labels(args.node_labels), nodestatus.parse_taints(args.register_with_taints)
    except ValueError as exc:
        raise ClusterError(str(exc)) from None
    return serving.Config(node_name=args.node_name, node_ip=_node_ip(args.node_ip), hostname=socket.gethostname(),
                          rkt_dir=args.rkt_dir, root_dir=args.root_dir, port=args.port, address=args.address,
                          pod_network=args.pod_network, insecure_options=args.rkt_insecure_options,
                          node_netns=args.node_netns, rkt_local_config=args.rkt_local_config,
                          cluster_dns=args.cluster_dns, cluster_domain=args.cluster_domain,
                          workers=args.workers, restart_backoff=args.restart_backoff, client_ca=args.client_ca_file,
                          node_labels=labels, node_taints=taints, pod_sandboxes=args.pod_sandboxes)


async def _serve(args: argparse.Namespace, config) -> None:
    from rktnetes.kubelet import serving

    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, task.cancel)  # unwind: the node is marked NotReady on the way out
    async with rest.Client.from_kubeconfig(args.kubeconfig, args.context) as client:
        await serving.serve(client, config)


def run(args: argparse.Namespace) -> int:
    if args.workers < 1 or not 0 < args.port < 65536 or args.restart_backoff < 0:
        raise ClusterError("--workers must be at least 1, --port in 1-65535, --restart-backoff not negative")
    if not args.kubeconfig.is_file():
        raise ClusterError(f"no kubeconfig at {args.kubeconfig}")
    config = _config(args)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        asyncio.run(_serve(args, config))
    except asyncio.CancelledError:
        return 0
    except (errors.ClientError, OSError) as exc:
        raise ClusterError(str(exc)) from None
    return 0
