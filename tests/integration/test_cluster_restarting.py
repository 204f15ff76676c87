"""Supervised components (``supervising.start`` with a state file, ``restarting``'s supervisor), with real
processes: a component that exits is restarted with doubling backoff and the state file says Restarting, then
Running with its new pid; ``stop`` ends supervisor and component and nothing restarts; a component whose
supervisor was SIGKILLed is ended by the next ``start`` or ``stop`` rather than left running beside a new one."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from rktnetes.cluster import reporting, restarting, supervising

pytestmark = pytest.mark.integration


def _wait(what: str, check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def unit(tmp_path):
    """Paths of one supervised component; whatever still runs is killed at the end."""
    paths = tmp_path / "run" / "c.pid", tmp_path / "run" / "c.state", tmp_path / "logs" / "c.log"
    yield paths
    for path in paths[:2]:
        pid = supervising.running(path)
        if pid is not None:
            os.killpg(os.getpgid(pid), signal.SIGKILL)


def _child(state: Path) -> int:
    return _wait("a running child", lambda: restarting.read_state(state).get("state") == "Running"
                 and supervising.running(state))


def test_a_component_that_exits_is_restarted_with_backoff(unit):
    pid_file, state, log = unit
    supervisor = supervising.start(["sh", "-c", "echo started; exit 3"], log, pid_file, state=state, backoff=0.2)
    _wait("two restarts", lambda: restarting.read_state(state).get("restarts", 0) >= 2)
    record = _wait("a Restarting state", lambda: restarting.read_state(state).get("state") == "Restarting"
                   and restarting.read_state(state))
    assert record["last_exit"] == 3 and record["retry_at"] > time.time() - 5
    assert reporting.describe(record, False).startswith("Restarting (exited with status 3")
    text = log.read_text()
    assert text.count("started") >= 2 and "c exited with status 3; restarting in 0.4 s (restart 2)" in text
    assert supervising.running(pid_file) == supervisor
    assert supervising.stop(pid_file, grace=5, state=state)
    assert supervising.start_time(supervisor) is None and not state.exists() and not pid_file.exists()


def test_kill_9_of_the_component_restarts_it_and_stop_ends_both(unit):
    pid_file, state, log = unit
    supervisor = supervising.start(["sleep", "60"], log, pid_file, state=state, backoff=0.1)
    first = _child(state)
    os.kill(first, signal.SIGKILL)
    second = _wait("a new child", lambda: (_child(state) != first) and _child(state))
    assert restarting.read_state(state)["restarts"] == 1 and os.getpgid(second) == supervisor
    assert reporting.describe(restarting.read_state(state), True) == "Running (restarted 1 time(s))"
    assert supervising.stop(pid_file, grace=5, state=state)
    assert supervising.start_time(supervisor) is None and supervising.start_time(second) is None
    assert "status -9" in log.read_text()


def test_a_component_orphaned_by_a_killed_supervisor_is_ended(unit):
    pid_file, state, log = unit
    supervisor = supervising.start(["sleep", "60"], log, pid_file, state=state, backoff=0.1)
    orphan = _child(state)
    os.kill(supervisor, signal.SIGKILL)
    _wait("the supervisor gone", lambda: supervising.running(pid_file) is None)
    assert supervising.start_time(orphan) is not None
    again = supervising.start(["sleep", "60"], log, pid_file, state=state, backoff=0.1)
    assert supervising.start_time(orphan) is None  # never two of one component
    orphan = _child(state)
    os.kill(again, signal.SIGKILL)
    _wait("the supervisor gone", lambda: supervising.running(pid_file) is None)
    assert supervising.stop(pid_file, grace=5, state=state) and supervising.start_time(orphan) is None
