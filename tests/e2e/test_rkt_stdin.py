"""``rkt run`` app flag ``--stdin=null|stream|tty``: a stream app reads a FIFO in its app folder that anyone
may write into while it runs (how the kubelet's attach types into a container); a bad mode is one line."""

from __future__ import annotations

import os
import time

import pytest

pytestmark = pytest.mark.e2e


def _wait_for(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not (found := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def test_a_stream_app_reads_what_is_written_into_its_fifo(rkt):
    uuid = rkt.detach("busybox", "--stdin=stream", "--exec", "/bin/sh", "--", "-c",
                      "read first; read second; echo got $first $second", "---")
    fifo = rkt.root / "pods" / "run" / uuid / "apps" / "busybox" / "stdin"
    for line in (b"one\n", b"two\n"):  # two writers in turn: the app never sees an end between them
        fd = os.open(fifo, os.O_WRONLY)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    ended = rkt("status", "--wait=30s", uuid, check=True).stdout
    assert "app-busybox=0" in ended
    assert _wait_for(lambda: "got one two" in rkt("logs", uuid).stdout)


def test_a_bad_stdin_mode_is_refused_before_anything_is_written(rkt):
    done = rkt("run", "--net=none", "busybox", "--stdin=pipe")
    assert done.returncode == 254 and "--stdin wants one of null, stream, tty" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and rkt.pods() == []
