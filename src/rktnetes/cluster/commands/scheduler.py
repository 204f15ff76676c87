"""``rktnetes scheduler``: run the scheduler standalone against an API server (leader-elected by default)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from pathlib import Path

from rktnetes.client import errors, rest
from rktnetes.cluster.cli import ClusterError
from rktnetes.scheduler import serving
from rktnetes.scheduler.scheduling import DEFAULT_NAME


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("scheduler", help="run the scheduler (assigns pending pods to nodes)")
    p.add_argument("--kubeconfig", type=Path, required=True, help="kubeconfig of the API server to schedule for")
    p.add_argument("--context", help="kubeconfig context (default: its current-context)")
    p.add_argument("--scheduler-name", default=DEFAULT_NAME, help="schedule pods whose spec.schedulerName is this")
    p.add_argument("--leader-elect", action=argparse.BooleanOptionalAction, default=True,
                   help="schedule only while holding the kube-system Lease (default: on)")
    p.add_argument("--workers", type=int, default=8, help="pods placed concurrently (binding calls in flight)")
    p.add_argument("-v", "--verbose", action="store_true", help="log each decision")
    p.set_defaults(func=run)


async def _serve(args: argparse.Namespace) -> None:
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, task.cancel)  # unwind: the Lease is released on the way out
    async with rest.Client.from_kubeconfig(args.kubeconfig, args.context) as client:
        await serving.serve(client, name=args.scheduler_name, leader_elect=args.leader_elect, workers=args.workers)


def run(args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise ClusterError("--workers must be at least 1")
    if not args.kubeconfig.is_file():
        raise ClusterError(f"no kubeconfig at {args.kubeconfig}")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        asyncio.run(_serve(args))
    except asyncio.CancelledError:
        return 0
    except errors.ClientError as exc:
        raise ClusterError(str(exc)) from None
    return 0
