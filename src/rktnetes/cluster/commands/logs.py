"""``rktnetes logs [COMPONENT]``: the end of each component's log (``-f`` follows them)."""

from __future__ import annotations

import argparse
import os
import shutil

from rktnetes.cluster import errors, layout, profileflags


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("logs", help="show the logs of a local cluster's components")
    profileflags.add(p)
    p.add_argument("component", nargs="?", help="one component (apiserver, dns, kubelet-NODE, …); default all")
    p.add_argument("-n", "--length", type=int, default=30, help="lines from the end of each log (default 30)")
    p.add_argument("-f", "--follow", action="store_true", help="keep printing what is appended")
    p.set_defaults(func=run)


def _logs(args: argparse.Namespace) -> list:
    folder = layout.logs_dir(profileflags.profile(args).dir)
    found = sorted(folder.glob("*.log")) if folder.is_dir() else []
    if args.component:
        found = [p for p in found if p.stem == args.component]
        if not found:
            raise errors.NoProfile(f"no log of {args.component!r} in {folder}")
    if not found:
        raise errors.NoProfile(f"no logs in {folder} (rktnetes start -p {args.profile})")
    return found


def run(args: argparse.Namespace) -> int:
    if args.length < 0:
        raise errors.BadSpec("--length must not be negative")
    found = _logs(args)
    if args.follow:
        tail = shutil.which("tail") or "tail"
        os.execv(tail, [tail, "-F", "-n", str(args.length), *map(str, found)])
    for path in found:
        print(f"==> {path.stem} <==")
        lines = path.read_text(errors="replace").splitlines()
        print("\n".join(lines[-args.length:] if args.length else []))
    return 0
