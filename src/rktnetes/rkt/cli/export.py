"""``rkt export UUID OUTPUT.aci``: an exited pod's app, as changed by its run, as an ACI."""

from __future__ import annotations

import argparse
from pathlib import Path

from rktnetes.rkt.cli import common


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("export", parents=parents, help="export an app from an exited pod to an ACI")
    cmd.add_argument("--app", help="the app to export (needed when the pod has several)")
    cmd.add_argument("--overwrite", action="store_true", help="replace OUTPUT if it exists")
    cmd.add_argument("uuid", metavar="UUID")
    cmd.add_argument("output", type=Path, metavar="OUTPUT.aci")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import exporting  # loaded on use: every rkt command imports this module
    exporting.export(common.data_dir(args), args.uuid, args.app, args.output, overwrite=args.overwrite)
    return 0
