"""``rkt gc``: mark exited and stale pods as garbage, and delete those past their grace period."""

from __future__ import annotations

import argparse

from rktnetes.rkt.cli import common
from rktnetes.rkt.pods import durations


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("gc", parents=parents, help="garbage-collect pods")
    cmd.add_argument("--grace-period", default="30m", help="how long exited pods stay as garbage first")
    cmd.add_argument("--expire-prepared", default="24h", help="how long a prepared pod may wait to run")
    cmd.add_argument("--mark-only", action="store_true", help="only mark pods as garbage")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import garbage  # loaded on use: every rkt command imports this module
    grace, expire = durations.parse(args.grace_period), durations.parse(args.expire_prepared)
    deleted = garbage.gc(common.data_dir(args), grace=grace, expire_prepared=expire, mark_only=args.mark_only)
    for uuid in deleted:
        print(f"Garbage collecting pod \"{uuid}\"")
    return 0
