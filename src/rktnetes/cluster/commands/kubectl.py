"""``rktnetes kubectl -- ARGS``: the real kubectl on a profile's admin kubeconfig."""

from __future__ import annotations

import argparse
import os
import shutil

from rktnetes.cluster import errors, layout, profileflags


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("kubectl", help="run kubectl against a local cluster (rktnetes kubectl -- get pods)")
    profileflags.add(p)
    p.add_argument("args", nargs=argparse.REMAINDER, help="kubectl's arguments, after --")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    profile = profileflags.profile(args)
    kubeconfig = layout.admin_kubeconfig_path(profile.dir)
    if not kubeconfig.exists():
        raise errors.NoProfile(f"profile {profile.name!r} has no kubeconfig (rktnetes start -p {profile.name})")
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise errors.NotRunning("kubectl is not on PATH")
    rest = args.args[1:] if args.args[:1] == ["--"] else args.args
    os.execv(kubectl, [kubectl, f"--kubeconfig={kubeconfig}", *rest])
