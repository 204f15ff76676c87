"""Flags shared by every subcommand, and the helpers subcommands use to read them."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from rktnetes.rkt import paths

INSECURE_OPTIONS = (
    "none", "image", "tls", "http", "pubkey", "capabilities", "paths", "seccomp",
    "all-fetch", "all-run", "all",
)
_EXPANSIONS = {
    "all-fetch": {"image", "tls", "http", "pubkey"},
    "all-run": {"capabilities", "paths", "seccomp"},
}
_EXPANSIONS["all"] = _EXPANSIONS["all-fetch"] | _EXPANSIONS["all-run"]


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help formatter, given the terminal width up front. argparse makes one per ``add_argument``
    and asks ``shutil`` for the width; importing shutil (and with it zlib, bz2, lzma) cost every rkt command
    2-4 ms, help or not."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, width or terminal_width() - 2)


def terminal_width() -> int:
    """Columns of the terminal, as ``shutil.get_terminal_size`` finds them: $COLUMNS, stdout's tty, or 80."""
    try:
        if (columns := int(os.environ["COLUMNS"])) > 0:
            return columns
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def global_flags() -> argparse.ArgumentParser:
    """A parent parser holding rkt's global flags; accepted before or after the subcommand."""
    parent = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS,
                                     formatter_class=HelpFormatter)
    parent.add_argument("--dir", type=Path, help="rkt data directory (default /var/lib/rkt)")
    parent.add_argument("--local-config", type=Path, help="local configuration directory (default /etc/rkt)")
    parent.add_argument("--system-config", type=Path, help="system configuration directory")
    parent.add_argument("--user-config", type=Path, help="user configuration directory")
    parent.add_argument("--insecure-options", help="comma-separated list of security features to disable")
    parent.add_argument("--debug", action="store_true", help="print out more debug information to stderr")
    parent.add_argument("--trust-keys-from-https", action="store_true", help="automatically trust keys over https")
    return parent


def data_dir(args: argparse.Namespace) -> Path:
    return getattr(args, "dir", None) or paths.DEFAULT_DIR


def local_config(args: argparse.Namespace) -> Path:
    return getattr(args, "local_config", None) or paths.DEFAULT_LOCAL_CONFIG


def system_config(args: argparse.Namespace) -> Path:
    return getattr(args, "system_config", None) or paths.DEFAULT_SYSTEM_CONFIG


def insecure_options(args: argparse.Namespace) -> frozenset[str]:
    """The set of disabled checks, with ``all*`` expanded; raises UsageError on unknown names."""
    from rktnetes.rkt.errors import UsageError

    raw = getattr(args, "insecure_options", None) or "none"
    chosen: set[str] = set()
    for word in filter(None, (w.strip() for w in raw.split(","))):
        if word not in INSECURE_OPTIONS:
            raise UsageError(f"unknown insecure option {word!r} (valid: {', '.join(INSECURE_OPTIONS)})")
        chosen |= _EXPANSIONS.get(word, {word} if word != "none" else set())
    return frozenset(chosen)


def for_each_pod(args: argparse.Namespace, command: str, act: Callable[[str], str]) -> int:
    """Run ``act(uuid)`` on every pod named (UUID arguments, then ``--uuid-file``) and print what it returns.

    A failure is one line on stderr and does not stop the others; the exit code is 254 if any failed.
    """
    from rktnetes.rkt.errors import EXIT_ERROR, RktError
    from rktnetes.rkt.pods import errors, state

    uuids = list(args.uuids) + ([state.read_uuid_file(args.uuid_file)] if args.uuid_file else [])
    if not uuids:
        raise errors.EmptyUUID()
    failed = 0
    for uuid in uuids:
        try:
            print(act(uuid))
        except RktError as exc:
            print(f"{command}: {exc}", file=sys.stderr)
            failed += 1
    return EXIT_ERROR if failed else 0
