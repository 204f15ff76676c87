"""``rkt logs UUID [--app NAME] [-f]``: what the pod's apps wrote to stdout and stderr."""

from __future__ import annotations

import argparse
import sys

from rktnetes.rkt.cli import common


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("logs", parents=parents, help="print the output of a pod's apps")
    cmd.add_argument("--app", help="only this app")
    cmd.add_argument("-f", "--follow", action="store_true", help="keep printing until the pod exits")
    cmd.add_argument("uuid", nargs="?", default="", metavar="UUID")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import logs  # loaded on use: every rkt command imports this module
    logs.show(common.data_dir(args), args.uuid, args.app, sys.stdout.buffer, follow=args.follow)
    return 0
