"""Finding images in the index: by id prefix, by ``name[:version][,label=value…]``, or by a dependency."""

from __future__ import annotations

import sqlite3

from rktnetes.rkt.images import ids, index
from rktnetes.rkt.images.errors import AmbiguousImageID, ImageError, ImageNotFound, MissingDependency
from rktnetes.rkt.images.index import ImageInfo


def resolve(conn: sqlite3.Connection, ref: str) -> ImageInfo:
    if ids.looks_like_id(ref):
        return by_id_prefix(conn, ref)
    name, labels = parse_name(ref)
    found = best_match(conn, name, labels)
    if found is None:
        raise ImageNotFound(f"no image named {ref!r} in the store")
    return found


def by_id_prefix(conn: sqlite3.Connection, ref: str) -> ImageInfo:
    prefix = ids.check_prefix(ref)
    matches = index.by_prefix(conn, prefix)
    if not matches:
        raise ImageNotFound(f"no image IDs found for {ref!r}")
    if len(matches) > 1:
        raise AmbiguousImageID(f"ambiguous image ID {ref!r}")
    info = index.get(conn, matches[0])
    assert info is not None
    return info


def parse_name(ref: str) -> tuple[str, dict[str, str]]:
    """``example.com/app:1.0,arch=amd64`` → (``example.com/app``, {version: 1.0, arch: amd64})."""
    head, *pairs = ref.split(",")
    labels: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ImageError(f"bad label {pair!r} in image reference {ref!r} (want name=value)")
        labels[key] = value
    name, sep, version = head.rpartition(":")
    if sep and "/" not in version and name:
        labels["version"] = version
        return name, labels
    return head, labels


def best_match(conn: sqlite3.Connection, name: str, labels: dict[str, str]) -> ImageInfo | None:
    """The most recently imported image with this name whose labels include ``labels``."""
    for info in index.by_name(conn, name):
        if all(info.labels.get(k) == v for k, v in labels.items()):
            return info
    return None


def dependency(conn: sqlite3.Connection, dep: dict[str, object]) -> ImageInfo:
    """The stored image satisfying a manifest dependency entry."""
    if dep.get("imageID"):
        info = index.get(conn, ids.from_hexdigest(dep["imageID"][len(ids.PREFIX):]))
    else:
        wanted = {item["name"]: item["value"] for item in dep.get("labels") or []}
        info = best_match(conn, dep["imageName"], wanted)
    if info is None:
        raise MissingDependency(f"dependency {dep['imageName']!r} is not in the store: fetch it first", dep)
    return info


def dependency_ref(dep: dict[str, object]) -> str:
    """The ``name[:version][,label=value…]`` reference that fetches a manifest dependency by name."""
    labels = {item["name"]: item["value"] for item in dep.get("labels") or []}
    version = labels.pop("version", None)
    head = f"{dep['imageName']}:{version}" if version else dep["imageName"]
    return ",".join([head, *(f"{k}={v}" for k, v in sorted(labels.items()))])
