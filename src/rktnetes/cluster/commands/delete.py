"""``rktnetes delete [--all]``: stop a profile (or every profile) and remove all it made (network, pods,
state, kubeconfig entry)."""

from __future__ import annotations

import argparse

from rktnetes.cluster import errors, layout, profileflags, stopping
from rktnetes.cluster.profiles import Profile


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("delete", help="stop a local cluster and remove everything it made")
    profileflags.add(p)
    p.add_argument("--all", action="store_true", help="delete every profile under --dir")
    p.set_defaults(func=run)


def _delete(profile: Profile) -> None:
    spec = profile.spec() if layout.spec_path(profile.dir).exists() else None
    with profile.locked():
        stopping.delete(profile, spec)


def run(args: argparse.Namespace) -> int:
    chosen = profileflags.profile(args)
    if args.all:
        folder = chosen.dir.parent
        for name in sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []:
            _delete(Profile(folder.parent, name))
        return 0
    if not chosen.dir.exists():
        raise errors.NoProfile(f"profile {chosen.name!r} does not exist ({chosen.dir})")
    _delete(chosen)
    return 0
