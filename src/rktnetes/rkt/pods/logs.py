"""``rkt logs``: what each app wrote, from the CRI-format log the supervisor keeps (one record per line:
``<RFC 3339 ns timestamp> stdout|stderr F|P <text>``); ``--timestamps``, ``--tail``, ``--since``, ``-f``.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from rktnetes.rkt import paths
from rktnetes.rkt.pods import control, state

POLL = 0.1


@dataclass
class Options:
    follow: bool = False
    timestamps: bool = False
    tail: int | None = None
    since: float | None = None  # epoch seconds


def stamp_seconds(stamp: bytes) -> float:
    """``2026-11-26T14:00:00.123456789Z`` → epoch seconds."""
    text = stamp.decode()
    whole = calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S"))
    return whole + float("0" + text[19:].rstrip("Z") or 0)


def render(record: bytes, timestamps: bool) -> bytes:
    stamp, _stream, tag, text = (record.rstrip(b"\n").split(b" ", 3) + [b""])[:4]
    body = text + (b"\n" if tag == b"F" else b"")
    return stamp + b" " + body if timestamps else body


class _Reader:
    """Complete records of one app's log, as they are appended."""

    def __init__(self, path: Path) -> None:
        self.path, self.handle, self.rest = path, None, b""

    def records(self) -> list[bytes]:
        if self.handle is None:
            try:
                self.handle = open(self.path, "rb")  # noqa: SIM115 (closed by close())
            except FileNotFoundError:
                return []
        data = self.rest + self.handle.read()
        lines = data.split(b"\n")
        self.rest = lines.pop()
        return [line for line in lines if line]

    def close(self) -> None:
        if self.handle:
            self.handle.close()


def _select(records: list[bytes], opts: Options) -> list[bytes]:
    if opts.since is not None:
        records = [r for r in records if stamp_seconds(r.split(b" ", 1)[0]) >= opts.since]
    return records[-opts.tail:] if opts.tail is not None and opts.tail >= 0 else records


def show(root: Path, uuid: str, app: str | None, out: BinaryIO, opts: Options | None = None) -> None:
    opts = opts or Options()
    pod = state.find(root, uuid)
    names = [_app(pod.path, app)] if app else control.app_names(pod.path)
    readers = [_Reader(paths.app_log_path(pod.path, n)) for n in names]
    try:
        for reader in readers:
            _emit(out, _select(reader.records(), opts), opts)
        while opts.follow:
            alive = state.find(root, uuid).status() in (state.Status.RUNNING, state.Status.PREPARED)
            for reader in readers:
                _emit(out, _select(reader.records(), Options(since=opts.since)), opts)
            if not alive:
                break
            time.sleep(POLL)
    finally:
        for reader in readers:
            reader.close()


def _app(pod: Path, app: str) -> str:
    """The app named; or one removed from its sandbox whose log is still there (until the pod goes)."""
    if app not in control.app_names(pod) and paths.app_log_path(pod, app).is_file():
        return app
    return control.choose_app(pod, app)


def _emit(out: BinaryIO, records: list[bytes], opts: Options) -> None:
    out.write(b"".join(render(r, opts.timestamps) for r in records))
    out.flush()
