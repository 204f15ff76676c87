"""Parsing ``sqlite:///absolute/path/state.db[?synchronous=FULL|NORMAL]`` store URLs.

FULL is the default: like etcd, which fsyncs every commit before it answers, an acknowledged write survives a
power loss (group commit keeps it cheap under concurrency). NORMAL in WAL mode skips that fsync and may lose
the last commits on power loss (never on a process crash); ask for it explicitly.
"""

from __future__ import annotations

import os
from urllib.parse import SplitResult, parse_qs

from rktnetes.store import errors


def parse(parts: SplitResult) -> tuple[str, str]:
    """The database path and its ``synchronous`` setting; ``InvalidURL`` when malformed."""
    if parts.netloc or not parts.path.startswith("/"):
        raise errors.InvalidURL(f"invalid sqlite URL {parts.geturl()!r}: expected sqlite:///absolute/path")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    synchronous = query.pop("synchronous", "FULL").upper()
    if synchronous not in ("NORMAL", "FULL") or query:
        raise errors.InvalidURL(f"invalid sqlite URL {parts.geturl()!r}: only ?synchronous=FULL|NORMAL is known")
    if not os.path.isdir(os.path.dirname(parts.path)):
        raise errors.InvalidURL(f"invalid sqlite URL {parts.geturl()!r}: no directory {os.path.dirname(parts.path)}")
    return parts.path, synchronous
