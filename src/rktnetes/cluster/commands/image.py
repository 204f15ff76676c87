"""``rktnetes image load SOURCE`` and ``rktnetes image ls`` (as ``minikube image load/ls``): images in every node's
rkt store, for pods with imagePullPolicy Never or IfNotPresent."""

from __future__ import annotations

import argparse
from pathlib import Path

from rktnetes.cluster import imageloading, profileflags


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("image", help="load images into the nodes of a local cluster, list them")
    sub = p.add_subparsers(dest="image_command", metavar="COMMAND", required=True, parser_class=type(p))
    load = sub.add_parser("load", help="put an ACI, OCI layout or OCI archive (or a host rkt image) on every node")
    profileflags.add(load)
    load.add_argument("source", help="an .aci file, an OCI layout directory, an OCI archive (tar), or the name of "
                                     "an image in the host's rkt store (--rkt-dir)")
    load.add_argument("--tag", help="the name pods use for it, NAME[:TAG] (default: the name the image carries)")
    load.add_argument("--rkt-dir", type=Path, default=Path("/var/lib/rkt"),
                      help="the host's rkt store, for a SOURCE that names an image (default /var/lib/rkt)")
    load.set_defaults(func=run_load)
    ls = sub.add_parser("ls", help="list the images of every node")
    profileflags.add(ls)
    ls.set_defaults(func=run_ls)


def run_load(args: argparse.Namespace) -> int:
    profile = profileflags.profile(args)
    imageloading.load(profile, profile.spec(), args.source, args.tag, args.rkt_dir)
    return 0


def run_ls(args: argparse.Namespace) -> int:
    profile = profileflags.profile(args)
    rows = imageloading.images(profile, profile.spec())
    width = max([len(name) for _, name, _ in rows] + [5])
    print(f"{'NODE':<24} {'IMAGE':<{width}} ID")
    for node, name, image_id in rows:
        print(f"{node:<24} {name:<{width}} {image_id[:19]}")
    return 0
