"""``rkt run-prepared UUID``: run a prepared pod here, or ``--detach``ed in its own session."""

from __future__ import annotations

import argparse
import os

from rktnetes.rkt.cli import common
from rktnetes.rkt.pods import errors


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("run-prepared", parents=parents, help="run a prepared pod")
    cmd.add_argument("--detach", action="store_true", help="run in the background, outliving this command")
    cmd.add_argument("--interactive", action="store_true", help="accepted for rkt compatibility")
    cmd.add_argument("uuid", nargs="?", default="", metavar="UUID")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import running  # loaded on use: every rkt command imports this module
    if os.geteuid() != 0:
        raise errors.Unprivileged()
    root = common.data_dir(args).absolute()
    if args.detach:
        running.start_detached(root, args.uuid)
        return 0
    return running.run_foreground(root, args.uuid)
