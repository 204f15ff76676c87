"""``kubectl exec`` on the kubelet: a command in a running container, over the channel WebSocket protocol.

kubectl (through the API server, which relays frames unchanged) speaks ``v5.channel.k8s.io`` or
``v4.channel.k8s.io``: every binary frame starts with its channel — 0 stdin, 1 stdout, 2 stderr, 3 the
final Status, 4 terminal resize — and v5 adds 255 ``[255, channel]`` to close a stream (how kubectl says its
stdin ended). The command runs through ``rkt enter --app`` (runc exec in the app's namespaces), one task
per direction; the exit code goes back as the Status kubectl turns into its own exit code.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import WSMsgType, web

from rktnetes.kubelet import terminals

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
CHUNK = 32 * 1024


def status_for(code: int) -> dict[str, Any]:
    """The Status closing the session: success, or the exit code as kubelets report it."""
    if code == 0:
        return {"metadata": {}, "status": "Success"}
    return {"metadata": {}, "status": "Failure", "reason": "NonZeroExitCode",
            "message": f"command terminated with non-zero exit code: error executing command, exit status {code}",
            "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}


def failure(message: str) -> dict[str, Any]:
    return {"metadata": {}, "status": "Failure", "reason": "InternalError", "message": message}


async def _pump_out(stream: asyncio.StreamReader, ws: web.WebSocketResponse, channel: int) -> None:
    while chunk := await stream.read(CHUNK):
        await ws.send_bytes(bytes([channel]) + chunk)


async def _pump_in(ws: web.WebSocketResponse, stdin: asyncio.StreamWriter | None) -> None:
    """kubectl's frames to the command's stdin, until stdin is closed (v5) or the socket ends."""
    async for message in ws:
        if message.type != WSMsgType.BINARY or not message.data:
            continue
        channel, data = message.data[0], message.data[1:]
        if channel == STDIN and stdin is not None:
            stdin.write(data)
            await stdin.drain()
        elif channel == CLOSE and data[:1] == bytes([STDIN]) and stdin is not None:
            break
    if stdin is not None:
        stdin.close()


async def _piped(ws: web.WebSocketResponse, argv: list[str], wants_stdin: bool) -> int:
    pipe = asyncio.subprocess.PIPE
    proc = await asyncio.create_subprocess_exec(*argv, stdin=pipe if wants_stdin else asyncio.subprocess.DEVNULL,
                                                stdout=pipe, stderr=pipe)
    feeder = asyncio.create_task(_pump_in(ws, proc.stdin))
    try:
        await asyncio.gather(_pump_out(proc.stdout, ws, STDOUT), _pump_out(proc.stderr, ws, STDERR))
        return await proc.wait()
    finally:
        feeder.cancel()
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def run(request: web.Request, argv: list[str]) -> web.WebSocketResponse:
    """Run ``argv`` with the session's streams wired to it (on a pty with ``tty=1``); returns once it exits
    and the Status is sent."""
    ws = web.WebSocketResponse(protocols=PROTOCOLS)
    await ws.prepare(request)
    try:
        if request.query.get("tty") == "1":
            code = await terminals.run(ws, argv)
        else:
            code = await _piped(ws, argv, request.query.get("input") == "1")
        await ws.send_bytes(bytes([ERROR]) + json.dumps(status_for(code)).encode())
    finally:
        await ws.close()
    return ws


async def refuse(request: web.Request, message: str) -> web.WebSocketResponse:
    """A session that only says why it cannot run (kubectl prints the message and fails)."""
    ws = web.WebSocketResponse(protocols=PROTOCOLS)
    await ws.prepare(request)
    await ws.send_bytes(bytes([ERROR]) + json.dumps(failure(message)).encode())
    await ws.close()
    return ws
