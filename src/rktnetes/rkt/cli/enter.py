"""``rkt enter [--app NAME] UUID [CMD …]``: run a command inside a running app (default /bin/sh)."""

from __future__ import annotations

import argparse

from rktnetes.rkt.cli import common


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("enter", parents=parents, help="enter the namespaces of an app in a pod")
    cmd.add_argument("--app", help="the app to enter (needed when the pod has several)")
    cmd.add_argument("uuid", nargs="?", default="", metavar="UUID")
    cmd.add_argument("command", nargs=argparse.REMAINDER, metavar="CMD")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import control  # loaded on use: every rkt command imports this module
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    control.enter(common.data_dir(args), args.uuid, args.app, command)
    return 254
