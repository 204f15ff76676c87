"""``rkt config``: print the merged stage0 configuration (auth, docker auth, paths, stage1) as JSON."""

from __future__ import annotations

import argparse
import json

from rktnetes.rkt.cli import common


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("config", parents=parents, help="print configuration for each stage in JSON")
    cmd.add_argument("--pretty-print", action=argparse.BooleanOptionalAction, default=True, help="indent the JSON")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rktnetes.rkt.images import config

    merged = config.load(common.system_config(args), common.local_config(args), getattr(args, "user_config", None))
    if getattr(args, "dir", None):
        merged.paths["data"] = str(args.dir)
    print(json.dumps(merged.to_json(), indent=2 if args.pretty_print else None))
    return 0
