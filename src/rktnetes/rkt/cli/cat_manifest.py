"""``rkt cat-manifest UUID``: the pod's appc PodManifest."""

from __future__ import annotations

import argparse
import json

from rktnetes.rkt import paths
from rktnetes.rkt.cli import common
from rktnetes.rkt.pods import state


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("cat-manifest", parents=parents, help="print a pod's manifest")
    cmd.add_argument("--pretty-print", action="store_true", default=True, help="indent the JSON (default)")
    cmd.add_argument("uuid", nargs="?", default="", metavar="UUID")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    pod = state.find(common.data_dir(args), args.uuid)
    doc = json.loads(paths.pod_manifest_path(pod.path).read_text())
    print(json.dumps(doc, indent=4 if args.pretty_print else None))
    return 0
