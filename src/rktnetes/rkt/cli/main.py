"""Entry point of the ``rkt`` command: builds the parser from the subcommand modules and runs one.

Errors derived from ``RktError`` become one line on stderr and exit code 254; nothing else is caught, so
a bug shows its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from rktnetes.rkt import errors
from rktnetes.rkt.cli import common

_SKIP = {"main", "common"}


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as rkt does: one line, exit 254."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise errors.UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parents = [common.global_flags()]
    parser = _Parser(prog="rkt", description="rkt, the pod-native container engine", parents=parents)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    import rktnetes.rkt.cli as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name in _SKIP:
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if hasattr(module, "register"):
            module.register(subparsers, parents)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return errors.EXIT_ERROR
        return int(args.func(args) or 0)
    except errors.RktError as exc:
        where = getattr(exc, "command", None) or (argv[0] if argv and not argv[0].startswith("-") else "rkt")
        print(f"{where}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def entrypoint() -> None:
    sys.exit(main())
