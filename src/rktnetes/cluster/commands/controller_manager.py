"""``rktnetes controller-manager``: run the workload controllers against an API server, under leader election."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from pathlib import Path

from rktnetes.client import errors as client_errors
from rktnetes.client import rest
from rktnetes.cluster.cli import ClusterError
from rktnetes.controllers import errors, manager, serving

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("controller-manager", help="run the controllers (ReplicaSet, Deployment, GC, ...)")
    p.add_argument("--kubeconfig", type=Path, required=True, help="kubeconfig of the API server to manage")
    p.add_argument("--controllers", default="", help="comma-separated controller names; '*' is all (the default), -NAME leaves one out")
    p.add_argument("--workers", type=int, default=2, help="concurrent reconciles per controller")
    p.add_argument("--leader-elect", default="true", choices=("true", "false"),
                   help="hold the kube-system/kube-controller-manager Lease while running (default true)")
    p.add_argument("--metrics-bind-address", default="127.0.0.1", help="address of /healthz and /metrics")
    p.add_argument("--metrics-port", type=int, default=0, help="serve /healthz and /metrics on this port (0: off)")
    p.add_argument("--hostpath-provisioner-dir", type=Path, default=None,
                   help="provision volumes of k8s.io/minikube-hostpath StorageClasses as directories here (unset: off)")
    p.set_defaults(func=run)


async def _main(args: argparse.Namespace, names: list[str]) -> None:
    """Run until SIGTERM/SIGINT, which cancel the work so the Lease is released for the next manager."""
    options = {"persistentvolume-binder": {"hostpath_dir": args.hostpath_provisioner_dir}}
    async with rest.Client.from_kubeconfig(args.kubeconfig) as client, \
            serving.serving(args.metrics_bind_address, args.metrics_port):
        if args.leader_elect == "true":
            work = asyncio.ensure_future(manager.run_elected(client, names, workers=args.workers, options=options))
        else:
            work = asyncio.ensure_future(manager.run(client, names, workers=args.workers, options=options))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, work.cancel)
        try:
            await work
        except asyncio.CancelledError:
            log.info("controller-manager stopped")


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    names = [n.strip() for n in args.controllers.split(",") if n.strip()]
    try:
        manager.select(names)
        asyncio.run(_main(args, names))
    except (errors.ControllerError, client_errors.ClientError, OSError) as exc:
        raise ClusterError(str(exc)) from None
    return 0
