"""``rktnetes delete``: stop a profile and remove all it made (network, pods, state, kubeconfig entry)."""

from __future__ import annotations

import argparse

from rktnetes.cluster import errors, layout, profileflags, stopping


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("delete", help="stop a local cluster and remove everything it made")
    profileflags.add(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    profile = profileflags.profile(args)
    if not profile.dir.exists():
        raise errors.NoProfile(f"profile {profile.name!r} does not exist ({profile.dir})")
    spec = profile.spec() if layout.spec_path(profile.dir).exists() else None
    with profile.locked():
        stopping.delete(profile, spec)
    return 0
