"""Entry point of the ``rktnetes`` command (the minikube-like front end and the standalone components).

Every module in ``rktnetes.cluster.commands`` that defines ``register(subparsers)`` adds a subcommand
whose ``func(args) -> int`` runs it. Errors derived from ``ClusterError`` print one line and exit 1.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import rktnetes


class ClusterError(Exception):
    """An error with a one-line message meant for the user."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise ClusterError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rktnetes", description="Kubernetes on rkt")
    parser.add_argument("--version", action="version", version=f"rktnetes {rktnetes.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    from rktnetes.cluster import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(module, "register"):
            module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return 1
        return int(args.func(args) or 0)
    except ClusterError as exc:
        print(f"rktnetes: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def entrypoint() -> None:
    sys.exit(main())
