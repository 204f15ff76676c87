"""A container's log as the kubelet serves it (``/containerLogs``): rkt's CRI-format app log, with the
options ``kubectl logs`` sends (tailLines, timestamps, sinceSeconds/sinceTime, limitBytes, follow, previous).

Following polls the file, as ``rkt logs -f`` does: rkt writes the log from the pod's supervisor, and a poll
every ``POLL`` seconds is cheap next to a network round trip. It ends when the rkt pod is no longer running.
"""

from __future__ import annotations

import asyncio
import calendar
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from rktnetes.rkt.pods import logs

POLL = 0.2
Query = dict[str, str]


@dataclass(frozen=True)
class Options:
    follow: bool = False
    timestamps: bool = False
    tail: int | None = None
    since: float | None = None
    limit: int | None = None
    previous: bool = False


def _flag(query: Query, name: str) -> bool:
    return query.get(name, "false").lower() in ("true", "1")


def _int(query: Query, name: str) -> int | None:
    if name not in query:
        return None
    try:
        return int(query[name])
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {query[name]!r}") from None


def _since(query: Query) -> float | None:
    seconds = _int(query, "sinceSeconds")
    if seconds is not None:
        return time.time() - seconds
    if "sinceTime" in query:
        try:
            return float(calendar.timegm(time.strptime(query["sinceTime"][:19], "%Y-%m-%dT%H:%M:%S")))
        except ValueError:
            raise ValueError(f"sinceTime must be RFC 3339, got {query['sinceTime']!r}") from None
    return None


def options(query: Query) -> Options:
    """The options of a ``/containerLogs`` query; ValueError (one line) on a malformed one."""
    return Options(follow=_flag(query, "follow"), timestamps=_flag(query, "timestamps"),
                   tail=_int(query, "tailLines"), since=_since(query), limit=_int(query, "limitBytes"),
                   previous=_flag(query, "previous"))


class Reader:
    """The complete records appended to one log file since the last call."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset, self.rest = path, 0, b""

    def records(self) -> list[bytes]:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except FileNotFoundError:
            return []
        self.offset += len(data)
        lines = (self.rest + data).split(b"\n")
        self.rest = lines.pop()
        return [line for line in lines if line]


def _select(records: list[bytes], opts: Options, first: bool) -> list[bytes]:
    if opts.since is not None:
        records = [r for r in records if logs.stamp_seconds(r.split(b" ", 1)[0]) >= opts.since]
    if first and opts.tail is not None and opts.tail >= 0:
        records = records[-opts.tail:] if opts.tail else []
    return records


async def chunks(path: Path, opts: Options, alive: Callable[[], bool]) -> AsyncIterator[bytes]:
    """The log's text, chunk by chunk; with ``follow``, until ``alive()`` turns False."""
    reader, sent, first = Reader(path), 0, True
    while True:
        still = opts.follow and alive()
        body = b"".join(logs.render(r, opts.timestamps) for r in _select(reader.records(), opts, first))
        first = False
        if opts.limit is not None:
            body = body[:max(opts.limit - sent, 0)]
        if body:
            sent += len(body)
            yield body
        if not still or (opts.limit is not None and sent >= opts.limit):
            return
        await asyncio.sleep(POLL)
