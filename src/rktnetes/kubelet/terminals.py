"""``kubectl exec -t``: the command on a pseudo-terminal, its screen on channel 1, resizes from channel 4.

The kubelet makes the pty and gives its slave side to ``rkt enter`` as stdin, stdout and stderr; rkt then asks
runc for a terminal of its own (``runc exec -t``) and copies between the two, as it does for a person at a
shell. Reading the master side is a loop reader (no thread); the session ends when the command's side of
the pty is closed (read gives EIO). A resize sets the pty's size and sends SIGWINCH to runc (``rkt enter``
execs it in place, so it is the child's pid), which passes the size on to the container's terminal.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import signal
import struct
import termios

from aiohttp import WSMsgType, web

STDIN, STDOUT, RESIZE, CLOSE = 0, 1, 4, 255
CHUNK = 32 * 1024


def resize(fd: int, payload: bytes) -> bool:
    """Apply a ``{"Width": w, "Height": h}`` resize; False if it is not one."""
    try:
        size = json.loads(payload)
        rows, cols = int(size["Height"]), int(size["Width"])
    except (ValueError, KeyError, TypeError):
        return False
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    return True


async def _feed(ws: web.WebSocketResponse, master: int, pid: int) -> None:
    async for message in ws:
        if message.type != WSMsgType.BINARY or not message.data:
            continue
        channel, data = message.data[0], message.data[1:]
        if channel == STDIN:
            os.write(master, data)
        elif channel == RESIZE and resize(master, data):
            try:
                os.kill(pid, signal.SIGWINCH)
            except ProcessLookupError:
                return
        elif channel == CLOSE and data[:1] == bytes([STDIN]):
            os.write(master, b"\x04")  # end of input, as a person's ^D


def _reader(master: int, queue: asyncio.Queue) -> None:
    try:
        data = os.read(master, CHUNK)
    except OSError:  # EIO: the other side of the pty has closed
        data = b""
    if not data:
        asyncio.get_running_loop().remove_reader(master)
    queue.put_nowait(data)


async def run(ws: web.WebSocketResponse, argv: list[str]) -> int:
    """Run ``argv`` on a new pty wired to the session; its exit code."""
    master, slave = os.openpty()
    try:
        proc = await asyncio.create_subprocess_exec(*argv, stdin=slave, stdout=slave, stderr=slave,
                                                    start_new_session=True)
    finally:
        os.close(slave)
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    loop.add_reader(master, _reader, master, queue)
    feeder = asyncio.create_task(_feed(ws, master, proc.pid))
    try:
        while data := await queue.get():
            await ws.send_bytes(bytes([STDOUT]) + data)
        return await proc.wait()
    finally:
        feeder.cancel()
        loop.remove_reader(master)
        os.close(master)
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
