"""Detached components found again by pid file: the whole process group is stopped, SIGKILL follows an
ignored SIGTERM, and a pid file whose process is gone (or whose pid was reused) never gets a signal sent."""

from __future__ import annotations

import json
import os
import time

import pytest

from rktnetes.cluster import supervising


@pytest.fixture
def started(tmp_path):
    pids: list[int] = []

    def start(script: str) -> tuple[int, object]:
        pid_file = tmp_path / "run" / "c.pid"
        pid = supervising.start(["sh", "-c", script], tmp_path / "logs" / "c.log", pid_file)
        pids.append(pid)
        return pid, pid_file
    yield start
    for pid in pids:
        try:
            os.killpg(pid, 9)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def test_start_records_pid_and_stop_ends_the_whole_group(started, tmp_path):
    pid, pid_file = started("sleep 60 & echo child $!; wait")
    assert supervising.running(pid_file) == pid and os.getpgid(pid) == pid and os.getsid(pid) == pid
    deadline = time.monotonic() + 5
    while "child" not in (tmp_path / "logs" / "c.log").read_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    child = int((tmp_path / "logs" / "c.log").read_text().split()[1])
    assert supervising.stop(pid_file, grace=5)
    assert supervising.start_time(pid) is None and supervising.start_time(child) is None and not pid_file.exists()
    assert not supervising.stop(pid_file)


def test_sigterm_ignored_gets_sigkill_after_the_grace(started):
    pid, pid_file = started("trap '' TERM; echo ready; while :; do sleep 0.05; done")
    time.sleep(0.2)
    began = time.monotonic()
    assert supervising.stop(pid_file, grace=0.5)
    assert 0.4 < time.monotonic() - began < 5 and supervising.start_time(pid) is None


def test_a_reused_pid_is_not_ours(started):
    pid, pid_file = started("sleep 60")
    record = json.loads(pid_file.read_text())
    pid_file.write_text(json.dumps({**record, "started": "1"}))  # same pid, another process's start time
    assert supervising.running(pid_file) is None
    assert not supervising.stop(pid_file) and supervising.start_time(pid) is not None


def test_garbage_pid_files_are_not_running(tmp_path):
    for text in ("", "{", json.dumps({"pid": 1, "started": "0"}), json.dumps({"pid": "x"})):
        (tmp_path / "p").write_text(text)
        assert supervising.running(tmp_path / "p") is None
    assert supervising.running(tmp_path / "missing") is None
