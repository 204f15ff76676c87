"""``kubectl attach``: a running container's output from now on, over the channel WebSocket (see ``execing``).

rkt runs a detached pod's apps with stdin closed and no terminal, so there is nothing to attach input to;
their output is what the supervisor appends to each app's log, so attaching follows that log from its end:
stdout records go out on channel 1, stderr records on channel 2, until the container stops.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from rktnetes.kubelet import execing, logstream

CHANNELS = {b"stdout": execing.STDOUT, b"stderr": execing.STDERR}


def frames(records: list[bytes]) -> list[bytes]:
    """CRI log records as channel frames (a partial record's text is sent without a newline)."""
    out = []
    for record in records:
        _stamp, stream, tag, text = (record.split(b" ", 3) + [b"", b"", b""])[:4]
        out.append(bytes([CHANNELS.get(stream, execing.STDOUT)]) + text + (b"\n" if tag == b"F" else b""))
    return out


async def run(request: web.Request, log: Path, alive: Callable[[], bool]) -> web.WebSocketResponse:
    if request.query.get("tty") == "1":
        return await execing.refuse(request, "Unable to use a TTY - container did not allocate one")
    ws = web.WebSocketResponse(protocols=execing.PROTOCOLS)
    await ws.prepare(request)
    reader = logstream.Reader(log)
    reader.records()  # from now on: what was written before attaching is the log's, not the session's
    try:
        while not ws.closed:
            still = alive()
            for frame in frames(reader.records()):
                await ws.send_bytes(frame)
            if not still:
                break
            await asyncio.sleep(logstream.POLL)
        await ws.send_bytes(bytes([execing.ERROR]) + json.dumps(execing.status_for(0)).encode())
    finally:
        await ws.close()
    return ws
