"""Validation of the ``app`` section of an appc image manifest (spec 0.8.x)."""

from __future__ import annotations

import re
from typing import Any

from rktnetes.rkt.images.errors import ManifestError

_AC_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_AC_IDENTIFIER = re.compile(r"^[a-z0-9]+([-._~/][a-z0-9]+)*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EVENTS = {"pre-start", "post-stop"}
_PROTOCOLS = {"tcp", "udp"}


def validate(app: Any) -> None:
    """Raise ManifestError unless ``app`` is a valid appc app section."""
    if not isinstance(app, dict):
        raise ManifestError("app must be an object")
    _check_exec(app.get("exec"), "app exec")
    for key in ("user", "group"):
        if not isinstance(app.get(key), str) or not app[key]:
            raise ManifestError(f"app {key} is required and must be a non-empty string")
    _check_gids(app.get("supplementaryGIDs") or [])
    workdir = app.get("workingDirectory")
    if workdir is not None and (not isinstance(workdir, str) or not workdir.startswith("/")):
        raise ManifestError(f"app workingDirectory {workdir!r} must be an absolute path")
    _check_environment(_list(app, "environment"))
    _check_named(_list(app, "isolators"), "isolator", _AC_IDENTIFIER)
    _check_mount_points(_list(app, "mountPoints"))
    _check_ports(_list(app, "ports"))
    _check_event_handlers(_list(app, "eventHandlers"))


def _list(app: dict[str, Any], key: str) -> list[Any]:
    value = app.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ManifestError(f"app {key} must be a list of objects")
    return value


def _check_exec(argv: Any, what: str) -> None:
    if argv is None:
        return
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
        raise ManifestError(f"{what} must be a list of strings")
    if argv and not argv[0].startswith("/"):
        raise ManifestError(f"{what} {argv[0]!r} must be an absolute path")


def _check_gids(gids: Any) -> None:
    if not isinstance(gids, list) or not all(isinstance(g, int) and g >= 0 for g in gids):
        raise ManifestError("app supplementaryGIDs must be a list of non-negative integers")


def _check_named(items: list[dict[str, Any]], what: str, pattern: re.Pattern[str]) -> set[str]:
    names: set[str] = set()
    for item in items:
        name = item.get("name")
        if not isinstance(name, str) or not pattern.match(name):
            raise ManifestError(f"{what} name {name!r} is not valid")
        names.add(name)
    return names


def _check_environment(items: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for item in items:
        name = item.get("name")
        if not isinstance(name, str) or not _ENV_NAME.match(name) or not isinstance(item.get("value"), str):
            raise ManifestError(f"environment variable {name!r} is not a valid name/value pair")
        if name in seen:
            raise ManifestError(f"environment variable {name!r} is set twice")
        seen.add(name)


def _check_mount_points(items: list[dict[str, Any]]) -> None:
    _check_named(items, "mountPoint", _AC_NAME)
    for item in items:
        if not isinstance(item.get("path"), str) or not item["path"].startswith("/"):
            raise ManifestError(f"mountPoint {item['name']!r} needs an absolute path")


def _check_ports(items: list[dict[str, Any]]) -> None:
    _check_named(items, "port", _AC_NAME)
    for item in items:
        port, count = item.get("port"), item.get("count", 1)
        if item.get("protocol") not in _PROTOCOLS:
            raise ManifestError(f"port {item['name']!r}: protocol must be tcp or udp")
        if not isinstance(port, int) or not 1 <= port <= 65535:
            raise ManifestError(f"port {item['name']!r}: port {port!r} is not in 1-65535")
        if not isinstance(count, int) or count < 1 or port + count - 1 > 65535:
            raise ManifestError(f"port {item['name']!r}: count {count!r} is not valid")


def _check_event_handlers(items: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for item in items:
        name = item.get("name")
        if name not in _EVENTS or name in seen:
            raise ManifestError(f"event handler {name!r} is unknown or repeated (pre-start, post-stop)")
        seen.add(name)
        _check_exec(item.get("exec"), f"event handler {name} exec")
