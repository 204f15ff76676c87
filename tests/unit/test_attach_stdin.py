"""An attachable stdin end to end on one machine, without a cluster: ``--stdin`` from the kubelet's words to
rkt's manifest and stage1's FIFO, and the kubelet's attach session writing into a real FIFO and resizing a
real pseudo-terminal."""

from __future__ import annotations

import fcntl
import json
import os
import struct
import termios
from pathlib import Path

import pytest

from rktnetes.kubelet import attaching, execing, translating
from rktnetes.rkt import paths
from rktnetes.rkt.pods import appargs, errors
from rktnetes.rkt.pods import manifest as pm
from rktnetes.rkt.stage1 import apps

IMAGE = pm.ImageRef("sha512-abc", {"name": "example.com/sh", "app": {"exec": ["/bin/sh"]}}, "/tree")


def _container(**fields) -> dict:
    return {"name": "main", "image": "busybox", "command": ["/bin/sh"], **fields}


@pytest.mark.parametrize(("fields", "mode"), [({}, None), ({"stdin": True}, "stream"),
                                              ({"stdin": True, "tty": True}, "tty"), ({"tty": True}, None)])
def test_the_kubelet_asks_rkt_for_a_stdin_as_the_spec_says(fields, mode):
    pod = {"metadata": {"name": "p", "namespace": "n", "uid": "u"}, "spec": {"containers": [_container(**fields)]}}
    [spec] = appargs.parse(translating.app_words(pod, _container(**fields), translating.Plan()))
    assert spec.stdin == (mode or "null")
    notes = pm.runtime_app(spec, IMAGE, pm.PodOptions()).get("annotations")
    assert notes == ([{"name": appargs.STDIN_ANNOTATION, "value": mode}] if mode else None)


def test_a_bad_stdin_mode_is_one_line():
    with pytest.raises(errors.BadAppFlag, match="--stdin wants one of null, stream, tty, got 'yes'"):
        appargs.parse(["busybox", "--stdin=yes"])


def test_stage1_gives_a_fifo_held_read_write(tmp_path):
    paths.app_dir(tmp_path, "main").mkdir(parents=True)
    fd = apps._stdin(tmp_path, "main", "stream")
    try:
        writer = os.open(paths.app_stdin_path(tmp_path, "main"), os.O_WRONLY | os.O_NONBLOCK)  # a reader is there
        os.write(writer, b"typed\n")
        os.close(writer)
        assert os.read(fd, 100) == b"typed\n"
    finally:
        os.close(fd)


def test_frames_put_everything_on_stdout_with_a_terminal():
    records = [b"2026-01-01T00:00:00Z stdout F out", b"2026-01-01T00:00:00Z stderr P err"]
    assert attaching.frames(records) == [b"\x01out\n", b"\x02err"]
    assert attaching.frames(records, tty=True) == [b"\x01out\n", b"\x01err"]


def test_sessions_the_container_cannot_have_are_refused(tmp_path):
    plain = attaching.Container(tmp_path / "log", lambda: True)
    assert attaching.refusal({"tty": "1"}, plain) == "Unable to use a TTY - container did not allocate one"
    assert "stdin is not enabled" in attaching.refusal({"input": "1"}, plain)
    assert attaching.refusal({"output": "1"}, plain) is None
    assert attaching.refusal({"input": "1", "tty": "1"}, attaching.Container(tmp_path, lambda: True, tmp_path,
                                                                              True)) is None


class _Socket:
    """The few WebSocket calls ``_feed`` makes, from a list of binary frames."""

    def __init__(self, frames: list[bytes]) -> None:
        self.frames = frames

    def __aiter__(self):
        return self

    async def __anext__(self):
        if not self.frames:
            raise StopAsyncIteration
        return type("Message", (), {"type": attaching.WSMsgType.BINARY, "data": self.frames.pop(0)})


async def test_a_session_types_into_the_fifo_and_resizes_the_console(tmp_path):
    fifo = tmp_path / "stdin"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    master, slave = os.openpty()
    try:
        container = attaching.Container(tmp_path / "log", lambda: True, fifo, True,
                                        lambda: Path(f"/proc/self/fd/{slave}"))
        resize = bytes([execing.RESIZE]) + json.dumps({"Width": 101, "Height": 31}).encode()
        await attaching._feed(_Socket([b"\x00ls\r", resize, bytes([execing.CLOSE, execing.STDIN]), b"\x00lost"]),
                              container)
        assert os.read(reader, 100) == b"ls\r"
        size = struct.unpack("HHHH", fcntl.ioctl(slave, termios.TIOCGWINSZ, b"\0" * 8))
        assert size[:2] == (31, 101)
    finally:
        for fd in (reader, master, slave):
            os.close(fd)
