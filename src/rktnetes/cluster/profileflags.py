"""The ``--profile``/``--dir`` flags every local-cluster command takes, and the Profile they name."""

from __future__ import annotations

import argparse
from pathlib import Path

from rktnetes.cluster import layout
from rktnetes.cluster.profiles import Profile


def add(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-p", "--profile", default="rktnetes", help="the cluster's name (default: rktnetes)")
    parser.add_argument("--dir", type=Path, help="where profiles live (default: $RKTNETES_HOME or ~/.rktnetes)")


def profile(args: argparse.Namespace) -> Profile:
    return Profile(args.dir or layout.default_base_dir(), args.profile)
