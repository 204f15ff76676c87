"""Key-range helpers shared by the backends."""

from __future__ import annotations

from rktnetes.store import errors


def check_key(key: str) -> str:
    """The key itself if a backend can store it, else ``InvalidKey``."""
    if not key or "\x00" in key:
        raise errors.InvalidKey(f"invalid key {key!r}: keys are non-empty text without NUL")
    try:
        key.encode()
    except UnicodeEncodeError:
        raise errors.InvalidKey(f"invalid key {key!r}: not valid Unicode text") from None
    return key


def check_prefix(prefix: str) -> str:
    """The prefix itself if keys can start with it (the empty prefix is every key), else ``InvalidKey``."""
    return check_key(prefix) if prefix else prefix


def prefix_end(prefix: str) -> str | None:
    """The smallest key greater than every key starting with ``prefix``; None when that is unbounded."""
    stripped = prefix.rstrip("\U0010ffff")
    if not stripped:
        return None
    return stripped[:-1] + chr(ord(stripped[-1]) + 1)


def list_start(prefix: str, start_after: str) -> str:
    """The first key a list may return: the prefix, or just past ``start_after`` when continuing."""
    if start_after and start_after >= prefix:
        return start_after + "\x00"
    return prefix
