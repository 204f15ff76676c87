"""Entry point of the ``rkt`` command: builds the parser from the subcommand modules and runs one.

Only the module of the subcommand named on the command line is imported, so a cached ``rkt fetch`` or a
``rkt status`` does not pay for importing pods, stage1 and networking. ``COMMANDS`` maps each subcommand to
its module (``image`` itself loads its ``image_*.py`` extensions). Help and unknown commands import them
all. Errors derived from ``RktError`` become one line on stderr and exit
code 254; nothing else is caught, so a bug shows its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from rktnetes.rkt import errors
from rktnetes.rkt.cli import common

COMMANDS = {
    "app": "app", "cat-manifest": "cat_manifest", "config": "config", "enter": "enter", "export": "export",
    "fetch": "fetch", "gc": "gc", "image": "image", "list": "list", "logs": "logs", "prepare": "prepare",
    "rm": "rm", "run": "run", "run-prepared": "run_prepared", "status": "status", "stop": "stop",
    "trust": "trust", "version": "version",
}


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as rkt does (one line, exit 254) and formats help without shutil."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", common.HelpFormatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> None:  # type: ignore[override]
        raise errors.UsageError(message)


_VALUED_GLOBALS = {"--dir", "--local-config", "--system-config", "--user-config", "--insecure-options"}


def _command_in(argv: list[str]) -> str | None:
    """The subcommand named in argv (the first word that is neither a flag nor a global flag's value, as in
    ``rkt --dir /d run``), if it is a known one."""
    after_flag = False
    for word in argv:
        if not word.startswith("-") and not after_flag:
            return word if word in COMMANDS else None
        after_flag = word in _VALUED_GLOBALS
    return None


def _modules_for(command: str | None) -> list[str]:
    return sorted(set(COMMANDS.values())) if command is None else [COMMANDS[command]]


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser with the subcommands argv needs (all of them when argv is None)."""
    parents = [common.global_flags()]
    parser = _Parser(prog="rkt", description="rkt, the pod-native container engine", parents=parents)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    wanted = None if argv is None or "--help" in argv or "-h" in argv else _command_in(argv)
    for name in _modules_for(wanted):
        importlib.import_module(f"{__package__}.{name}").register(subparsers, parents)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        parser = build_parser(argv)
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
    """The console script: run the command, then leave without tearing the interpreter down (~8 ms of
    module and object finalisation per command) once nothing needs it: exit handlers run, output flushed,
    and no other thread left (else a normal exit, which waits for them). The cyclic collector is off while
    the command loads and works (its passes over import-time objects cost ~4 ms); a command that then waits
    long (a foreground pod's supervisor) turns it back on."""
    import gc

    gc.disable()
    code = main()
    threads = sys.modules.get("threading")
    if threads is not None and threads.active_count() > 1:
        sys.exit(code)
    import atexit
    import os

    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a reader that went away: what a normal exit would report is of no use to it either
        pass
    os._exit(code)
