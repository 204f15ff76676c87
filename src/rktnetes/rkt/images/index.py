"""The image store's SQLite index (WAL): one row per image, one per remote URL fetched.

SQLite in WAL mode lets readers (``rkt image list``) run while a fetch commits, and its own locking
serialises writers from different processes; a busy timeout makes concurrent writers wait, not fail.
The row is the commit point of an image: blob and tree are renamed into place before it is inserted.
Switching a new database to WAL and creating the schema are not covered by the busy timeout (SQLite may
answer "database is locked" at once), so processes opening the store together take turns under a flock.
"""

from __future__ import annotations

import fcntl
import json
import sqlite3
import time
from collections import namedtuple
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS images (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, labels TEXT NOT NULL, import_time REAL NOT NULL,
    last_used REAL NOT NULL, size INTEGER NOT NULL, origin TEXT NOT NULL, fmt TEXT NOT NULL,
    has_blob INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS images_name ON images(name);
CREATE TABLE IF NOT EXISTS remotes (
    url TEXT PRIMARY KEY, image_id TEXT NOT NULL, etag TEXT NOT NULL, cache_time REAL NOT NULL);
"""
_COLUMNS = "id, name, labels, import_time, last_used, size, origin, fmt, has_blob"
_IMAGE_FIELDS = "id name labels import_time last_used size origin fmt has_blob"


class ImageInfo(namedtuple("ImageInfo", _IMAGE_FIELDS, defaults=(0.0, 0.0, 0, "", "aci", False))):
    """One image in the store: ``id`` (str), ``name`` (str), ``labels`` (dict: the manifest labels,
    ``version``, ``os``, ``arch``…), ``import_time`` and ``last_used`` (epoch seconds), ``size`` (bytes),
    ``origin`` (where it came from), ``fmt`` (``aci`` or ``oci``), ``has_blob`` (an ACI tar is kept).

    A plain named tuple: a dataclass drags ``inspect`` and ``typing.NamedTuple`` drags ``typing`` into every
    CLI start (~3-10 ms of a cached ``rkt fetch``).
    """

    __slots__ = ()

    @property
    def version(self) -> str:
        return self.labels.get("version", "")


class RemoteInfo(namedtuple("RemoteInfo", "url image_id etag cache_time")):
    """What a URL resolved to last time, for pull policies: the image and the etag/digest seen."""

    __slots__ = ()


def connect(db_path: Path, lock_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path, timeout=30.0, isolation_level=None, check_same_thread=False)
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(_SCHEMA)
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def _row_to_info(row: tuple) -> ImageInfo:
    return ImageInfo(row[0], row[1], json.loads(row[2]), row[3], row[4], row[5], row[6], row[7], bool(row[8]))


def insert(conn: sqlite3.Connection, info: ImageInfo) -> None:
    conn.execute(
        f"INSERT OR REPLACE INTO images ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (info.id, info.name, json.dumps(info.labels, sort_keys=True), info.import_time, info.last_used,
         info.size, info.origin, info.fmt, int(info.has_blob)),
    )


def get(conn: sqlite3.Connection, image_id: str) -> ImageInfo | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM images WHERE id = ?", (image_id,)).fetchone()
    return _row_to_info(row) if row else None


def by_prefix(conn: sqlite3.Connection, prefix: str) -> list[str]:
    rows = conn.execute("SELECT id FROM images WHERE substr(id, 1, ?) = ? LIMIT 2", (len(prefix), prefix))
    return [r[0] for r in rows]


def by_name(conn: sqlite3.Connection, name: str) -> list[ImageInfo]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM images WHERE name = ? ORDER BY import_time DESC", (name,))
    return [_row_to_info(r) for r in rows]


def all_images(conn: sqlite3.Connection) -> list[ImageInfo]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM images ORDER BY import_time, id")
    return [_row_to_info(r) for r in rows]


def delete(conn: sqlite3.Connection, image_id: str) -> None:
    conn.execute("DELETE FROM images WHERE id = ?", (image_id,))
    conn.execute("DELETE FROM remotes WHERE image_id = ?", (image_id,))


def touch(conn: sqlite3.Connection, image_id: str, when: float | None = None) -> None:
    conn.execute("UPDATE images SET last_used = ? WHERE id = ?", (when or time.time(), image_id))


def remote(conn: sqlite3.Connection, url: str) -> RemoteInfo | None:
    row = conn.execute("SELECT url, image_id, etag, cache_time FROM remotes WHERE url = ?", (url,)).fetchone()
    return RemoteInfo(*row) if row else None


def set_remote(conn: sqlite3.Connection, url: str, image_id: str, etag: str) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO remotes (url, image_id, etag, cache_time) VALUES (?, ?, ?, ?)",
        (url, image_id, etag, time.time()),
    )
