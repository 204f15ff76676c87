"""``rktnetes stop``: stop every component, pod and node network of a profile; its state stays."""

from __future__ import annotations

import argparse

from rktnetes.cluster import profileflags, stopping


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("stop", help="stop a local cluster (its state is kept for the next start)")
    profileflags.add(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    profile = profileflags.profile(args)
    spec = profile.spec()
    with profile.locked():
        stopping.stop(profile, spec)
    print(f"profile {profile.name!r} stopped")
    return 0
