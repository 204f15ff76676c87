"""The SQLite schema and its statements, all synchronous (they run on the store's threads).

Like kine, the table is a log: one row per write, ``id`` = revision. A delete appends a tombstone whose
``prev_revision`` points at the version it deleted; an update's ``prev_revision`` points at the version it
replaced, so a watch can hand out ``prev_kv`` by a join. Compaction removes the rows superseded at or before
the compacted revision, never a row some later event still points at.
"""

from __future__ import annotations

import sqlite3

from rktnetes.store import errors, keys
from rktnetes.store.protocol import DELETE, PUT, Event, KeyValue

SCHEMA = """
CREATE TABLE IF NOT EXISTS log (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, created INTEGER NOT NULL, deleted INTEGER NOT NULL,
    create_revision INTEGER NOT NULL, prev_revision INTEGER NOT NULL, value BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS log_name_id ON log (name, id);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ttl (name TEXT PRIMARY KEY, expires REAL NOT NULL);
CREATE INDEX IF NOT EXISTS ttl_expires ON ttl (expires);
"""

LATEST = "SELECT id, create_revision, value, deleted FROM log WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1"
INSERT = "INSERT INTO log (id, name, created, deleted, create_revision, prev_revision, value) VALUES (?,?,?,?,?,?,?)"
_EVENTS = """SELECT l.id, l.name, l.created, l.deleted, l.create_revision, l.value, p.id, p.create_revision, p.value
FROM log l LEFT JOIN log p ON p.id = l.prev_revision AND l.created = 0
WHERE l.id > ? AND l.name >= ? {hi} ORDER BY l.id LIMIT ?"""
_LATEST_IN_RANGE = "SELECT name, MAX(id) AS mid FROM log WHERE name >= ? {hi} AND id <= ? GROUP BY name ORDER BY name"
_COMPACT = """DELETE FROM log WHERE id <= :rev AND (deleted = 1 OR id <
    (SELECT MAX(l2.id) FROM log l2 WHERE l2.name = log.name AND l2.id <= :rev))"""


def connect(path: str, synchronous: str, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, the given durability."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    if not readonly:  # takes effect only on a new, empty database: freed pages can then be given back
        conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    if readonly:
        conn.execute("PRAGMA query_only=1")
    else:
        conn.executescript(SCHEMA)
    return conn


def _range_sql(template: str, prefix: str, column: str = "name") -> tuple[str, list[str]]:
    hi = keys.prefix_end(prefix)
    if hi is None:
        return template.format(hi=""), []
    return template.format(hi=f"AND {column} < ?"), [hi]


def load_revisions(conn: sqlite3.Connection) -> tuple[int, int]:
    """(current revision, compacted revision) as stored."""
    compacted = conn.execute("SELECT v FROM meta WHERE k = 'compact'").fetchone()
    compacted = compacted[0] if compacted else 0
    top = conn.execute("SELECT MAX(id) FROM log").fetchone()[0] or 0
    return max(top, compacted), compacted


def latest(conn: sqlite3.Connection, key: str, revision: int) -> KeyValue | None:
    """The live version of ``key`` at ``revision``, or None."""
    row = conn.execute(LATEST, (key, revision)).fetchone()
    if row is None or row[3]:
        return None
    return KeyValue(key, row[2], row[1], row[0])


def list_range(conn: sqlite3.Connection, prefix: str, revision: int, limit: int, start_after: str) -> list[KeyValue]:
    """Up to ``limit`` live keys (0: all) under ``prefix`` after ``start_after``, at ``revision``."""
    inner, hi = _range_sql(_LATEST_IN_RANGE, prefix)
    # the grouped index walk streams in key order (a co-routine, no temp sort), so LIMIT stops it early
    sql = (f"SELECT l.name, l.value, l.create_revision, l.id FROM ({inner}) m CROSS JOIN log l ON l.id = m.mid "
           "WHERE l.deleted = 0 LIMIT ?")
    params = [keys.list_start(prefix, start_after), *hi, revision, limit if limit > 0 else -1]
    return [KeyValue(n, v, c, i) for n, v, c, i in conn.execute(sql, params)]


def count_range(conn: sqlite3.Connection, prefix: str, revision: int) -> int:
    """The number of live keys under ``prefix`` at ``revision``."""
    inner, hi = _range_sql(_LATEST_IN_RANGE, prefix)
    sql = f"SELECT COUNT(*) FROM log l JOIN ({inner}) m ON l.id = m.mid WHERE l.deleted = 0"
    return conn.execute(sql, [prefix, *hi, revision]).fetchone()[0]


def events_after(conn: sqlite3.Connection, prefix: str, after: int, limit: int) -> list[Event]:
    """Up to ``limit`` changes under ``prefix`` with revision > ``after``, oldest first."""
    sql, hi = _range_sql(_EVENTS, prefix, "l.name")
    return [_event(row) for row in conn.execute(sql, [after, prefix, *hi, limit])]


def _event(row: tuple) -> Event:
    rev, name, created, deleted, create_rev, value, prev_id, prev_create, prev_value = row
    prev = None if prev_id is None else KeyValue(name, bytes(prev_value), prev_create, prev_id)
    if deleted:
        return Event(DELETE, KeyValue(name, b"", 0, rev), prev)
    return Event(PUT, KeyValue(name, bytes(value), create_rev, rev), None if created else prev)


def expired(conn: sqlite3.Connection, now: float, limit: int = 1000) -> list[tuple[str, int]]:
    """Keys whose time to live ran out by ``now``, each with its mod_revision (to delete it only as it is)."""
    sql = ("SELECT t.name, (SELECT MAX(l.id) FROM log l WHERE l.name = t.name) FROM ttl t "
           "WHERE t.expires <= ? ORDER BY t.expires LIMIT ?")
    return list(conn.execute(sql, (now, limit)))


def compact(conn: sqlite3.Connection, revision: int) -> None:
    """Delete the history at or before ``revision`` and remember it as the compacted revision."""
    conn.execute(_COMPACT, {"rev": revision})
    conn.execute("INSERT OR REPLACE INTO meta (k, v) VALUES ('compact', ?)", (revision,))


def give_back_free_pages(conn: sqlite3.Connection) -> None:
    """Shrink the file by its free pages (outside any transaction; ``execute`` would free one page only)."""
    try:
        conn.executescript("PRAGMA incremental_vacuum;")
    except sqlite3.Error:
        pass  # only space: the pages stay free for the next writes


def backup(conn: sqlite3.Connection, destination: str) -> None:
    """Copy the database, as of one read transaction, to the file ``destination`` (SQLite's online backup)."""
    target = sqlite3.connect(destination)
    try:
        conn.backup(target)
    finally:
        target.close()


def db_size(conn: sqlite3.Connection) -> int:
    """Bytes in the database's pages as of its last commit (pages still in the WAL included)."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    return pages * conn.execute("PRAGMA page_size").fetchone()[0]


def check_revision(revision: int, current: int, compacted: int) -> None:
    """``Compacted`` or ``FutureRevision`` when a read at ``revision`` is impossible."""
    if revision > current:
        raise errors.FutureRevision(revision, current)
    if revision < compacted:
        raise errors.Compacted(revision, compacted)
