"""``rkt rm UUID…``: remove exited or prepared pods now."""

from __future__ import annotations

import argparse
from pathlib import Path

from rktnetes.rkt.cli import common


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("rm", parents=parents, help="remove pods")
    cmd.add_argument("--uuid-file", type=Path, help="read the pod's UUID from this file")
    cmd.add_argument("uuids", nargs="*", metavar="UUID")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import garbage  # loaded on use: every rkt command imports this module

    def remove(uuid: str) -> str:
        garbage.remove(common.data_dir(args), uuid)
        return f'"{uuid}"'

    return common.for_each_pod(args, "rm", remove)
