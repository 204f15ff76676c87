"""``rkt version``: the runtime's version and the features it was built with."""

from __future__ import annotations

import argparse
import os
import sys

import rktnetes

APPC_SPEC_VERSION = "0.8.11"


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("version", parents=parents, help="print the version and exit")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(f"rkt Version: {rktnetes.__version__}")
    print(f"appc Version: {APPC_SPEC_VERSION}")
    system = os.uname()  # not the platform module: importing it costs more than the rest of this command
    print("Python Version: {}.{}.{}".format(*sys.version_info[:3]))
    print(f"Python OS/Arch: {system.sysname.lower()}/{system.machine}")
    print("Features: -TPM +SDJOURNAL=0 +OCI +RUNC +CNI")
    return 0
