"""Backends register by URL scheme; ``open_store(url)`` picks one.

``sqlite:///abs/path/state.db[?synchronous=FULL]`` (the default, no server) and
``etcd://host:port[,host:port...]`` (a real etcd through its v3 JSON API) are built in.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from urllib.parse import SplitResult, urlsplit

from rktnetes.store import errors
from rktnetes.store.protocol import Store

Opener = Callable[[SplitResult], Awaitable[Store]]

_BUILTIN = {"sqlite": "rktnetes.store.sqlite", "etcd": "rktnetes.store.etcd"}
_OPENERS: dict[str, Opener] = {}


def register(scheme: str, opener: Opener) -> None:
    """Make ``open_store`` hand URLs of ``scheme`` to ``opener``."""
    _OPENERS[scheme] = opener


def _opener(scheme: str) -> Opener:
    if scheme not in _OPENERS and scheme in _BUILTIN:
        importlib.import_module(_BUILTIN[scheme])  # the module registers itself
    if scheme not in _OPENERS:
        known = ", ".join(sorted(set(_BUILTIN) | set(_OPENERS)))
        raise errors.InvalidURL(f"unknown store URL scheme {scheme!r} (known: {known})")
    return _OPENERS[scheme]


async def open_store(url: str) -> Store:
    """Open the store named by ``url``; ``InvalidURL`` if no backend takes it."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise errors.InvalidURL(f"invalid store URL {url!r}: {exc}") from None
    if not parts.scheme:
        raise errors.InvalidURL(f"invalid store URL {url!r}: expected sqlite:///path or etcd://host:port")
    return await _opener(parts.scheme)(parts)
