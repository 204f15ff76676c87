"""``kubectl attach``: a running container's output from now on, and (``-i``) what is typed into its stdin,
over the channel WebSocket (see ``execing``).

Output is what rkt's supervisor appends to the app's log, followed from its end: stdout records on
channel 1, stderr records on channel 2 (everything on 1 with a terminal), until the container stops. A
container whose spec asks for ``stdin`` was started by the kubelet with ``rkt --stdin=stream`` (``tty``
with ``tty: true``): rkt gives it a FIFO as stdin, held open read-write on its side, so it never sees an
end between sessions and each session simply opens the FIFO for writing, as the container runtimes keep an
attachable stdin open. With a terminal, runc copies the FIFO into the container's console, and a resize
(channel 4) sets the size of that console (found as the container's first process's stdin), which signals
SIGWINCH to its foreground process group as a terminal would. Typed input goes through an asyncio pipe
transport: a container that stops reading never blocks the kubelet's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import WSMsgType, web

from rktnetes.kubelet import execing, logstream, terminals
from rktnetes.rkt import paths
from rktnetes.rkt.pods import appargs

CHANNELS = {b"stdout": execing.STDOUT, b"stderr": execing.STDERR}
POLL = 0.05  # an attached person sees their typing echoed from the log: poll it more often than logs -f


@dataclass(frozen=True)
class Container:
    """What attaching needs of a running container: its log, whether it still runs, its stdin FIFO (None:
    started without stdin), whether it has a terminal, and where its console is (for resizes)."""

    log: Path
    alive: Callable[[], bool]
    stdin: Path | None = None
    tty: bool = False
    console: Callable[[], Path | None] = lambda: None


def frames(records: list[bytes], tty: bool = False) -> list[bytes]:
    """CRI log records as channel frames (a partial record's text is sent without a newline)."""
    out = []
    for record in records:
        _stamp, stream, tag, text = (record.split(b" ", 3) + [b"", b"", b""])[:4]
        channel = execing.STDOUT if tty else CHANNELS.get(stream, execing.STDOUT)
        out.append(bytes([channel]) + text + (b"\n" if tag == b"F" else b""))
    return out


async def _open_stdin(fifo: Path) -> asyncio.WriteTransport:
    fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # the container holds the read end
    transport, _ = await asyncio.get_running_loop().connect_write_pipe(asyncio.Protocol, os.fdopen(fd, "wb", 0))
    return transport


def _resize(container: Container, payload: bytes) -> None:
    console = container.console()
    if console is None:
        return
    with contextlib.suppress(OSError):
        fd = os.open(console, os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC)
        try:
            terminals.resize(fd, payload)
        finally:
            os.close(fd)


async def _feed(ws: web.WebSocketResponse, container: Container) -> None:
    """kubectl's frames into the container's stdin until it says stdin ended (v5) or the session ends;
    the container's stdin itself stays open for the next session."""
    stdin = await _open_stdin(container.stdin) if container.stdin is not None else None
    try:
        async for message in ws:
            if message.type != WSMsgType.BINARY or not message.data:
                continue
            channel, data = message.data[0], message.data[1:]
            if channel == execing.STDIN and stdin is not None:
                stdin.write(data)
            elif channel == execing.RESIZE and container.tty:
                _resize(container, data)
            elif channel == execing.CLOSE and data[:1] == bytes([execing.STDIN]) and stdin is not None:
                stdin.close()
                stdin = None
    finally:
        if stdin is not None:
            stdin.close()


def refusal(query: dict[str, str], container: Container) -> str | None:
    """Why this session cannot be had, as kubelets word it (None: it can)."""
    if query.get("tty") == "1" and not container.tty:
        return "Unable to use a TTY - container did not allocate one"
    if query.get("input") == "1" and container.stdin is None:
        return "stdin is not enabled for this container (spec.containers[].stdin: true)"
    return None


async def run(request: web.Request, container: Container) -> web.WebSocketResponse:
    why = refusal(dict(request.query), container)
    if why is not None:
        return await execing.refuse(request, why)
    ws = web.WebSocketResponse(protocols=execing.PROTOCOLS)
    await ws.prepare(request)
    reader = logstream.Reader(container.log)
    reader.records()  # from now on: what was written before attaching is the log's, not the session's
    feeder = asyncio.create_task(_feed(ws, container)) if request.query.get("input") == "1" or container.tty \
        else None
    try:
        while not ws.closed:
            still = container.alive()
            for frame in frames(reader.records(), container.tty):
                await ws.send_bytes(frame)
            if not still:
                break
            await asyncio.sleep(POLL)
        await ws.send_bytes(bytes([execing.ERROR]) + json.dumps(execing.status_for(0)).encode())
    finally:
        if feeder is not None:
            feeder.cancel()
        await ws.close()
    return ws


def _stdin_mode(pod: Path, app: str) -> str:
    try:
        manifest = json.loads(paths.pod_manifest_path(pod).read_text())
    except (OSError, ValueError):
        return "null"
    entry = next((a for a in manifest.get("apps") or [] if a.get("name") == app), {})
    return {n["name"]: n["value"] for n in entry.get("annotations") or []}.get(appargs.STDIN_ANNOTATION, "null")


def _console(pod: Path, app: str) -> Path | None:
    """The container's terminal: its first process's stdin (runc's state names that process)."""
    try:
        pid = json.loads(paths.app_runc_state_path(pod, app).read_text())["init_process_pid"]
    except (OSError, ValueError, KeyError):
        return None
    return Path(f"/proc/{pid}/fd/0")


def container(pod: Path, app: str, alive: Callable[[], bool]) -> Container:
    """App ``app`` of the running rkt pod in folder ``pod``, as attaching sees it."""
    mode = _stdin_mode(pod, app)
    return Container(paths.app_log_path(pod, app), alive, paths.app_stdin_path(pod, app) if mode != "null" else None,
                     mode == "tty", lambda: _console(pod, app))
