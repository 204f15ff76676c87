"""``rkt prepare``: write a pod from images without running it; prints its UUID."""

from __future__ import annotations

import argparse

from rktnetes.rkt.cli import podflags


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("prepare", parents=parents, help="prepare a pod for run-prepared")
    podflags.add(cmd)
    cmd.add_argument("--quiet", action="store_true", help="print only the UUID")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import stage0  # loaded on use: every rkt command imports this module
    uuid = stage0.prepare(podflags.context(args), podflags.request(args))
    podflags.save_uuid(args, uuid)
    print(uuid)
    return 0
