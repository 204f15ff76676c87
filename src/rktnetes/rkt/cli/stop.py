"""``rkt stop UUID…``: stop running pods (SIGTERM, or SIGKILL with ``--force``); prints each UUID."""

from __future__ import annotations

import argparse
from pathlib import Path

from rktnetes.rkt.cli import common


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("stop", parents=parents, help="stop running pods")
    cmd.add_argument("--force", action="store_true", help="kill the apps (SIGKILL)")
    cmd.add_argument("--uuid-file", type=Path, help="read the pod's UUID from this file")
    cmd.add_argument("uuids", nargs="*", metavar="UUID")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import control  # loaded on use: every rkt command imports this module

    return common.for_each_pod(args, "stop", lambda uuid: control.stop(common.data_dir(args), uuid, force=args.force))
