"""``rktnetes status``: each component and node of a profile, Running or Stopped (exit 7 unless all run)."""

from __future__ import annotations

import argparse

from rktnetes.cluster import profileflags, reporting

NOT_ALL_RUNNING = 7


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("status", help="show whether each component and node of a cluster runs")
    profileflags.add(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    profile = profileflags.profile(args)
    rows = reporting.status(profile, profile.spec())
    print(profile.name)
    width = max(len(what) for what, _ in rows)
    for what, state in rows:
        print(f"{what + ':':<{width + 1}} {state}")
    return 0 if reporting.all_running(rows) else NOT_ALL_RUNNING
