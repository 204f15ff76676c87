"""``rkt fetch IMAGE…``: bring images into the store and print their ids."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rktnetes.rkt.cli import common


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("fetch", parents=parents, help="fetch image(s) and store them in the local store")
    cmd.add_argument("images", nargs="+", metavar="IMAGE", help="file, URL, appc name, docker://… or oci:PATH")
    cmd.add_argument("--full", action="store_true", help="print the full image hash")
    cmd.add_argument("--signature", type=Path, action="append", default=[], help="local signature file per image")
    cmd.add_argument("--pull-policy", default="new", choices=("new", "update", "never"),
                     help="when to fetch: new (not in the store), update (always), never (store only)")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rktnetes.rkt.errors import UsageError
    from rktnetes.rkt.images import fetching, ids
    from rktnetes.rkt.images.store import ImageStore

    if len(args.signature) > len(args.images):
        raise UsageError("more --signature flags than images")
    with ImageStore(common.data_dir(args)) as store:
        for position, ref in enumerate(args.images):
            signature = args.signature[position] if position < len(args.signature) else None
            info = fetching.fetch(store, ref, insecure=common.insecure_options(args), pull_policy=args.pull_policy,
                                  signature=signature, local_config=common.local_config(args),
                                  system_config=common.system_config(args), progress=sys.stdout.isatty(),
                                  trust_keys_from_https=getattr(args, "trust_keys_from_https", False))
            print(ids.display(info.id, full=args.full))
    return 0
