"""``rkt logs UUID [--app NAME] [-f]``: what the pod's apps wrote to stdout and stderr."""

from __future__ import annotations

import argparse
import sys
import time

from rktnetes.rkt.cli import common
from rktnetes.rkt.pods import durations


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("logs", parents=parents, help="print the output of a pod's apps")
    cmd.add_argument("--app", help="only this app")
    cmd.add_argument("-f", "--follow", action="store_true", help="keep printing until the pod exits")
    cmd.add_argument("--timestamps", action="store_true", help="prefix each line with when it was written")
    cmd.add_argument("--tail", type=int, metavar="N", help="only the last N lines of each app")
    cmd.add_argument("--since", metavar="DURATION", help="only lines newer than DURATION (e.g. 10s, 5m)")
    cmd.add_argument("uuid", nargs="?", default="", metavar="UUID")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import logs  # loaded on use: every rkt command imports this module

    since = time.time() - durations.parse(args.since) if args.since else None
    opts = logs.Options(follow=args.follow, timestamps=args.timestamps, tail=args.tail, since=since)
    logs.show(common.data_dir(args), args.uuid, args.app, sys.stdout.buffer, opts)
    return 0
